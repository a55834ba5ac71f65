// A unit of progress the user watches (a spinner on a terminal, a line otherwise) and the wrapper every command uses.

export interface Activity {
  update(text: string): void;
  done(text?: string): void;
  fail(text?: string): void;
}

/** Runs one piece of work under its own spinner (or line), marked failed if it throws. */
export async function tracked<T>(
  progress: { begin(title: string): Activity },
  title: string,
  work: (activity: Activity) => Promise<T>,
  outcome: (value: T) => string,
): Promise<T> {
  const activity = progress.begin(title);
  try {
    const value = await work(activity);
    activity.done(outcome(value));
    return value;
  } catch (error) {
    activity.fail();
    throw error;
  }
}

// A unit of progress the user watches (a spinner on a terminal, a line otherwise), the wrapper every command uses,
// and the output a command writes to.
import type { DemoError } from '../errors.js';
import type { Glyphs, Paint } from '../lesson/paint.js';
import type { StepHooks } from '../lesson/steps.js';
import type { StackEvent } from '@aws-sdk/client-cloudformation';

export interface Activity {
  update(text: string): void;
  done(text?: string): void;
  fail(text?: string): void;
}

/** A deploy as it happens: a live table of resources on a terminal, one line per status change otherwise. */
export interface DeploymentView extends Activity {
  /** This deploy's stack events, oldest first, each once. */
  events(events: StackEvent[]): void;
  /** Ends it well, then shows the stack's outputs. */
  done(text?: string, outputs?: Record<string, string>): void;
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

/**
 * What a command may print, and how (src/cli/reporter.ts implements it): results on stdout, notes, progress and
 * failures on stderr, styled for the stream they go to. Commands see this, never the terminal.
 */
export interface CommandOutput {
  readonly outPaint: Paint;
  readonly glyphs: Glyphs;
  readonly width: number;
  result(lines: string[]): void;
  info(text: string): void;
  failure(error: Pick<DemoError, 'message' | 'hint' | 'cause'>): void;
  begin(title: string): Activity;
  deployment(title: string): DeploymentView;
  lesson(total: number): StepHooks;
}

// The failures every layer may raise, each an explained sentence with a hint and its exit code, and the table of exit codes.

/**
 * Exit codes, as promised in the README:
 *   0   every lesson check passed
 *   1   a lesson check failed (the summary says which)
 *   2   usage error: unknown command or option, bad option value
 *   3   environment or AWS error: endpoint unreachable, no credentials, stack failed to deploy
 *   130 interrupted (Ctrl-C): 128 + SIGINT, as shells report it
 */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  environment: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure, explained in one sentence plus a hint; the CLI prints it without a stack trace. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDemoError(error: unknown): error is DemoError {
  return error instanceof DemoError;
}

/** Thrown when the user pressed Ctrl-C: not a failure to explain, just a reason to stop and tidy up. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('Interrupted');
  }
}

export function usageError(message: string, hint?: string): DemoError {
  return new DemoError(ExitCode.usage, message, hint);
}

export function environmentError(message: string, hint?: string, cause?: unknown): DemoError {
  return new DemoError(ExitCode.environment, message, hint, { cause });
}

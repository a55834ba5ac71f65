// The failures every layer may raise: each an explained sentence with a hint, and its kind. Which exit code a kind
// means is the CLI's business (src/cli/exit-codes.ts).

/**
 * What kind of failure it is, one per class the user can tell apart:
 * - `usage`: the command line asked for something that cannot be (an unknown option, a bad value, a missing --yes);
 * - `environment`: the world around it failed (endpoint unreachable, no credentials, a stack that failed to deploy, a
 *   port in use, a local server that does not answer);
 * - `interrupted`: the user pressed Ctrl-C, and the error says what is left behind.
 */
export type FailureKind = 'usage' | 'environment' | 'interrupted';

/** An expected failure, explained in one sentence plus a hint; the CLI prints it without a stack trace. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown when the user pressed Ctrl-C: not a failure to explain, just a reason to stop and tidy up. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('Interrupted');
  }
}

export function usageError(message: string, hint?: string): DemoError {
  return new DemoError('usage', message, hint);
}

export function environmentError(message: string, hint?: string, cause?: unknown): DemoError {
  return new DemoError('environment', message, hint, { cause });
}

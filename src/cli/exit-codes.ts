// The exit codes, and the one mapping from a failure's kind (src/errors.ts) or a command's outcome to them: the only
// place that turns what happened into a number for the shell.
import type { DemoError, FailureKind } from '../errors.js';
import type { Outcome } from '../commands/outcome.js';

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

const BY_KIND: Record<FailureKind, ExitCode> = {
  usage: ExitCode.usage,
  environment: ExitCode.environment,
  interrupted: ExitCode.interrupted,
};

/** The exit code of an expected failure: its kind's, or the kind's itself. */
export function exitCodeFor(failure: DemoError | FailureKind): ExitCode {
  return BY_KIND[typeof failure === 'string' ? failure : failure.kind];
}

const BY_OUTCOME: Record<Outcome, ExitCode> = {
  ok: ExitCode.ok,
  'checks-failed': ExitCode.checkFailed,
  'left-behind': ExitCode.checkFailed,
  unhealthy: ExitCode.environment,
};

/** The exit code of a command that ended without throwing. */
export function exitCodeOfOutcome(outcome: Outcome): ExitCode {
  return BY_OUTCOME[outcome];
}

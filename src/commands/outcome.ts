// How a command ended when it did not throw: the CLI (src/cli/exit-codes.ts) turns it into an exit code.

/**
 * - `ok`: it did what was asked.
 * - `checks-failed`: a lesson check it ran did not pass (its summary says which).
 * - `left-behind`: the stack is gone but something it should have taken with it is not (teardown names it).
 * - `unhealthy`: what it was asked about is there but broken (a local server that does not answer).
 */
export type Outcome = 'ok' | 'checks-failed' | 'left-behind' | 'unhealthy';

/** What a per-step command hands the CLI besides its data: how it ended, and the notes to print after its result. */
export interface Finished {
  outcome: Outcome;
  /** Said on stderr after the command's result (a local server it started keeps running, and how to stop it). */
  notes: string[];
}

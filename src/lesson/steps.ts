// The lesson as data, in teaching order, and the loop that runs it: a step that throws fails, an outage stops the run.
import { isAbort, isEnvironmentFailure } from '../aws/errors.js';
import { syncOk } from './01-sync-ok.js';
import { syncFail } from './02-sync-fail.js';
import { asyncOk } from './03-async-ok.js';
import { asyncFail } from './04-async-fail.js';
import { retriesInLogs } from './05-retries-in-logs.js';
import { eventInDlq } from './06-event-in-dlq.js';
import type { LessonContext, Step, StepOutcome } from './context.js';

export const lessonSteps: readonly Step[] = [syncOk, syncFail, asyncOk, asyncFail, retriesInLogs, eventInDlq];

export interface StepResult extends StepOutcome {
  id: number;
  title: string;
  durationMs: number;
}

export interface StepHooks {
  /** Called before a step runs; the returned function receives live status text while it waits. */
  started(step: Step): (text: string) => void;
  finished(step: Step, result: StepResult): void;
  /** A countdown line while a step waits long: printed in plain output, where no spinner shows `started`'s text. */
  note?(step: Step, text: string): void;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Runs the steps in order. An AWS answer that makes a step throw (say ResourceNotFoundException) fails that step and
 * the run goes on, so the summary shows it; Ctrl-C and environment failures (network, credentials) stop the run.
 */
export async function runLesson(
  ctx: Omit<LessonContext, 'progress'>,
  hooks: StepHooks,
  steps: readonly Step[] = lessonSteps,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    const progress = hooks.started(step);
    const startedAt = Date.now();
    let outcome: StepOutcome;
    try {
      outcome = await step.run({ ...ctx, progress, note: (text) => hooks.note?.(step, text) });
    } catch (error) {
      if (isAbort(error) || ctx.signal?.aborted || isEnvironmentFailure(error)) throw error;
      outcome = { status: 'fail', expected: 'the step to complete', observed: describeError(error) };
    }
    const result: StepResult = { id: step.id, title: step.title, ...outcome, durationMs: Date.now() - startedAt };
    results.push(result);
    hooks.finished(step, result);
  }
  return results;
}

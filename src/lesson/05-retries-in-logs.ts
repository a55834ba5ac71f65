// Step 5: CloudWatch Logs shows step 4's RequestId starting once per attempt (1 + MaximumRetryAttempts), step 3's once.
import { CallPacer, pollUntil, retryWhenThrottled } from '../aws/wait.js';
import { skipped, type LessonContext, type Step } from './context.js';
import { Countdown, dueText, expectedRetryDelays, nextAttempt } from './countdown.js';
import { formatSeconds } from './timeline.js';
import { startedRequestId } from './log-lines.js';

/** Log timestamps come from AWS's clock; look back far enough that a skewed local clock never hides a START line. */
const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;

/** How FilterLogEvents is called: paced under its quota, backing off when throttled anyway, until the deadline. */
interface Reader {
  pacer: CallPacer;
  deadline: number;
  onThrottled(delayMs: number): void;
}

/** Epoch ms of every START line since `since`, per RequestId (FilterLogEvents, all pages). */
async function startLinesSince(ctx: LessonContext, since: number, reader: Reader): Promise<Map<string, number[]>> {
  const starts = new Map<string, number[]>();
  const backoff = ctx.timing.throttleBackoff ?? { baseMs: 1_000, capMs: 20_000 };
  let nextToken: string | undefined;
  do {
    const page = await retryWhenThrottled(
      async () => {
        await reader.pacer.next(ctx.signal);
        return ctx.logs.filterLogEvents({
          logGroupName: ctx.names.logGroupName,
          filterPattern: '"START RequestId"',
          startTime: since,
          nextToken,
        });
      },
      { ...backoff, deadline: reader.deadline, signal: ctx.signal, onThrottled: reader.onThrottled },
    );
    for (const event of page.events ?? []) {
      const requestId = startedRequestId(event.message);
      if (!requestId || event.timestamp === undefined) continue;
      starts.set(requestId, [...(starts.get(requestId) ?? []), event.timestamp]);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  for (const timestamps of starts.values()) timestamps.sort((a, b) => a - b);
  return starts;
}

export const retriesInLogs: Step = {
  id: 5,
  title: 'Retries in CloudWatch Logs',
  explain:
    'Reads the function’s log group for START lines: step 4’s RequestId starts once per attempt, 1 + MaximumRetryAttempts times, ' +
    'about 1 and 2 minutes apart on AWS. Step 3’s starts once. The only trace of the async failure is here and in the DLQ.',
  async run(ctx) {
    const wanted = 1 + ctx.maxRetries;
    const retries = ctx.maxRetries === 0 ? 'no retry' : `1 + ${ctx.maxRetries} ${ctx.maxRetries === 1 ? 'retry' : 'retries'}`;
    const expected = `${wanted} START line${wanted === 1 ? '' : 's'} for step 4's RequestId (${retries}), 1 for step 3's`;
    const { asyncFail: failing, asyncOk: succeeding } = ctx.record;
    // Step 4's request is the lesson; step 3's, when it was run, is the comparison (step 6 works the same way).
    if (!failing) return skipped(expected, 'step 4 recorded no RequestId');

    const since = Math.min(failing.invokedAt, succeeding?.invokedAt ?? failing.invokedAt) - CLOCK_SKEW_MARGIN_MS;
    const deadline = failing.invokedAt + ctx.timing.waitMs;
    const delays = expectedRetryDelays(ctx);
    const onAws = ctx.target === 'aws';
    let failingStarts: number[] = [];
    let succeedingStarts: number[] = [];
    let throttledUntil = 0;
    const countdown = new Countdown(ctx, deadline);
    const showCountdown = () => {
      const next = nextAttempt(failingStarts, failing.invokedAt, wanted, delays);
      const seen = `${failingStarts.length} of ${wanted} attempts seen`;
      countdown.show(next?.label ?? 'step 3', () => {
        const now = Date.now();
        const throttled = throttledUntil > now ? ` · FilterLogEvents throttled, next read in ${formatSeconds(throttledUntil - now)}` : '';
        if (next) return { text: `${seen} · ${dueText(next.label, next.dueAt, now, onAws)}${throttled}`, dueAt: next.dueAt };
        return { text: `${seen}${succeeding && succeedingStarts.length === 0 ? " · waiting for step 3's START line" : ''}${throttled}` };
      });
    };
    const reader: Reader = {
      pacer: new CallPacer(ctx.timing.minCallSpacingMs ?? 200),
      deadline,
      onThrottled: (delayMs) => {
        throttledUntil = Date.now() + delayMs;
        showCountdown();
      },
    };
    try {
      showCountdown();
      await pollUntil(
        async () => {
          const starts = await startLinesSince(ctx, since, reader);
          failingStarts = starts.get(failing.requestId) ?? [];
          succeedingStarts = succeeding ? (starts.get(succeeding.requestId) ?? []) : [];
          showCountdown();
          return failingStarts.length >= wanted && (!succeeding || succeedingStarts.length >= 1) ? true : undefined;
        },
        { intervalMs: ctx.timing.pollMs, deadline, signal: ctx.signal },
      );
    } finally {
      countdown.stop();
    }
    ctx.record.startLines = { failing: failingStarts, succeeding: succeedingStarts };

    const offsets = failingStarts.map((timestamp) => timestamp - failing.invokedAt);
    const pass = failingStarts.length === wanted && (!succeeding || succeedingStarts.length === 1);
    const timedOut = failingStarts.length < wanted || (succeeding !== undefined && succeedingStarts.length < 1);
    const observed =
      `${failingStarts.length} for step 4's` +
      (offsets.length ? ` (at ${offsets.map((offset) => `+${formatSeconds(offset)}`).join(', ')})` : '') +
      (succeeding ? `, ${succeedingStarts.length} for step 3's` : ", none to compare for step 3's (step 3 was not run)") +
      (timedOut ? `; gave up after ${formatSeconds(ctx.timing.waitMs)} (raise --timeout if AWS is slow)` : '');
    return {
      status: pass ? 'pass' : 'fail',
      expected,
      observed,
      details: {
        failingRequestId: failing.requestId,
        attempts: failingStarts.length,
        attemptOffsetsMs: offsets,
        succeedingRequestId: succeeding?.requestId ?? null,
        succeedingAttempts: succeeding ? succeedingStarts.length : null,
      },
    };
  },
};

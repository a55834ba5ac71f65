// How long and how often steps 5 and 6 wait: by the local emulator's own retry delays, or by AWS's pace.
import { AWS_RETRY_DELAYS_MS } from './countdown.js';
import type { LessonTiming } from './context.js';

/** Slack on top of the local retry delays for cold starts, the runs themselves and a slow machine. */
const LOCAL_WAIT_SLACK_MS = 10_000;
/** AWS is often late with retries; LocalStack's own AWS-validated test_dead_letter_queue waits this long too (120 tries, 3 s apart: tests/aws/services/lambda_/test_lambda_destinations.py). */
const AWS_WAIT_MS = 6 * 60_000;

/**
 * How steps 5 and 6 wait: by the emulator's own retry delays when they are known (the in-process emulator, the local
 * server), by AWS's pace otherwise (AWS, or an endpoint that chooses its own delays).
 */
export function lessonTiming(timeoutMs: number | undefined, localRetryDelaysMs: [number, number] | null): LessonTiming {
  if (localRetryDelaysMs) {
    const [first, second] = localRetryDelaysMs;
    return {
      waitMs: timeoutMs ?? first + second + LOCAL_WAIT_SLACK_MS,
      // The emulator has no quota and answers FilterLogEvents in about a millisecond: reading every 10 ms ends step 5
      // within 10 ms of the last retry's START line (it costs the machine ~100 cheap calls a second while it waits;
      // at 25 ms step 5 ended ~7 ms later on average, bench section 2).
      pollMs: 10,
      receiveWaitSeconds: 1,
      drainWaitSeconds: 0,
      expectedRetryDelaysMs: localRetryDelaysMs,
      minCallSpacingMs: 0,
    };
  }
  // FilterLogEvents allows 5 calls per second per account (docs/aws-semantics.md §4): one every 3 s leaves room for others,
  // calls are spaced 200 ms apart, and a throttled call backs off from 1 s, doubling, up to 20 s.
  // The DLQ is long-polled for 20 s, so its message shows within a second of arriving.
  return {
    waitMs: timeoutMs ?? AWS_WAIT_MS,
    pollMs: 3_000,
    receiveWaitSeconds: 20,
    drainWaitSeconds: 1,
    expectedRetryDelaysMs: AWS_RETRY_DELAYS_MS,
    countdownLineMs: 30_000,
    throttleBackoff: { baseMs: 1_000, capMs: 20_000 },
    minCallSpacingMs: 200,
  };
}

/** Where the stack lives, for how its operations are waited on: this tool's emulator, another endpoint, or AWS. */
export type StackHost = 'emulator' | 'endpoint' | 'aws';

/**
 * How a deploy or a delete waits for the stack: the emulator is done before the first poll, another endpoint soon,
 * CloudFormation on AWS takes minutes (a delete is polled every 3 s anywhere but the emulator: it takes longer and
 * its progress shows in no event worth reading). `timeoutMs`: the user's --timeout, when given.
 */
export function stackWait(host: StackHost, operation: 'deploy' | 'delete', timeoutMs?: number): { pollMs: number; timeoutMs: number } {
  const pollMs = host === 'emulator' ? 100 : operation === 'delete' ? 3_000 : host === 'endpoint' ? 500 : 1_500;
  return { pollMs, timeoutMs: timeoutMs ?? (host === 'emulator' ? 60_000 : 30 * 60_000) };
}

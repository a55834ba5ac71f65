// What a lesson step receives (clients, names, this run's id and timing, what earlier steps recorded) and returns.
import type { RuntimeFamily } from './runtime-family.js';
import type { LambdaApi, LogsApi, SqsApi, Target } from '../aws/clients.js';
import type { LessonNames } from './names.js';

export interface LessonTiming {
  /** How long steps 5 and 6 may wait for the retries and the DLQ message, counted from step 4's invoke. */
  waitMs: number;
  /**
   * Pause between FilterLogEvents calls (AWS allows 5 per second per account, docs/aws-semantics.md §4), and between
   * receives that return only other runs' DLQ messages.
   */
  pollMs: number;
  /** WaitTimeSeconds of each ReceiveMessage long poll while the DLQ message is awaited. */
  receiveWaitSeconds: number;
  /** WaitTimeSeconds of the receives that look for more messages once ours is found (0: the emulator is exact). */
  drainWaitSeconds: number;
  /** The gaps the countdown expects before retry 1 and retry 2 (AWS: about 1 and 2 minutes; default). */
  expectedRetryDelaysMs?: [number, number];
  /** How often a waiting step repeats its countdown as a line in plain output (CI logs); default 30 s. */
  countdownLineMs?: number;
  /** Backoff after a throttled FilterLogEvents (exponential from baseMs, capped at capMs); default 1 s to 20 s. */
  throttleBackoff?: { baseMs: number; capMs: number };
  /** Least time between two FilterLogEvents calls: its quota is 5 per second per account (§4); default 200 ms. */
  minCallSpacingMs?: number;
}

/** An asynchronous invoke as a later step needs it. */
export interface AsyncInvoke {
  requestId: string;
  /** Epoch ms just before the request left. */
  invokedAt: number;
  /** The exact payload bytes sent, as text. */
  payload: string;
}

/** What earlier steps hand to later ones. */
export interface LessonRecord {
  /** Step 3: the asynchronous invoke that succeeds. */
  asyncOk?: AsyncInvoke;
  /** Step 4: the asynchronous invoke that fails. */
  asyncFail?: AsyncInvoke;
  /** Step 5: epoch ms of every START line, per RequestId. */
  startLines?: { failing: number[]; succeeding: number[] };
  /** Step 6: epoch ms at which the DLQ message was sent (SQS's SentTimestamp). */
  dlqSentAt?: number;
}

export interface LessonContext {
  lambda: LambdaApi;
  logs: LogsApi;
  sqs: SqsApi;
  names: LessonNames;
  target: Target;
  /** Tags every payload, so old log lines and old DLQ messages of other runs are never mistaken for this run's. */
  runId: string;
  /** MaximumRetryAttempts deployed with the stack: step 4's event gets 1 + this many attempts. */
  maxRetries: number;
  /** The function's language: what its error payload looks like (step 2). */
  runtime: RuntimeFamily;
  timing: LessonTiming;
  record: LessonRecord;
  signal?: AbortSignal;
  /** A short live status while a step waits (a spinner's text; ignored in plain output). */
  progress(text: string): void;
  /** A line for plain output while a step waits long (a terminal shows `progress` live instead). */
  note?(text: string): void;
}

export type StepStatus = 'pass' | 'fail' | 'skip';

export interface StepOutcome {
  status: StepStatus;
  expected: string;
  observed: string;
  /** Facts for the JSON report and tests: RequestIds, attempt counts, DLQ attributes. */
  details?: Record<string, unknown>;
}

export interface Step {
  id: number;
  title: string;
  /** One or two lines: what was sent, what came back, and why it matters. */
  explain: string;
  run(ctx: LessonContext): Promise<StepOutcome>;
}

/** The event a step sends: the lesson's fields plus this run's id. */
export function eventPayload(ctx: Pick<LessonContext, 'runId'>, from: 'sync' | 'async', name: string): string {
  return JSON.stringify({ from, name, runId: ctx.runId });
}

export function skipped(expected: string, reason: string): StepOutcome {
  return { status: 'skip', expected, observed: `not checked: ${reason}` };
}

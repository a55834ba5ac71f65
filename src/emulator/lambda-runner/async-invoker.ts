// Lambda's internal queue for Event invocations: attempts, retries with delays, then the DLQ and destinations.
import type { Incident } from '../incidents.js';
import type { RuntimeErrorPayload } from './ipc-messages.js';
import { InvocationAborted } from './invocation.js';
import { guarded, reportFault } from '../fault.js';

/** One acknowledged Event invocation that has not finished yet. Plain data: it is persisted as is. */
export interface PendingEvent {
  /** The Invoke's x-amzn-RequestId; every attempt reuses it (docs/aws-semantics.md §2). */
  requestId: string;
  functionName: string;
  /** The event exactly as received; the DLQ gets these bytes unchanged. */
  payload: string;
  /** Epoch ms when Lambda accepted the event, for MaximumEventAgeInSeconds. */
  enqueuedAt: number;
  /** Attempts completed so far (all failed); an attempt cut short by a shutdown is not counted and runs again. */
  attempts: number;
  /** Epoch ms when the next attempt may start: an absolute time, so a restart resumes the remaining delay. */
  dueAt: number;
  /** The error of the last failed attempt. */
  lastError?: RuntimeErrorPayload;
}

export type AttemptResult =
  | { kind: 'success'; payload: Buffer }
  | { kind: 'function-error'; error: RuntimeErrorPayload }
  /** The function no longer exists: the event is dropped. */
  | { kind: 'gone' };

export interface RetryPolicy {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
}

export interface DeliveryTargets {
  /** The function's unqualified ARN; records name `<arn>:$LATEST`. */
  functionArn: string;
  deadLetterTargetArn?: string;
  onSuccess?: string;
  onFailure?: string;
}

export interface AsyncInvokerHost {
  now(): number;
  retryDelaysMs: readonly [number, number];
  maxConcurrencyPerFunction: number;
  retryPolicy(functionName: string): RetryPolicy;
  deliveryTargets(functionName: string): DeliveryTargets | undefined;
  /** Runs one attempt. Throws InvocationAborted when the emulator stops or the function is deleted mid-attempt. */
  runAttempt(event: PendingEvent): Promise<AttemptResult>;
  sendToQueue(
    queueArn: string,
    body: string,
    attributes?: Record<string, { DataType: string; StringValue: string }>,
  ): void;
  /** Queues an Event invocation of another function (a Lambda destination); throws when there is no such function. */
  invokeFunctionAsync(functionArn: string, payload: string): void;
  stateChanged(): void;
  /** A delivery that failed or an event dropped: counted and logged, never silent. */
  incident(incident: Incident): void;
}

/** AWS's defaults when no EventInvokeConfig says otherwise (docs/aws-semantics.md §2). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21600 };

/** SQS message attributes hold the first 1 KB of the error message (docs/aws-semantics.md §2). */
const ERROR_MESSAGE_LIMIT_BYTES = 1024;

function firstBytes(text: string, limit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  // Cut on a character boundary: drop continuation bytes (10xxxxxx) left dangling at the end.
  let end = limit;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** Runs one delivery; returns why it failed, or undefined. */
function attemptDelivery(deliver: () => void): string | undefined {
  try {
    deliver();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class AsyncInvoker {
  private readonly events = new Map<string, PendingEvent>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly ready = new Map<string, PendingEvent[]>();
  private readonly inFlight = new Map<string, number>();
  private closed = false;

  constructor(private readonly host: AsyncInvokerHost) {}

  /** Accepts an event: it is now Lambda's responsibility and will not be lost. */
  enqueue(functionName: string, requestId: string, payload: string): PendingEvent {
    const now = this.host.now();
    const event: PendingEvent = { requestId, functionName, payload, enqueuedAt: now, attempts: 0, dueAt: now };
    this.events.set(requestId, event);
    this.host.stateChanged();
    this.schedule(event);
    return event;
  }

  pending(): PendingEvent[] {
    return [...this.events.values()];
  }

  /** `deferred` starts even an overdue event on a later turn, e.g. after a restore, once the server is listening. */
  private schedule(event: PendingEvent, deferred = false): void {
    if (this.closed) return;
    const delay = Math.max(0, event.dueAt - this.host.now());
    if (delay === 0 && !deferred) {
      this.makeReady(event);
      return;
    }
    const timer = setTimeout(guarded('async invoke retry timer', () => {
      this.timers.delete(event.requestId);
      this.makeReady(event);
    }), delay);
    timer.unref();
    this.timers.set(event.requestId, timer);
  }

  private makeReady(event: PendingEvent): void {
    if (!this.events.has(event.requestId)) return;
    let queue = this.ready.get(event.functionName);
    if (!queue) {
      queue = [];
      this.ready.set(event.functionName, queue);
    }
    queue.push(event);
    this.pump(event.functionName);
  }

  // Events beyond the function's environment limit wait here, in order; none is dropped.
  private pump(functionName: string): void {
    const queue = this.ready.get(functionName);
    if (!queue) return;
    while (!this.closed && queue.length > 0 && (this.inFlight.get(functionName) ?? 0) < Math.max(1, this.host.maxConcurrencyPerFunction)) {
      const event = queue.shift()!;
      if (this.events.get(event.requestId) !== event) continue;
      this.inFlight.set(functionName, (this.inFlight.get(functionName) ?? 0) + 1);
      void this.attempt(event)
        .catch((error: unknown) => reportFault(`async invoke attempt of ${event.requestId}`, error))
        .finally(guarded('async invoke queue', () => {
          this.inFlight.set(functionName, (this.inFlight.get(functionName) ?? 1) - 1);
          this.pump(functionName);
        }));
    }
    if (queue.length === 0) this.ready.delete(functionName);
  }

  private async attempt(event: PendingEvent): Promise<void> {
    const policy = this.host.retryPolicy(event.functionName);
    if (this.host.now() - event.enqueuedAt > policy.maximumEventAgeInSeconds * 1000) {
      this.discard(event, 'EventAgeExceeded');
      return;
    }
    let result: AttemptResult;
    try {
      result = await this.host.runAttempt(event);
    } catch (error) {
      if (error instanceof InvocationAborted) {
        // Function deleted: the event goes with it. Emulator stopping: the event stays pending, and the interrupted
        // attempt is made again after a restart (attempts counts completed attempts only).
        if (!this.closed) this.forget(event);
        return;
      }
      // An emulator fault is not a function error; count it as one anyway so the event cannot loop forever.
      result = { kind: 'function-error', error: { errorType: 'ServiceException', errorMessage: String(error) } };
    }
    if (this.events.get(event.requestId) !== event) return;
    event.attempts += 1;

    if (result.kind === 'gone') {
      this.forget(event);
      this.host.incident({
        metric: 'AsyncEventsDropped',
        functionName: event.functionName,
        message: `event ${event.requestId} dropped: the function was deleted before it could run.`,
      });
      return;
    }
    if (result.kind === 'success') {
      this.forget(event);
      const targets = this.host.deliveryTargets(event.functionName);
      if (targets?.onSuccess) {
        this.deliverRecord(event, targets.onSuccess, this.record(event, targets, 'Success', parseOrText(result.payload.toString('utf8'))));
      }
      return;
    }

    event.lastError = result.error;
    // Retries after a function error: 1 min then 2 min on AWS, scaled locally (docs/aws-semantics.md §2).
    const retriesMade = event.attempts - 1;
    if (retriesMade >= this.host.retryPolicy(event.functionName).maximumRetryAttempts) {
      this.discard(event, 'RetriesExhausted');
      return;
    }
    const delay = this.host.retryDelaysMs[Math.min(retriesMade, this.host.retryDelaysMs.length - 1)] ?? 0;
    event.dueAt = this.host.now() + delay;
    this.host.stateChanged();
    this.schedule(event);
  }

  private record(event: PendingEvent, targets: DeliveryTargets, condition: string, responsePayload: unknown): string {
    const success = condition === 'Success';
    // The destination record shape (docs/aws-semantics.md §2).
    return JSON.stringify({
      version: '1.0',
      timestamp: new Date(this.host.now()).toISOString(),
      requestContext: {
        requestId: event.requestId,
        functionArn: `${targets.functionArn}:$LATEST`,
        condition,
        approximateInvokeCount: event.attempts,
      },
      requestPayload: parseOrText(event.payload),
      responseContext: success
        ? { statusCode: 200, executedVersion: '$LATEST' }
        : { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload,
    });
  }

  // Out of retries or too old: the DLQ gets the unchanged payload with RequestID, ErrorCode (Number) and ErrorMessage;
  // the on-failure destination gets the record (docs/aws-semantics.md §2, §7 item 2). AWS counts every such event
  // in AsyncEventsDropped, a failed DLQ send in DeadLetterErrors and a failed destination in DestinationDeliveryFailures
  // (AWS Lambda developer guide, asynchronous invocation metrics); none is retried.
  private discard(event: PendingEvent, condition: 'RetriesExhausted' | 'EventAgeExceeded'): void {
    this.forget(event);
    const targets = this.host.deliveryTargets(event.functionName);
    const errorMessage =
      event.lastError?.errorMessage ??
      `The event reached its maximum age before Lambda could run it (${condition}).`;
    const sentTo: string[] = [];
    if (targets?.deadLetterTargetArn) {
      const attributes: Record<string, { DataType: string; StringValue: string }> = {
        RequestID: { DataType: 'String', StringValue: event.requestId },
        ErrorCode: { DataType: 'Number', StringValue: '200' },
      };
      // SQS refuses an empty attribute value; an error without a message simply has no ErrorMessage.
      const truncated = firstBytes(errorMessage, ERROR_MESSAGE_LIMIT_BYTES);
      if (truncated !== '') attributes.ErrorMessage = { DataType: 'String', StringValue: truncated };
      const dlq = targets.deadLetterTargetArn;
      const failure = attemptDelivery(() => {
        if (dlq.split(':')[2] !== 'sqs') throw new Error('only SQS dead-letter queues are emulated locally');
        this.host.sendToQueue(dlq, event.payload, attributes);
      });
      if (failure) {
        this.host.incident({
          metric: 'DeadLetterErrors',
          functionName: event.functionName,
          message: `event ${event.requestId} could not be sent to the dead-letter queue ${dlq}: ${failure}`,
        });
      } else {
        sentTo.push(`the dead-letter queue ${dlq}`);
      }
    }
    if (targets?.onFailure) {
      if (this.deliverRecord(event, targets.onFailure, this.record(event, targets, condition, event.lastError ?? null))) {
        sentTo.push(`the on-failure destination ${targets.onFailure}`);
      }
    }
    this.host.incident({
      metric: 'AsyncEventsDropped',
      functionName: event.functionName,
      message:
        `event ${event.requestId} discarded after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'} (${condition})` +
        (sentTo.length > 0 ? `; sent to ${sentTo.join(' and ')}.` : '; no dead-letter queue or destination received it.'),
    });
  }

  /** True when delivered; a failure is counted as DestinationDeliveryFailures and logged. */
  private deliverRecord(event: PendingEvent, destinationArn: string, record: string): boolean {
    const failure = attemptDelivery(() => {
      const service = destinationArn.split(':')[2];
      if (service === 'sqs') this.host.sendToQueue(destinationArn, record);
      else if (service === 'lambda') this.host.invokeFunctionAsync(destinationArn, record);
      else throw new Error(`${service ?? 'this'} destinations are not emulated locally`);
    });
    if (failure) {
      this.host.incident({
        metric: 'DestinationDeliveryFailures',
        functionName: event.functionName,
        message: `the record of event ${event.requestId} could not be delivered to ${destinationArn}: ${failure}`,
      });
    }
    return failure === undefined;
  }

  private forget(event: PendingEvent): void {
    const timer = this.timers.get(event.requestId);
    if (timer) clearTimeout(timer);
    this.timers.delete(event.requestId);
    if (this.events.get(event.requestId) === event) {
      this.events.delete(event.requestId);
      this.host.stateChanged();
    }
  }

  /** Drops every pending event of a deleted function. */
  dropFunction(functionName: string): void {
    this.ready.delete(functionName);
    for (const event of [...this.events.values()]) {
      if (event.functionName === functionName) this.forget(event);
    }
  }

  exportState(): PendingEvent[] {
    return this.pending().map((event) => ({ ...event }));
  }

  /** Resumes persisted events: each waits out what remains of its delay, or runs at once when overdue. */
  importState(events: PendingEvent[]): void {
    this.clearSchedule();
    this.events.clear();
    for (const event of events) this.events.set(event.requestId, { ...event });
    for (const event of this.events.values()) this.schedule(event, true);
  }

  private clearSchedule(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.clear();
  }

  close(): void {
    this.closed = true;
    this.clearSchedule();
  }
}

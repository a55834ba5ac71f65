// SQS long polls: receives that wait on a queue, answered the moment messages become visible or empty at their deadline.
import { guarded } from '../../fault.js';
import type { Queue } from './queue-store.js';
import type { ReceiveOptions, Waiter, WireMessage } from './types.js';

/** What long polling needs from the service (service.ts). */
export interface PollHost {
  now(): number;
  /** Takes up to options.max visible messages for a receive, hiding each for its visibility timeout. */
  take(queue: Queue, options: ReceiveOptions, now: number): WireMessage[];
  /** Whether the queue is still the one under its name: a timer may fire after a delete or a restore. */
  isCurrent(queue: Queue): boolean;
  /** After close() no wake-up timer is set. */
  isClosed(): boolean;
  /** Messages went to waiting polls: the state changed. */
  delivered(): void;
}

/** Hands newly visible messages to waiting long polls and keeps one timer on the next visibility deadline. */
export function settle(host: PollHost, queue: Queue): void {
  if (queue.waiters.length > 0) {
    const now = host.now();
    queue.promoteDue(now);
    let delivered = false;
    while (queue.waiters.length > 0 && queue.counts.visible > 0) {
      const waiter = queue.waiters[0]!;
      const messages = host.take(queue, waiter.options, now);
      if (messages.length === 0) break;
      queue.waiters.shift();
      clearTimeout(waiter.timer);
      waiter.resolve(messages);
      delivered = true;
    }
    if (delivered) host.delivered();
  }
  scheduleWake(host, queue);
}

function scheduleWake(host: PollHost, queue: Queue): void {
  const next = queue.waiters.length > 0 && !host.isClosed() ? queue.nextDeadline() : undefined;
  if (next === undefined) {
    if (queue.wakeTimer) clearTimeout(queue.wakeTimer);
    queue.wakeTimer = undefined;
    queue.wakeAt = Infinity;
    return;
  }
  if (queue.wakeTimer && queue.wakeAt <= next) return;
  if (queue.wakeTimer) clearTimeout(queue.wakeTimer);
  queue.wakeAt = next;
  queue.wakeTimer = setTimeout(guarded('SQS queue wake-up', () => {
    queue.wakeTimer = undefined;
    queue.wakeAt = Infinity;
    if (host.isCurrent(queue)) settle(host, queue);
  }), Math.max(0, next - host.now()));
}

/** A receive that found nothing waits: settle() answers it when messages arrive, or it gets none after `waitSeconds`. */
export function addWaiter(
  host: PollHost,
  queue: Queue,
  options: ReceiveOptions,
  waitSeconds: number,
  resolve: (messages: WireMessage[]) => void,
): void {
  const waiter: Waiter = {
    options,
    resolve,
    timer: setTimeout(guarded('SQS long poll timeout', () => {
      const index = queue.waiters.indexOf(waiter);
      if (index >= 0) queue.waiters.splice(index, 1);
      waiter.resolve([]);
      scheduleWake(host, queue);
    }), waitSeconds * 1000),
  };
  queue.waiters.push(waiter);
  scheduleWake(host, queue);
}

/** Answers every pending long poll of the queue with no messages and stops its timer. */
export function endWaits(queue: Queue): void {
  for (const waiter of queue.waiters.splice(0)) {
    clearTimeout(waiter.timer);
    waiter.resolve([]);
  }
  if (queue.wakeTimer) clearTimeout(queue.wakeTimer);
  queue.wakeTimer = undefined;
  queue.wakeAt = Infinity;
}

// The SQS queue store on its own (no service, no server): the deadline heap, visibility, delays, deletes and counts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceError } from '../../src/emulator/errors.js';
import { messageIdFromHandle, receiptHandle } from '../../src/emulator/services/sqs/messages.js';
import { DeadlineHeap, Queue } from '../../src/emulator/services/sqs/queue-store.js';
import type { MessageState, StoredMessage } from '../../src/emulator/services/sqs/types.js';

const T0 = 1_700_000_000_000;
const ARN = 'arn:aws:sqs:us-east-1:000000000000:store-test';

/** A message id in the UUID shape receipt handles carry, numbered so failures are readable. */
function idOf(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function message(n: number, state: MessageState = 'visible', visibleAt = T0): StoredMessage {
  return {
    MessageId: idOf(n),
    Body: `body ${n}`,
    MD5OfBody: '',
    SenderId: '000000000000',
    SentTimestamp: T0,
    ReceiveCount: 0,
    State: state,
    VisibleAt: visibleAt,
  };
}

function newQueue(touched?: (id: string) => void): Queue {
  return new Queue({ Name: 'store-test', Attributes: {}, Tags: {}, CreatedTimestamp: 0, LastModifiedTimestamp: 0 }, touched);
}

/** Every visible message in delivery order, taken off the FIFO. */
function drain(queue: Queue): string[] {
  const taken: string[] = [];
  for (let next = queue.shiftVisible(); next; next = queue.shiftVisible()) taken.push(next.Body);
  return taken;
}

/** A receive as the service does it: the next visible message, hidden until `until`, with a fresh handle. */
function receive(queue: Queue, now: number, until: number): StoredMessage | undefined {
  const next = queue.shiftVisible();
  if (!next) return undefined;
  next.ReceiveCount++;
  next.ReceiptHandle = receiptHandle(ARN, next.MessageId, now);
  queue.hide(next, until);
  return next;
}

test('the deadline heap pops entries in deadline order, however they were pushed', () => {
  const heap = new DeadlineHeap();
  const deadlines = Array.from({ length: 500 }, (_, i) => (i * 7919) % 503);
  for (const [i, at] of deadlines.entries()) heap.push({ at, message: message(i) });
  assert.equal(heap.size, 500);
  assert.equal(heap.peek()!.at, 0);
  const popped: number[] = [];
  for (let entry = heap.pop(); entry; entry = heap.pop()) popped.push(entry.at);
  assert.deepEqual(popped, [...deadlines].sort((a, b) => a - b));
  assert.equal(heap.size, 0);
  assert.equal(heap.pop(), undefined);
  heap.push({ at: 5, message: message(1) });
  heap.clear();
  assert.equal(heap.peek(), undefined);
});

test('visible messages are delivered first in, first out, and counted', () => {
  const queue = newQueue();
  for (let i = 1; i <= 3; i++) queue.add(message(i));
  assert.deepEqual(queue.counts, { visible: 3, inflight: 0, delayed: 0 });
  assert.equal(queue.nextDeadline(), undefined);
  assert.deepEqual(drain(queue), ['body 1', 'body 2', 'body 3']);
});

test('a delayed message stays out of reach until its delay ends, then joins the FIFO', () => {
  const queue = newQueue();
  queue.add(message(1, 'delayed', T0 + 5_000));
  queue.add(message(2));
  assert.deepEqual(queue.counts, { visible: 1, inflight: 0, delayed: 1 });
  assert.equal(queue.nextDeadline(), T0 + 5_000);
  queue.promoteDue(T0 + 4_999);
  assert.equal(receive(queue, T0 + 4_999, T0 + 60_000)?.Body, 'body 2');
  assert.equal(receive(queue, T0 + 4_999, T0 + 60_000), undefined);
  queue.promoteDue(T0 + 5_000);
  assert.deepEqual(queue.counts, { visible: 1, inflight: 1, delayed: 0 });
  assert.equal(queue.nextDeadline(), T0 + 60_000);
  assert.deepEqual(drain(queue), ['body 1']);
});

test('hidden messages become visible in deadline order, not in the order they were added', () => {
  const queue = newQueue();
  const deadlines = [T0 + 3_000, T0 + 1_000, T0 + 4_000, T0 + 2_000];
  for (const [i, at] of deadlines.entries()) queue.add(message(i + 1, 'delayed', at));
  assert.equal(queue.nextDeadline(), T0 + 1_000);
  queue.promoteDue(T0 + 10_000);
  assert.deepEqual(drain(queue), ['body 2', 'body 4', 'body 1', 'body 3']);
});

test('a received message is in flight until its visibility timeout ends, then is delivered again', () => {
  const queue = newQueue();
  queue.add(message(1));
  queue.add(message(2));
  const first = receive(queue, T0, T0 + 30_000)!;
  assert.equal(first.Body, 'body 1');
  assert.equal(first.State, 'inflight');
  assert.deepEqual(queue.counts, { visible: 1, inflight: 1, delayed: 0 });
  assert.equal(queue.nextDeadline(), T0 + 30_000);

  queue.promoteDue(T0 + 29_999);
  assert.equal(first.State, 'inflight');
  queue.promoteDue(T0 + 30_000);
  assert.equal(first.State, 'visible');
  assert.deepEqual(queue.counts, { visible: 2, inflight: 0, delayed: 0 });
  // Back at the tail: the message that waited all along goes first.
  assert.deepEqual(drain(queue), ['body 2', 'body 1']);
});

test('a visibility change re-orders the deadlines: the newest one counts, the old heap entry is skipped', () => {
  const queue = newQueue();
  queue.add(message(1));
  queue.add(message(2));
  const a = receive(queue, T0, T0 + 100)!;
  const b = receive(queue, T0, T0 + 200)!;

  queue.hide(b, T0 + 50); // shortened: now due before a
  assert.equal(queue.nextDeadline(), T0 + 50);
  queue.hide(a, T0 + 300); // extended: its entry at +100 is stale
  assert.deepEqual(queue.counts, { visible: 0, inflight: 2, delayed: 0 });

  queue.promoteDue(T0 + 60);
  assert.equal(b.State, 'visible');
  assert.equal(a.State, 'inflight');
  queue.promoteDue(T0 + 150);
  assert.equal(a.State, 'inflight', 'the stale +100 entry must not release a');
  assert.equal(queue.nextDeadline(), T0 + 300);
  queue.promoteDue(T0 + 300);
  assert.deepEqual(drain(queue), ['body 2', 'body 1']);

  // A timeout of 0 shows the message at once, behind what is visible already.
  queue.add(message(3));
  const c = receive(queue, T0, T0 + 1_000)!;
  queue.add(message(4));
  queue.show(c);
  assert.equal(queue.nextDeadline(), undefined, 'the shown message leaves no live deadline behind');
  assert.deepEqual(drain(queue), ['body 4', 'body 3']);
});

test('delete by receipt handle: the handle names the message, and removing it drops it from every index', () => {
  const queue = newQueue();
  for (let i = 1; i <= 3; i++) queue.add(message(i));
  const received = receive(queue, T0, T0 + 30_000)!;
  const handle = received.ReceiptHandle!;
  assert.equal(messageIdFromHandle(handle), received.MessageId);

  const found = queue.messages.get(messageIdFromHandle(handle))!;
  assert.equal(found, received);
  queue.remove(found);
  assert.equal(queue.messages.has(received.MessageId), false);
  assert.deepEqual(queue.counts, { visible: 2, inflight: 0, delayed: 0 });
  // Its heap entry is stale now: past the deadline nothing comes back.
  assert.equal(queue.nextDeadline(), undefined);
  queue.promoteDue(T0 + 60_000);
  queue.remove(found); // a second delete is a no-op
  assert.deepEqual(queue.counts, { visible: 2, inflight: 0, delayed: 0 });

  // A visible message removed before delivery is skipped by the FIFO.
  queue.remove(queue.messages.get(idOf(2))!);
  assert.deepEqual(drain(queue), ['body 3']);

  assert.throws(
    () => messageIdFromHandle(Buffer.from('not a handle').toString('base64')),
    (error: unknown) => error instanceof ServiceError && error.code === 'ReceiptHandleIsInvalid',
  );
});

test('each receive makes a new handle for the same message', () => {
  const queue = newQueue();
  queue.add(message(1));
  const first = receive(queue, T0, T0 + 10)!.ReceiptHandle!;
  queue.promoteDue(T0 + 10);
  const second = receive(queue, T0 + 10, T0 + 20)!.ReceiptHandle!;
  assert.notEqual(first, second);
  assert.equal(messageIdFromHandle(first), messageIdFromHandle(second));
});

test('every change is reported to the journal by message id', () => {
  const touched: string[] = [];
  const queue = newQueue((id) => touched.push(id));
  const m = message(1);
  queue.add(m);
  queue.hide(m, T0 + 10);
  queue.show(m);
  queue.remove(m);
  queue.add(message(2));
  queue.add(message(3, 'delayed', T0 + 10));
  queue.clearMessages();
  assert.deepEqual(touched, [idOf(1), idOf(1), idOf(1), idOf(1), idOf(2), idOf(3), idOf(2), idOf(3)]);
  assert.deepEqual(queue.counts, { visible: 0, inflight: 0, delayed: 0 });
  assert.equal(queue.messages.size, 0);
  assert.equal(queue.shiftVisible(), undefined);
  assert.equal(queue.nextDeadline(), undefined);
});

test('orderedMessages lists the visible ones in delivery order, then the hidden ones', () => {
  const queue = newQueue();
  queue.add(message(1));
  queue.add(message(2, 'delayed', T0 + 1_000));
  queue.add(message(3));
  queue.add(message(4));
  receive(queue, T0, T0 + 1_000); // 1 goes in flight
  assert.deepEqual(
    queue.orderedMessages().map((m) => m.Body),
    ['body 3', 'body 4', 'body 1', 'body 2'],
  );
});

test('a queue attribute falls back to the SQS default', () => {
  const queue = new Queue({ Name: 'q', Attributes: { VisibilityTimeout: '45' }, Tags: {}, CreatedTimestamp: 0, LastModifiedTimestamp: 0 });
  assert.equal(queue.attribute('VisibilityTimeout'), 45);
  assert.equal(queue.attribute('DelaySeconds'), 0);
  assert.equal(queue.attribute('MaximumMessageSize'), 1_048_576);
});

test('large counts: 100,000 messages keep FIFO order, deadline order and bounded heap memory', () => {
  const queue = newQueue();
  const count = 100_000;
  for (let i = 0; i < count; i++) queue.add(message(i));
  assert.equal(queue.counts.visible, count);

  // Receive them all with deadlines in a scrambled order, then delete nine in ten while in flight.
  for (let i = 0; i < count; i++) {
    const next = receive(queue, T0, T0 + 1 + ((i * 7919) % count))!;
    assert.equal(next.Body, `body ${i}`);
  }
  assert.deepEqual(queue.counts, { visible: 0, inflight: count, delayed: 0 });
  for (let i = 0; i < count; i++) if (i % 10 !== 0) queue.remove(queue.messages.get(idOf(i))!);
  assert.deepEqual(queue.counts, { visible: 0, inflight: count / 10, delayed: 0 });
  const heapSize = (queue as unknown as { deadlines: DeadlineHeap }).deadlines.size;
  assert.ok(heapSize <= 2 * (count / 10) + 1024, `heap kept ${heapSize} entries for ${count / 10} live messages`);

  // The survivors come back in deadline order.
  queue.promoteDue(T0 + count + 1);
  const expected = Array.from({ length: count / 10 }, (_, k) => k * 10)
    .sort((a, b) => ((a * 7919) % count) - ((b * 7919) % count))
    .map((i) => `body ${i}`);
  assert.deepEqual(queue.counts, { visible: count / 10, inflight: 0, delayed: 0 });
  assert.deepEqual(drain(queue), expected);
});

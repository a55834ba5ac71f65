// One queue's message store: the visible FIFO, the deadline heap of delayed and in-flight messages, and their counts.
import { DEFAULT_QUEUE_ATTRIBUTES } from './rules.js';
import type { MessageState, QueueRecord, StoredMessage, Waiter } from './types.js';

// A queue's runtime indexes. Visible messages wait in a FIFO array with a moving head; delayed and in-flight
// messages sit in a min-heap keyed by the time they become visible. Receiving n messages therefore costs
// O(n + newly due), whatever the queue's size. Heap and FIFO entries go stale when a message is deleted or its
// deadline moves; they are recognised and skipped on the way out instead of being searched for.

interface Deadline {
  at: number;
  message: StoredMessage;
}

export class DeadlineHeap {
  private items: Deadline[] = [];

  get size(): number {
    return this.items.length;
  }

  push(entry: Deadline): void {
    const items = this.items;
    items.push(entry);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.at <= entry.at) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = entry;
  }

  peek(): Deadline | undefined {
    return this.items[0];
  }

  pop(): Deadline | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.at < items[left]!.at ? right : left;
      if (items[child]!.at >= last.at) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = last;
    return top;
  }

  clear(): void {
    this.items = [];
  }
}

export class Queue {
  readonly messages = new Map<string, StoredMessage>();
  readonly counts: Record<MessageState, number> = { visible: 0, inflight: 0, delayed: 0 };
  readonly waiters: Waiter[] = [];
  wakeTimer: NodeJS.Timeout | undefined;
  wakeAt = Infinity;
  private ready: Array<StoredMessage | undefined> = [];
  private readyHead = 0;
  private readonly deadlines = new DeadlineHeap();

  /** `touched` hears of every message added, removed or changed, by id: what the journal writes (persistence.ts). */
  constructor(
    readonly record: QueueRecord,
    private readonly touched: (messageId: string) => void = () => {},
  ) {}

  get name(): string {
    return this.record.Name;
  }

  attribute(name: string): number {
    return Number(this.record.Attributes[name] ?? DEFAULT_QUEUE_ATTRIBUTES[name]);
  }

  /** Adds a message in its current State (visible messages join the FIFO tail, others wait on their deadline). */
  add(message: StoredMessage): void {
    this.touched(message.MessageId);
    this.messages.set(message.MessageId, message);
    this.counts[message.State]++;
    if (message.State === 'visible') this.ready.push(message);
    else this.deadlines.push({ at: message.VisibleAt, message });
  }

  remove(message: StoredMessage): void {
    if (this.messages.get(message.MessageId) !== message) return;
    this.touched(message.MessageId);
    this.messages.delete(message.MessageId);
    this.counts[message.State]--;
    this.compactDeadlines();
  }

  /** Hides a message until `until` (a receive or a visibility change). */
  hide(message: StoredMessage, until: number): void {
    this.touched(message.MessageId);
    this.counts[message.State]--;
    message.State = 'inflight';
    this.counts.inflight++;
    message.VisibleAt = until;
    this.deadlines.push({ at: until, message });
    this.compactDeadlines();
  }

  // Messages deleted in flight leave their heap entry behind until its deadline; rebuilding once stale entries
  // outnumber live ones keeps the heap's memory proportional to the queue at O(1) amortised cost.
  private compactDeadlines(): void {
    const size = this.deadlines.size;
    if (size <= 1024 || size <= 2 * (this.counts.inflight + this.counts.delayed) || size <= this.messages.size / 2) return;
    this.deadlines.clear();
    for (const message of this.messages.values()) {
      if (message.State !== 'visible') this.deadlines.push({ at: message.VisibleAt, message });
    }
  }

  show(message: StoredMessage): void {
    this.touched(message.MessageId);
    this.counts[message.State]--;
    message.State = 'visible';
    this.counts.visible++;
    this.ready.push(message);
  }

  private isLive(message: StoredMessage): boolean {
    return this.messages.get(message.MessageId) === message;
  }

  /** Delayed messages whose delay ended and in-flight messages whose visibility timeout ended become visible. */
  promoteDue(now: number): void {
    for (let top = this.deadlines.peek(); top && top.at <= now; top = this.deadlines.peek()) {
      this.deadlines.pop();
      const message = top.message;
      if (this.isLive(message) && message.State !== 'visible' && message.VisibleAt === top.at) this.show(message);
    }
  }

  /** The next time a hidden message becomes visible, skipping stale heap entries. */
  nextDeadline(): number | undefined {
    for (let top = this.deadlines.peek(); top; top = this.deadlines.peek()) {
      const message = top.message;
      if (this.isLive(message) && message.State !== 'visible' && message.VisibleAt === top.at) return top.at;
      this.deadlines.pop();
    }
    return undefined;
  }

  shiftVisible(): StoredMessage | undefined {
    while (this.readyHead < this.ready.length) {
      const message = this.ready[this.readyHead];
      this.ready[this.readyHead] = undefined;
      this.readyHead++;
      if (message && this.isLive(message) && message.State === 'visible') {
        this.compact();
        return message;
      }
    }
    this.ready = [];
    this.readyHead = 0;
    return undefined;
  }

  private compact(): void {
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  /** Visible messages in delivery order, then the hidden ones: the order exportState writes them in. */
  orderedMessages(): StoredMessage[] {
    const visible: StoredMessage[] = [];
    for (let i = this.readyHead; i < this.ready.length; i++) {
      const message = this.ready[i];
      if (message && this.isLive(message) && message.State === 'visible') visible.push(message);
    }
    const hidden = [...this.messages.values()].filter((message) => message.State !== 'visible');
    return [...visible, ...hidden];
  }

  clearMessages(): void {
    for (const id of this.messages.keys()) this.touched(id);
    this.messages.clear();
    this.ready = [];
    this.readyHead = 0;
    this.deadlines.clear();
    this.counts.visible = this.counts.inflight = this.counts.delayed = 0;
  }
}

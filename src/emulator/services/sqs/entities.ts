// SQS as the journal stores it (persistence.ts): one entity per queue record and one per message, and their keys.
import type { Queue } from './queue-store.js';
import type { QueueRecord, SqsState, StoredMessage } from './types.js';

// `q<NUL><queue>` holds a queue's record, `m<NUL><queue><NUL><id>` one message.
const KEY_PART = '\u0000';
export const queueKey = (name: string) => `q${KEY_PART}${name}`;
export const messageKey = (name: string, id: string) => `m${KEY_PART}${name}${KEY_PART}${id}`;

/** Every queue's record, then its messages in the order exportState writes them. */
export function queueEntities(queues: Iterable<Queue>): Array<[string, unknown]> {
  const entities: Array<[string, unknown]> = [];
  for (const queue of queues) {
    entities.push([queueKey(queue.name), queue.record]);
    for (const message of queue.orderedMessages()) entities.push([messageKey(queue.name, message.MessageId), message]);
  }
  return entities;
}

/** The live value behind a key: a queue's record or one of its messages, or undefined once gone. */
export function entityOf(queues: ReadonlyMap<string, Queue>, key: string): unknown {
  const [kind, name, id] = key.split(KEY_PART);
  const queue = queues.get(name ?? '');
  if (kind === 'q') return queue?.record;
  return id === undefined ? undefined : queue?.messages.get(id);
}

/** The entities read back, as the state importState takes: messages under their queue, in the order read. */
export function stateFromEntities(entities: Map<string, unknown>): SqsState {
  const queues: SqsState['queues'] = [];
  const byName = new Map<string, SqsState['queues'][number]>();
  for (const [key, value] of entities) {
    const [kind, name] = key.split(KEY_PART);
    if (kind !== 'q' || name === undefined) continue;
    const queue = { ...(value as QueueRecord), Messages: [] };
    byName.set(name, queue);
    queues.push(queue);
  }
  for (const [key, value] of entities) {
    const [kind, name] = key.split(KEY_PART);
    if (kind === 'm') byName.get(name ?? '')?.Messages.push(value as StoredMessage);
  }
  return { queues };
}

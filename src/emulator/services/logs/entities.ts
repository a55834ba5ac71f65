// CloudWatch Logs as the journal stores it (persistence.ts): one entity per group, per stream and per event, and their keys.
import type { LogsState, StoredEvent, StoredGroup, StoredStream } from './types.js';

// `g<NUL><group>` a group without its streams, `s<NUL><group><NUL><stream>` a stream without its events,
// `e<NUL><group><NUL><stream><NUL><seq>` one event.
const KEY_PART = '\u0000';
export const groupKey = (group: string) => `g${KEY_PART}${group}`;
export const streamKey = (group: string, stream: string) => `s${KEY_PART}${group}${KEY_PART}${stream}`;
export const eventKey = (group: string, stream: string, seq: number) => `e${KEY_PART}${group}${KEY_PART}${stream}${KEY_PART}${seq}`;

function groupRecord(group: StoredGroup): Omit<StoredGroup, 'streams'> {
  const { streams: _streams, ...record } = group;
  return record;
}

function streamRecord(stream: StoredStream): Omit<StoredStream, 'events'> {
  const { events: _events, ...record } = stream;
  return record;
}

/** Every group, then each of its streams followed by that stream's events. */
export function logEntities(groups: Iterable<StoredGroup>): Array<[string, unknown]> {
  const entities: Array<[string, unknown]> = [];
  for (const group of groups) {
    entities.push([groupKey(group.name), groupRecord(group)]);
    for (const stream of group.streams.values()) {
      entities.push([streamKey(group.name, stream.name), streamRecord(stream)]);
      for (const event of stream.events) entities.push([eventKey(group.name, stream.name, event.seq), event]);
    }
  }
  return entities;
}

/** The live value behind a group or stream key, or undefined once gone. */
export function entityOf(groups: ReadonlyMap<string, StoredGroup>, key: string): unknown {
  const [kind, groupName, streamName] = key.split(KEY_PART);
  const group = groups.get(groupName ?? '');
  if (kind === 'g') return group && groupRecord(group);
  const stream = group?.streams.get(streamName ?? '');
  if (kind === 's') return stream && streamRecord(stream);
  return undefined; // events are always touched with their value (store, forgetStream, expire)
}

/** The entities read back, as the state importState takes: streams under their group, events under their stream. */
export function stateFromEntities(entities: Map<string, unknown>): LogsState {
  const groups = new Map<string, LogsState['groups'][number]>();
  const streams = new Map<string, StoredStream>();
  for (const [key, value] of entities) {
    const [kind, groupName] = key.split(KEY_PART);
    if (kind === 'g') groups.set(groupName!, { ...(value as Omit<StoredGroup, 'streams'>), streams: [] });
  }
  for (const [key, value] of entities) {
    const [kind, groupName, streamName] = key.split(KEY_PART);
    if (kind !== 's') continue;
    const stream = { ...(value as StoredStream), events: [] };
    groups.get(groupName!)?.streams.push(stream);
    streams.set(`${groupName}${KEY_PART}${streamName}`, stream);
  }
  for (const [key, value] of entities) {
    const [kind, groupName, streamName] = key.split(KEY_PART);
    if (kind === 'e') streams.get(`${groupName}${KEY_PART}${streamName}`)?.events.push(value as StoredEvent);
  }
  return { nextSeq: 1, groups: [...groups.values()] };
}

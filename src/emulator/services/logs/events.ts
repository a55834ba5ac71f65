// Reading a stream's sorted events: the (timestamp, seq) key, binary searches, 56-digit event ids and the paging tokens.
import { invalidToken } from './rules.js';
import type { StoredEvent } from './types.js';

/** A position between events: everything at or before (timestamp, seq) lies behind it. */
export interface EventKey {
  timestamp: number;
  seq: number;
}

export const KEY_BEFORE_ALL: EventKey = { timestamp: 0, seq: 0 };
export const KEY_AFTER_ALL: EventKey = { timestamp: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };

export function compareKeys(a: EventKey, b: EventKey): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

/** First index whose event satisfies `isAtOrAfter`; the events are sorted, so the predicate flips once. */
function searchEvents(events: StoredEvent[], isAtOrAfter: (event: StoredEvent) => boolean): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isAtOrAfter(events[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

export const firstAtOrAfterTime = (events: StoredEvent[], time: number) => searchEvents(events, (e) => e.timestamp >= time);
export const firstAfterTime = (events: StoredEvent[], time: number) => searchEvents(events, (e) => e.timestamp > time);
export const firstAfterKey = (events: StoredEvent[], key: EventKey) => searchEvents(events, (e) => compareKeys(e, key) > 0);
export const firstAtOrAfterKey = (events: StoredEvent[], key: EventKey) => searchEvents(events, (e) => compareKeys(e, key) >= 0);

// AWS event ids and GetLogEvents tokens are 56-digit strings; these carry the sort key so they survive restarts.
export function digitsOf(key: EventKey): string {
  return String(key.timestamp).padStart(20, '0') + String(key.seq).padStart(36, '0');
}

function keyFromDigits(digits: string): EventKey {
  return { timestamp: Number(digits.slice(0, 20)), seq: Number(digits.slice(20)) };
}

/** GetLogEvents: "f/<key>" reads events after the key, "b/<key>" events before it (AWS's tokens look the same). */
export function parseStreamToken(token: string): { direction: 'f' | 'b'; key: EventKey } {
  const match = /^([fb])\/(\d{56})$/.exec(token);
  if (!match) throw invalidToken();
  return { direction: match[1] as 'f' | 'b', key: keyFromDigits(match[2]!) };
}

/** FilterLogEvents: the key of the last event returned; continuing reads what sorts after it, new arrivals included. */
export function filterToken(key: EventKey): string {
  return Buffer.from(`lad1:${digitsOf(key)}`).toString('base64url');
}

export function parseFilterToken(token: string): EventKey {
  const match = /^lad1:(\d{56})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalidToken();
  return keyFromDigits(match[1]!);
}

export function offsetToken(offset: number): string {
  return Buffer.from(`lad1:offset:${offset}`).toString('base64url');
}

export function parseOffsetToken(token: string): number {
  const match = /^lad1:offset:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalidToken();
  return Number(match[1]);
}

/** DescribeLogGroups: the last name of the page; the next page starts after it. */
export function nameToken(name: string): string {
  return Buffer.from(`lad1:name:${name}`).toString('base64url');
}

export function parseNameToken(token: string): string {
  const match = /^lad1:name:(.+)$/s.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalidToken();
  return match[1]!;
}

// CloudWatch Logs: log groups, streams and their events, served as Logs_20140328.<Op> and written to by Lambda.
import type {
  CreateLogGroupRequest,
  CreateLogStreamRequest,
  DeleteLogGroupRequest,
  DeleteLogStreamRequest,
  DeleteRetentionPolicyRequest,
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  FilteredLogEvent,
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  LogGroup,
  LogStream,
  PutLogEventsRequest,
  PutLogEventsResponse,
  PutRetentionPolicyRequest,
  RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import type { EmulatorContext, EntityState, Service } from '../context.js';
import { ServiceError } from '../errors.js';
import { compileFilterPattern, FilterPatternError, type MessageMatcher } from './filter-pattern.js';
import { type IntegerRule, optionalInteger, optionalString, requiredString, type StringErrors } from './validation.js';

/** docs/aws-semantics.md §4: the only values PutRetentionPolicy accepts. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const LOG_STREAM_NAME = /^[^:*]*$/;
const MAX_NAME_LENGTH = 512;
const MAX_EVENTS_PER_PAGE = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;
// PutLogEvents: events more than 2 hours ahead or 14 days behind are rejected while the rest are stored.
const TOO_NEW_MS = 2 * 60 * 60 * 1000;
const TOO_OLD_MS = 14 * DAY_MS;

interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Ingestion order across the whole service: the tie-breaker after the timestamp, and the eventId's tail. */
  seq: number;
}

interface StoredStream {
  name: string;
  creationTime: number;
  lastIngestionTime?: number;
  /** Sorted by (timestamp, seq), so time windows and cursors are binary searches. */
  events: StoredEvent[];
}

interface StoredGroup {
  name: string;
  creationTime: number;
  retentionInDays?: number;
  tags: Record<string, string>;
  kmsKeyId?: string;
  logGroupClass: string;
  deletionProtectionEnabled: boolean;
  streams: Map<string, StoredStream>;
}

const KEY_PART = '\u0000';
const groupKey = (group: string) => `g${KEY_PART}${group}`;
const streamKey = (group: string, stream: string) => `s${KEY_PART}${group}${KEY_PART}${stream}`;
const eventKey = (group: string, stream: string, seq: number) => `e${KEY_PART}${group}${KEY_PART}${stream}${KEY_PART}${seq}`;

function groupRecord(group: StoredGroup): Omit<StoredGroup, 'streams'> {
  const { streams: _streams, ...record } = group;
  return record;
}

function streamRecord(stream: StoredStream): Omit<StoredStream, 'events'> {
  const { events: _events, ...record } = stream;
  return record;
}

interface LogsState {
  nextSeq: number;
  groups: Array<Omit<StoredGroup, 'streams'> & { streams: StoredStream[] }>;
}

/** A position between events: everything at or before (timestamp, seq) lies behind it. */
interface EventKey {
  timestamp: number;
  seq: number;
}

const KEY_BEFORE_ALL: EventKey = { timestamp: 0, seq: 0 };
const KEY_AFTER_ALL: EventKey = { timestamp: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };

function compareKeys(a: EventKey, b: EventKey): number {
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

const firstAtOrAfterTime = (events: StoredEvent[], time: number) => searchEvents(events, (e) => e.timestamp >= time);
const firstAfterTime = (events: StoredEvent[], time: number) => searchEvents(events, (e) => e.timestamp > time);
const firstAfterKey = (events: StoredEvent[], key: EventKey) => searchEvents(events, (e) => compareKeys(e, key) > 0);
const firstAtOrAfterKey = (events: StoredEvent[], key: EventKey) => searchEvents(events, (e) => compareKeys(e, key) >= 0);

// AWS event ids and GetLogEvents tokens are 56-digit strings; these carry the sort key so they survive restarts.
function digitsOf(key: EventKey): string {
  return String(key.timestamp).padStart(20, '0') + String(key.seq).padStart(36, '0');
}

function keyFromDigits(digits: string): EventKey {
  return { timestamp: Number(digits.slice(0, 20)), seq: Number(digits.slice(20)) };
}

function invalidToken(): ServiceError {
  // docs/aws-semantics.md §4 (LS-validated test_get_log_events_invalid_token)
  return new ServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
}

/** GetLogEvents: "f/<key>" reads events after the key, "b/<key>" events before it (AWS's tokens look the same). */
function parseStreamToken(token: string): { direction: 'f' | 'b'; key: EventKey } {
  const match = /^([fb])\/(\d{56})$/.exec(token);
  if (!match) throw invalidToken();
  return { direction: match[1] as 'f' | 'b', key: keyFromDigits(match[2]!) };
}

/** FilterLogEvents: the key of the last event returned; continuing reads what sorts after it, new arrivals included. */
function filterToken(key: EventKey): string {
  return Buffer.from(`lad1:${digitsOf(key)}`).toString('base64url');
}

function parseFilterToken(token: string): EventKey {
  const match = /^lad1:(\d{56})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalidToken();
  return keyFromDigits(match[1]!);
}

function offsetToken(offset: number): string {
  return Buffer.from(`lad1:offset:${offset}`).toString('base64url');
}

function parseOffsetToken(token: string): number {
  const match = /^lad1:offset:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalidToken();
  return Number(match[1]);
}

// ---------------------------------------------------------------- request validation, in AWS's wording

// CloudWatch Logs reports constraint failures as InvalidParameterException with the generic validation text
// (docs/aws-semantics.md §4: "1 validation error detected: Value '10001' at 'limit' ...", LS-validated).
function constraintError(value: unknown, field: string, constraint: string): ServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}'`;
  return new ServiceError(
    'InvalidParameterException',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

function typeError(field: string, expected: string): ServiceError {
  return new ServiceError('SerializationException', `The value of '${field}' must be ${expected}.`);
}

type Input = Record<string, unknown>;

/** The SDK types say what a well-behaved client sends; the wire may carry anything, so every field is checked. */
function fieldsOf(input: object | undefined): Input {
  return (input ?? {}) as unknown as Input;
}

/** How CloudWatch Logs answers a string field that is missing or of another type. */
const LOGS_STRING: StringErrors = {
  missing: (field) => constraintError(undefined, field, 'Member must not be null'),
  notString: (_value, field) => typeError(field, 'a string'),
};

/** CloudWatch Logs takes integers as JSON numbers only; ranges are checked by each caller, in its own words. */
const LOGS_INTEGER: IntegerRule = { invalid: (_value, field) => typeError(field, 'an integer') };

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw typeError(field, 'a boolean');
  return value;
}

function optionalTimestamp(value: unknown, field: string): number | undefined {
  const time = optionalInteger(value, field, LOGS_INTEGER);
  if (time !== undefined && time < 0) throw constraintError(time, field, 'Member must have value greater than or equal to 0');
  return time;
}

function limitOf(input: Input, max: number, fallback: number): number {
  const limit = optionalInteger(input.limit, 'limit', LOGS_INTEGER);
  if (limit === undefined) return fallback;
  if (limit < 1) throw constraintError(limit, 'limit', 'Member must have value greater than or equal to 1');
  if (limit > max) throw constraintError(limit, 'limit', `Member must have value less than or equal to ${max}`);
  return limit;
}

function checkName(name: string, field: string, pattern: RegExp, patternText: string): string {
  if (name.length > MAX_NAME_LENGTH) {
    // LS-validated test_create_log_group_invalid_name_length
    throw new ServiceError('InvalidParameterException', 'Invalid LogGroup or LogStream, both must have length less than or equal to 512.');
  }
  if (name.length < 1) throw constraintError(name, field, 'Member must have length greater than or equal to 1');
  if (!pattern.test(name)) {
    throw constraintError(name, field, `Member must satisfy regular expression pattern: ${patternText}`);
  }
  return name;
}

const checkGroupName = (name: string, field = 'logGroupName') =>
  checkName(name, field, LOG_GROUP_NAME, '[\\.\\-_/#A-Za-z0-9]+');
const checkStreamName = (name: string, field = 'logStreamName') => checkName(name, field, LOG_STREAM_NAME, '[^:*]*');

function checkRetention(days: number | undefined): number {
  if (days === undefined) throw constraintError(undefined, 'retentionInDays', 'Member must not be null');
  if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
    throw constraintError(days, 'retentionInDays', `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
  }
  return days;
}

function groupNotFound(): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
}

function streamNotFound(): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
}

// ---------------------------------------------------------------- the service

export class LogsService implements Service, EntityState {
  private groups = new Map<string, StoredGroup>();
  private nextSeq = 1;

  private readonly retentionSweep: NodeJS.Timeout;

  constructor(protected readonly ctx: EmulatorContext) {
    this.retentionSweep = setInterval(() => this.expire(this.ctx.now()), 60_000);
    this.retentionSweep.unref();
  }

  readonly operations = {
    CreateLogGroup: (input: CreateLogGroupRequest) => {
      const raw = fieldsOf(input);
      const name = checkGroupName(requiredString(raw.logGroupName, 'logGroupName', LOGS_STRING));
      const logGroupClass = optionalString(raw.logGroupClass, 'logGroupClass', LOGS_STRING);
      if (logGroupClass !== undefined && !['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'].includes(logGroupClass)) {
        throw constraintError(logGroupClass, 'logGroupClass', 'Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]');
      }
      this.addGroup(name, {
        tags: this.tagsOf(raw.tags),
        kmsKeyId: optionalString(raw.kmsKeyId, 'kmsKeyId', LOGS_STRING),
        logGroupClass,
        deletionProtectionEnabled: optionalBoolean(raw.deletionProtectionEnabled, 'deletionProtectionEnabled'),
      });
      return {};
    },

    DeleteLogGroup: (input: DeleteLogGroupRequest) => {
      this.deleteLogGroup(checkGroupName(requiredString(fieldsOf(input).logGroupName, 'logGroupName', LOGS_STRING)));
      return {};
    },

    DescribeLogGroups: (input: DescribeLogGroupsRequest): DescribeLogGroupsResponse => this.describeLogGroups(fieldsOf(input)),

    CreateLogStream: (input: CreateLogStreamRequest) => {
      const raw = fieldsOf(input);
      const group = this.requireGroup(checkGroupName(requiredString(raw.logGroupName, 'logGroupName', LOGS_STRING)));
      const name = checkStreamName(requiredString(raw.logStreamName, 'logStreamName', LOGS_STRING));
      if (group.streams.has(name)) {
        // LS-validated test_create_log_stream_duplicate_error: no trailing period, like the group's message.
        throw new ServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      }
      group.streams.set(name, { name, creationTime: this.ctx.now(), events: [] });
      this.touchStream(group, name);
      this.ctx.stateChanged('acknowledged', 'logs');
      return {};
    },

    DeleteLogStream: (input: DeleteLogStreamRequest) => {
      const raw = fieldsOf(input);
      const group = this.requireGroup(checkGroupName(requiredString(raw.logGroupName, 'logGroupName', LOGS_STRING)));
      const name = checkStreamName(requiredString(raw.logStreamName, 'logStreamName', LOGS_STRING));
      const stream = group.streams.get(name);
      if (!stream) throw streamNotFound();
      this.forgetStream(group, stream);
      this.ctx.stateChanged('acknowledged', 'logs');
      return {};
    },

    DescribeLogStreams: (input: DescribeLogStreamsRequest): DescribeLogStreamsResponse => this.describeLogStreams(fieldsOf(input)),

    PutLogEvents: (input: PutLogEventsRequest): PutLogEventsResponse => this.putLogEvents(fieldsOf(input)),

    GetLogEvents: (input: GetLogEventsRequest): GetLogEventsResponse => this.getLogEvents(fieldsOf(input)),

    FilterLogEvents: (input: FilterLogEventsRequest): FilterLogEventsResponse => this.filterLogEvents(fieldsOf(input)),

    PutRetentionPolicy: (input: PutRetentionPolicyRequest) => {
      const raw = fieldsOf(input);
      const name = requiredString(raw.logGroupName, 'logGroupName', LOGS_STRING);
      this.putRetentionPolicy(name, optionalInteger(raw.retentionInDays, 'retentionInDays', LOGS_INTEGER) as number);
      return {};
    },

    DeleteRetentionPolicy: (input: DeleteRetentionPolicyRequest) => {
      const group = this.requireGroup(checkGroupName(requiredString(fieldsOf(input).logGroupName, 'logGroupName', LOGS_STRING)));
      delete group.retentionInDays;
      this.touchGroup(group);
      this.ctx.stateChanged('acknowledged', 'logs');
      return {};
    },
  };

  // ---------------------------------------------------------------- internal API, for sibling services (context.ts)

  createLogGroup(name: string, options: { retentionInDays?: number; tags?: Record<string, string> } = {}): { arn: string } {
    checkGroupName(name);
    if (options.retentionInDays !== undefined) checkRetention(options.retentionInDays);
    const group = this.addGroup(name, { tags: options.tags ?? {}, retentionInDays: options.retentionInDays });
    // The ARN CloudFormation's GetAtt Arn reports ends in :* (docs/aws-semantics.md §3).
    return { arn: `${this.groupArn(group.name)}:*` };
  }

  deleteLogGroup(name: string): void {
    const group = this.groups.get(name);
    if (!group) throw groupNotFound();
    for (const stream of [...group.streams.values()]) this.forgetStream(group, stream);
    this.groups.delete(name);
    this.touchGroup(group);
    this.ctx.stateChanged('acknowledged', 'logs');
  }

  hasLogGroup(name: string): boolean {
    return this.groups.has(name);
  }

  putRetentionPolicy(name: string, retentionInDays: number): void {
    checkGroupName(name);
    const days = checkRetention(retentionInDays);
    const group = this.requireGroup(name);
    group.retentionInDays = days;
    this.touchGroup(group);
    this.expire(this.ctx.now());
    this.ctx.stateChanged('acknowledged', 'logs');
  }

  /** Lambda's writer: like the real service, the first write creates the group and the stream. */
  appendLogEvents(groupName: string, streamName: string, events: Array<{ timestamp: number; message: string }>): void {
    const now = this.ctx.now();
    let group = this.groups.get(groupName);
    if (!group) group = this.addGroup(groupName, { tags: {} });
    let stream = group.streams.get(streamName);
    if (!stream) {
      stream = { name: streamName, creationTime: now, events: [] };
      group.streams.set(streamName, stream);
    }
    for (const event of events) this.store(group, stream, event, now);
    if (events.length > 0) stream.lastIngestionTime = now;
    this.touchStream(group, stream.name);
    // A function's log lines: no response acknowledges them (on AWS they arrive seconds later), so a sync Invoke does
    // not wait for them to be written (persistence.ts, DEFAULT_BACKGROUND_SAVE_MS).
    this.ctx.stateChanged('background', 'logs');
  }

  // ---------------------------------------------------------------- persistence

  // Persisted entity by entity (persistence.ts): `g<NUL><group>` a group without its streams, `s<NUL><group><NUL>
  // <stream>` a stream without its events, `e<NUL><group><NUL><stream><NUL><seq>` one event, so a log line costs one
  // journal line however long the log.
  exportEntities(): Array<[string, unknown]> {
    const entities: Array<[string, unknown]> = [];
    for (const group of this.groups.values()) {
      entities.push([groupKey(group.name), groupRecord(group)]);
      for (const stream of group.streams.values()) {
        entities.push([streamKey(group.name, stream.name), streamRecord(stream)]);
        for (const event of stream.events) entities.push([eventKey(group.name, stream.name, event.seq), event]);
      }
    }
    return entities;
  }

  entity(key: string): unknown {
    const [kind, groupName, streamName] = key.split(KEY_PART);
    const group = this.groups.get(groupName ?? '');
    if (kind === 'g') return group && groupRecord(group);
    const stream = group?.streams.get(streamName ?? '');
    if (kind === 's') return stream && streamRecord(stream);
    return undefined; // events are always touched with their value (store, forgetStream, expire)
  }

  importEntities(entities: Map<string, unknown>): void {
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
    this.importState({ nextSeq: 1, groups: [...groups.values()] });
    this.expire(this.ctx.now());
  }

  /**
   * Retention: events older than their group's RetentionInDays go, from memory and from disk. CloudWatch Logs deletes
   * them in the background some time after they expire; here they go at the next sweep (every minute, and at start).
   * UNVERIFIED(§4): whether AWS measures the age from the event's timestamp or its ingestion time; this uses the
   * timestamp.
   */
  expire(now: number): void {
    let expired = 0;
    for (const group of this.groups.values()) {
      if (group.retentionInDays === undefined) continue;
      const cutoff = now - group.retentionInDays * DAY_MS;
      for (const stream of group.streams.values()) {
        const count = firstAtOrAfterTime(stream.events, cutoff);
        if (count === 0) continue;
        for (const event of stream.events.slice(0, count)) this.ctx.touch('logs', eventKey(group.name, stream.name, event.seq), () => undefined);
        stream.events.splice(0, count);
        expired += count;
      }
    }
    if (expired > 0) this.ctx.stateChanged('background', 'logs');
  }

  private touchGroup(group: StoredGroup): void {
    this.ctx.touch('logs', groupKey(group.name));
  }

  private touchStream(group: StoredGroup, streamName: string): void {
    this.ctx.touch('logs', streamKey(group.name, streamName));
  }

  /** Removes a stream and marks it and each of its events gone. */
  private forgetStream(group: StoredGroup, stream: StoredStream): void {
    for (const event of stream.events) this.ctx.touch('logs', eventKey(group.name, stream.name, event.seq), () => undefined);
    group.streams.delete(stream.name);
    this.touchStream(group, stream.name);
  }

  exportState(): LogsState {
    return {
      nextSeq: this.nextSeq,
      groups: [...this.groups.values()].map((group) => ({
        ...group,
        tags: { ...group.tags },
        streams: [...group.streams.values()].map((stream) => ({ ...stream, events: stream.events.slice() })),
      })),
    };
  }

  importState(state: unknown): void {
    this.groups = new Map();
    this.nextSeq = 1;
    const saved = state as Partial<LogsState> | undefined;
    if (!saved || !Array.isArray(saved.groups)) return;
    let highestSeq = 0;
    for (const group of saved.groups) {
      const streams = new Map<string, StoredStream>();
      for (const stream of group.streams ?? []) {
        const events = (stream.events ?? []).slice().sort(compareKeys);
        for (const event of events) highestSeq = Math.max(highestSeq, event.seq);
        streams.set(stream.name, { ...stream, events });
      }
      this.groups.set(group.name, { ...group, tags: { ...group.tags }, streams });
    }
    this.nextSeq = Math.max(saved.nextSeq ?? 1, highestSeq + 1);
  }

  async close(): Promise<void> {
    clearInterval(this.retentionSweep);
  }

  // ---------------------------------------------------------------- groups

  private groupArn(name: string): string {
    return `arn:aws:logs:${this.ctx.region}:${this.ctx.accountId}:log-group:${name}`;
  }

  private tagsOf(value: unknown): Record<string, string> {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw typeError('tags', 'a map of strings');
    const tags: Record<string, string> = {};
    for (const [key, tag] of Object.entries(value)) {
      if (typeof tag !== 'string') throw typeError(`tags.${key}`, 'a string');
      tags[key] = tag;
    }
    return tags;
  }

  private addGroup(
    name: string,
    options: { tags: Record<string, string>; retentionInDays?: number; kmsKeyId?: string; logGroupClass?: string; deletionProtectionEnabled?: boolean },
  ): StoredGroup {
    if (this.groups.has(name)) {
      // docs/aws-semantics.md §4: no trailing period on this one.
      throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
    }
    const group: StoredGroup = {
      name,
      creationTime: this.ctx.now(),
      tags: options.tags,
      logGroupClass: options.logGroupClass ?? 'STANDARD',
      deletionProtectionEnabled: options.deletionProtectionEnabled ?? false,
      streams: new Map(),
    };
    if (options.retentionInDays !== undefined) group.retentionInDays = options.retentionInDays;
    if (options.kmsKeyId !== undefined) group.kmsKeyId = options.kmsKeyId;
    this.groups.set(name, group);
    this.touchGroup(group);
    this.ctx.stateChanged('acknowledged', 'logs');
    return group;
  }

  private requireGroup(name: string): StoredGroup {
    const group = this.groups.get(name);
    if (!group) throw groupNotFound();
    return group;
  }

  /** Read operations name the group by logGroupName or logGroupIdentifier (a name or an ARN), exactly one of them. */
  private resolveGroup(input: Input): StoredGroup {
    const name = optionalString(input.logGroupName, 'logGroupName', LOGS_STRING);
    const identifier = optionalString(input.logGroupIdentifier, 'logGroupIdentifier', LOGS_STRING);
    if (name !== undefined && identifier !== undefined) {
      // docs/aws-semantics.md §4 (LS-validated): ValidationException, not InvalidParameterException.
      throw new ServiceError('ValidationException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    }
    if (name !== undefined) return this.requireGroup(checkGroupName(name));
    if (identifier === undefined) {
      throw new ServiceError('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be specified.');
    }
    const arn = /^arn:[^:]+:logs:([^:]*):([^:]*):log-group:(.+?)(?::\*)?$/.exec(identifier);
    if (!arn) return this.requireGroup(checkGroupName(identifier, 'logGroupIdentifier'));
    if (arn[1] !== this.ctx.region || arn[2] !== this.ctx.accountId) throw groupNotFound();
    return this.requireGroup(arn[3]!);
  }

  private describeLogGroups(input: Input): DescribeLogGroupsResponse {
    const prefix = optionalString(input.logGroupNamePrefix, 'logGroupNamePrefix', LOGS_STRING);
    const pattern = optionalString(input.logGroupNamePattern, 'logGroupNamePattern', LOGS_STRING);
    if (prefix !== undefined && pattern !== undefined) {
      // LS-validated test_describe_log_groups_prefix_and_pattern_error
      throw new ServiceError(
        'InvalidParameterException',
        'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
      );
    }
    if (prefix !== undefined) checkGroupName(prefix, 'logGroupNamePrefix');
    const limit = limitOf(input, 50, 50);
    const logGroupClass = optionalString(input.logGroupClass, 'logGroupClass', LOGS_STRING);
    const identifiers = input.logGroupIdentifiers;
    if (identifiers !== undefined && identifiers !== null && (!Array.isArray(identifiers) || identifiers.some((id) => typeof id !== 'string'))) {
      throw typeError('logGroupIdentifiers', 'a list of strings');
    }
    const wanted = Array.isArray(identifiers)
      ? new Set((identifiers as string[]).map((id) => id.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, '')))
      : undefined;
    const token = optionalString(input.nextToken, 'nextToken', LOGS_STRING);
    const after = token === undefined ? undefined : this.parseNameToken(token);

    const names = [...this.groups.keys()]
      .filter((name) => (prefix === undefined || name.startsWith(prefix)) && (pattern === undefined || name.includes(pattern)))
      .filter((name) => !wanted || wanted.has(name))
      .filter((name) => logGroupClass === undefined || this.groups.get(name)!.logGroupClass === logGroupClass)
      .filter((name) => after === undefined || name > after)
      .sort();
    const page = names.slice(0, limit);
    const logGroups = page.map((name) => this.describeGroup(this.groups.get(name)!, pattern !== undefined));
    const response: DescribeLogGroupsResponse = { logGroups };
    if (names.length > limit) response.nextToken = Buffer.from(`lad1:name:${page[page.length - 1]}`).toString('base64url');
    return response;
  }

  private parseNameToken(token: string): string {
    const match = /^lad1:name:(.+)$/s.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!match) throw invalidToken();
    return match[1]!;
  }

  private describeGroup(group: StoredGroup, matchedByPattern: boolean): LogGroup {
    const base: LogGroup = {
      logGroupName: group.name,
      creationTime: group.creationTime,
    };
    if (group.retentionInDays !== undefined) base.retentionInDays = group.retentionInDays;
    base.metricFilterCount = 0;
    base.arn = `${this.groupArn(group.name)}:*`;
    if (matchedByPattern) {
      // With logGroupNamePattern AWS answers a reduced item (LS-validated test_describe_log_groups_with_pattern).
      return { ...base, logGroupArn: this.groupArn(group.name), logGroupClass: group.logGroupClass as LogGroup['logGroupClass'] };
    }
    let storedBytes = 0;
    for (const stream of group.streams.values()) {
      for (const event of stream.events) storedBytes += Buffer.byteLength(event.message, 'utf8');
    }
    const described: LogGroup = { ...base, storedBytes };
    if (group.kmsKeyId !== undefined) described.kmsKeyId = group.kmsKeyId;
    described.logGroupClass = group.logGroupClass as LogGroup['logGroupClass'];
    described.logGroupArn = this.groupArn(group.name);
    described.deletionProtectionEnabled = group.deletionProtectionEnabled;
    return described;
  }

  // ---------------------------------------------------------------- streams

  private describeLogStreams(input: Input): DescribeLogStreamsResponse {
    const group = this.resolveGroup(input);
    const prefix = optionalString(input.logStreamNamePrefix, 'logStreamNamePrefix', LOGS_STRING);
    const orderBy = optionalString(input.orderBy, 'orderBy', LOGS_STRING) ?? 'LogStreamName';
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
      throw constraintError(orderBy, 'orderBy', 'Member must satisfy enum value set: [LogStreamName, LastEventTime]');
    }
    if (orderBy === 'LastEventTime' && prefix !== undefined) {
      throw new ServiceError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const descending = optionalBoolean(input.descending, 'descending') ?? false;
    const limit = limitOf(input, 50, 50);
    const token = optionalString(input.nextToken, 'nextToken', LOGS_STRING);
    const offset = token === undefined ? 0 : parseOffsetToken(token);

    const streams = [...group.streams.values()].filter((stream) => prefix === undefined || stream.name.startsWith(prefix));
    const lastEventTime = (stream: StoredStream) => stream.events[stream.events.length - 1]?.timestamp ?? stream.creationTime;
    streams.sort((a, b) =>
      orderBy === 'LastEventTime'
        ? lastEventTime(a) - lastEventTime(b) || (a.name < b.name ? -1 : 1)
        : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    if (descending) streams.reverse();
    const page = streams.slice(offset, offset + limit);
    const response: DescribeLogStreamsResponse = { logStreams: page.map((stream) => this.describeStream(group, stream)) };
    if (offset + limit < streams.length) response.nextToken = offsetToken(offset + limit);
    return response;
  }

  private describeStream(group: StoredGroup, stream: StoredStream): LogStream {
    const described: LogStream = { logStreamName: stream.name, creationTime: stream.creationTime };
    if (stream.events.length > 0) {
      described.firstEventTimestamp = stream.events[0]!.timestamp;
      described.lastEventTimestamp = stream.events[stream.events.length - 1]!.timestamp;
    }
    if (stream.lastIngestionTime !== undefined) described.lastIngestionTime = stream.lastIngestionTime;
    described.arn = `${this.groupArn(group.name)}:log-stream:${stream.name}`;
    // docs/aws-semantics.md §4: storedBytes on a stream is always 0 (deprecated by AWS).
    described.storedBytes = 0;
    return described;
  }

  // ---------------------------------------------------------------- events

  private store(group: StoredGroup, stream: StoredStream, event: { timestamp: number; message: string }, ingestionTime: number): StoredEvent {
    const stored: StoredEvent = { timestamp: event.timestamp, message: event.message, ingestionTime, seq: this.nextSeq++ };
    this.ctx.touch('logs', eventKey(group.name, stream.name, stored.seq), () => stored);
    const events = stream.events;
    const last = events[events.length - 1];
    // Writers almost always append in time order; only a late, older event pays for the splice.
    if (!last || last.timestamp <= stored.timestamp) events.push(stored);
    else events.splice(firstAfterTime(events, stored.timestamp), 0, stored);
    return stored;
  }

  private putLogEvents(input: Input): PutLogEventsResponse {
    const groupName = checkGroupName(requiredString(input.logGroupName, 'logGroupName', LOGS_STRING));
    const streamName = checkStreamName(requiredString(input.logStreamName, 'logStreamName', LOGS_STRING));
    const raw = input.logEvents;
    if (raw === undefined || raw === null) throw constraintError(undefined, 'logEvents', 'Member must not be null');
    if (!Array.isArray(raw)) throw typeError('logEvents', 'a list of log events');
    if (raw.length < 1) throw constraintError('[]', 'logEvents', 'Member must have length greater than or equal to 1');
    if (raw.length > MAX_EVENTS_PER_PAGE) {
      throw constraintError(`${raw.length} events`, 'logEvents', `Member must have length less than or equal to ${MAX_EVENTS_PER_PAGE}`);
    }
    const events = raw.map((event: unknown, index) => {
      const item = (event ?? {}) as Input;
      if (typeof item !== 'object') throw typeError(`logEvents.${index + 1}`, 'a log event');
      const timestamp = optionalTimestamp(item.timestamp, 'timestamp');
      if (timestamp === undefined) throw constraintError(undefined, `logEvents.${index + 1}.member.timestamp`, 'Member must not be null');
      const message = optionalString(item.message, 'message', LOGS_STRING);
      if (message === undefined) throw constraintError(undefined, `logEvents.${index + 1}.member.message`, 'Member must not be null');
      if (message.length < 1) {
        throw constraintError('', `logEvents.${index + 1}.member.message`, 'Member must have length greater than or equal to 1');
      }
      return { timestamp, message };
    });
    for (let i = 1; i < events.length; i++) {
      if (events[i]!.timestamp < events[i - 1]!.timestamp) {
        // LS-validated test_put_log_events_wrong_order
        throw new ServiceError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
      }
    }
    const group = this.requireGroup(groupName);
    const stream = group.streams.get(streamName);
    if (!stream) throw streamNotFound();

    // Too old, expired and too new events are reported by index and skipped; the rest are stored
    // (LS-validated test_put_log_events_too_old / _too_new: HTTP 200 with rejectedLogEventsInfo).
    const now = this.ctx.now();
    const rejected: RejectedLogEventsInfo = {};
    const retentionStart = group.retentionInDays === undefined ? -Infinity : now - group.retentionInDays * DAY_MS;
    const accepted: Array<{ timestamp: number; message: string }> = [];
    events.forEach((event, index) => {
      if (event.timestamp < now - TOO_OLD_MS) rejected.tooOldLogEventEndIndex = index;
      else if (event.timestamp < retentionStart) rejected.expiredLogEventEndIndex = index;
      else if (event.timestamp > now + TOO_NEW_MS) rejected.tooNewLogEventStartIndex ??= index;
      else accepted.push(event);
    });
    if (accepted.length > 1 && accepted[accepted.length - 1]!.timestamp - accepted[0]!.timestamp > DAY_MS) {
      throw new ServiceError(
        'InvalidParameterException',
        'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
      );
    }
    let last: StoredEvent | undefined;
    for (const event of accepted) last = this.store(group, stream, event, now);
    if (accepted.length > 0) stream.lastIngestionTime = now;
    this.touchStream(group, stream.name);
    this.ctx.stateChanged('acknowledged', 'logs');
    const response: PutLogEventsResponse = { nextSequenceToken: digitsOf(last ?? { timestamp: now, seq: this.nextSeq }) };
    if (Object.keys(rejected).length > 0) response.rejectedLogEventsInfo = rejected;
    return response;
  }

  private getLogEvents(input: Input): GetLogEventsResponse {
    const group = this.resolveGroup(input);
    const stream = group.streams.get(checkStreamName(requiredString(input.logStreamName, 'logStreamName', LOGS_STRING)));
    if (!stream) throw streamNotFound();
    const startTime = optionalTimestamp(input.startTime, 'startTime');
    const endTime = optionalTimestamp(input.endTime, 'endTime');
    const limit = limitOf(input, MAX_EVENTS_PER_PAGE, MAX_EVENTS_PER_PAGE);
    const startFromHead = optionalBoolean(input.startFromHead, 'startFromHead') ?? false;
    const token = optionalString(input.nextToken, 'nextToken', LOGS_STRING);
    const cursor = token === undefined ? undefined : parseStreamToken(token);
    const events = stream.events;

    // The window: startTime inclusive, endTime exclusive (botocore model GetLogEventsRequest docs).
    let low = startTime === undefined ? 0 : firstAtOrAfterTime(events, startTime);
    let high = endTime === undefined ? events.length : firstAtOrAfterTime(events, endTime);
    if (cursor?.direction === 'f') low = Math.max(low, firstAfterKey(events, cursor.key));
    if (cursor?.direction === 'b') high = Math.min(high, firstAtOrAfterKey(events, cursor.key));
    high = Math.max(low, high);

    // A forward token reads onwards from its key, whatever startFromHead says; without a token the default is the
    // newest page (startFromHead false), which is why `aws logs get-log-events` shows the end of a stream.
    const forward = cursor ? cursor.direction === 'f' : startFromHead;
    const first = forward ? low : Math.max(low, high - limit);
    const end = forward ? Math.min(high, low + limit) : high;
    const page = events.slice(first, end);

    const keyBefore = (index: number): EventKey => (index > 0 ? events[index - 1]! : KEY_BEFORE_ALL);
    const keyAt = (index: number): EventKey => events[index] ?? KEY_AFTER_ALL;
    // Tokens are never null; at the end of the stream the token passed in comes back unchanged, which is how
    // paginators know to stop and how a tail poller keeps its place (botocore model GetLogEventsResponse docs).
    const nextForwardToken =
      page.length > 0 ? `f/${digitsOf(page[page.length - 1]!)}` : cursor?.direction === 'f' ? token! : `f/${digitsOf(keyBefore(first))}`;
    const nextBackwardToken =
      page.length > 0 ? `b/${digitsOf(page[0]!)}` : cursor?.direction === 'b' ? token! : `b/${digitsOf(keyAt(first))}`;
    return {
      events: page.map((event) => ({ timestamp: event.timestamp, message: event.message, ingestionTime: event.ingestionTime })),
      nextForwardToken,
      nextBackwardToken,
    };
  }

  private filterLogEvents(input: Input): FilterLogEventsResponse {
    const group = this.resolveGroup(input);
    const rawNames = input.logStreamNames;
    if (rawNames !== undefined && rawNames !== null && (!Array.isArray(rawNames) || rawNames.some((name) => typeof name !== 'string'))) {
      throw typeError('logStreamNames', 'a list of strings');
    }
    const streamNames = Array.isArray(rawNames) ? (rawNames as string[]) : undefined;
    const prefix = optionalString(input.logStreamNamePrefix, 'logStreamNamePrefix', LOGS_STRING);
    if (streamNames !== undefined && prefix !== undefined) {
      // botocore model FilterLogEventsRequest docs: both together is InvalidParameterException.
      throw new ServiceError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    if (streamNames !== undefined && (streamNames.length < 1 || streamNames.length > 100)) {
      throw constraintError(
        streamNames,
        'logStreamNames',
        streamNames.length < 1 ? 'Member must have length greater than or equal to 1' : 'Member must have length less than or equal to 100',
      );
    }
    const startTime = optionalTimestamp(input.startTime, 'startTime');
    const endTime = optionalTimestamp(input.endTime, 'endTime');
    const limit = limitOf(input, MAX_EVENTS_PER_PAGE, MAX_EVENTS_PER_PAGE);
    const filterPattern = optionalString(input.filterPattern, 'filterPattern', LOGS_STRING);
    if (filterPattern !== undefined && filterPattern.length > 1024) {
      throw constraintError(filterPattern, 'filterPattern', 'Member must have length less than or equal to 1024');
    }
    const matches = this.compilePattern(filterPattern);
    const token = optionalString(input.nextToken, 'nextToken', LOGS_STRING);
    const after = token === undefined ? undefined : parseFilterToken(token);

    const wanted = streamNames ? new Set(streamNames) : undefined;
    const streams = [...group.streams.values()].filter(
      (stream) => (!wanted || wanted.has(stream.name)) && (prefix === undefined || stream.name.startsWith(prefix)),
    );
    // Each stream contributes a sorted slice (startTime and endTime both inclusive, per the model docs); a k-way
    // merge over those slices yields the group's order: timestamp, then ingestion order (docs/aws-semantics.md §4).
    const cursors = streams
      .map((stream) => {
        let next = startTime === undefined ? 0 : firstAtOrAfterTime(stream.events, startTime);
        if (after) next = Math.max(next, firstAfterKey(stream.events, after));
        const end = endTime === undefined ? stream.events.length : firstAfterTime(stream.events, endTime);
        return { stream, next, end };
      })
      .filter((cursor) => cursor.next < cursor.end);

    const found: FilteredLogEvent[] = [];
    let lastKey: EventKey | undefined;
    let more = false;
    while (cursors.length > 0) {
      let best = 0;
      for (let i = 1; i < cursors.length; i++) {
        const candidate = cursors[i]!;
        if (compareKeys(candidate.stream.events[candidate.next]!, cursors[best]!.stream.events[cursors[best]!.next]!) < 0) best = i;
      }
      const cursor = cursors[best]!;
      const event = cursor.stream.events[cursor.next++]!;
      if (cursor.next >= cursor.end) cursors.splice(best, 1);
      if (!matches(event.message)) continue;
      if (found.length === limit) {
        more = true;
        break;
      }
      found.push({
        logStreamName: cursor.stream.name,
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
        eventId: digitsOf(event),
      });
      lastKey = event;
    }
    // searchedLogStreams: "As of May 15, 2020, this parameter is no longer supported. This parameter returns an
    // empty list." (botocore model FilterLogEventsResponse docs). nextToken only when more events follow.
    const response: FilterLogEventsResponse = { events: found, searchedLogStreams: [] };
    if (more && lastKey) response.nextToken = filterToken(lastKey);
    return response;
  }

  private compilePattern(pattern: string | undefined): MessageMatcher {
    try {
      return compileFilterPattern(pattern);
    } catch (error) {
      if (error instanceof FilterPatternError) throw new ServiceError('InvalidParameterException', error.message);
      throw error;
    }
  }
}

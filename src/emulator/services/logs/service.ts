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
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  PutLogEventsRequest,
  PutLogEventsResponse,
  PutRetentionPolicyRequest,
  RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import type { EmulatorContext, EntityState, Service } from '../../context.js';
import { ServiceError } from '../../errors.js';
import { optionalInteger, optionalString, requiredString } from '../validation.js';
import { entityOf, eventKey, groupKey, logEntities, stateFromEntities, streamKey } from './entities.js';
import { compareKeys, digitsOf, firstAfterTime, firstAtOrAfterTime } from './events.js';
import {
  describeLogGroups, describeLogStreams, filterLogEvents, getLogEvents, groupArn, type LogsView, requireGroup,
} from './reads.js';
import {
  checkGroupName, checkRetention, checkStreamName, constraintError, DAY_MS, fieldsOf, type Input, LOGS_INTEGER,
  LOGS_STRING, MAX_EVENTS_PER_PAGE, optionalBoolean, optionalTimestamp, streamNotFound, groupNotFound, tagsOf, TOO_NEW_MS,
  TOO_OLD_MS, typeError,
} from './rules.js';
import type { LogsState, StoredEvent, StoredGroup, StoredStream } from './types.js';

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
        tags: tagsOf(raw.tags),
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

    DescribeLogGroups: (input: DescribeLogGroupsRequest): DescribeLogGroupsResponse => describeLogGroups(this.view(), fieldsOf(input)),

    CreateLogStream: (input: CreateLogStreamRequest) => {
      const raw = fieldsOf(input);
      const group = requireGroup(this.groups, checkGroupName(requiredString(raw.logGroupName, 'logGroupName', LOGS_STRING)));
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
      const group = requireGroup(this.groups, checkGroupName(requiredString(raw.logGroupName, 'logGroupName', LOGS_STRING)));
      const name = checkStreamName(requiredString(raw.logStreamName, 'logStreamName', LOGS_STRING));
      const stream = group.streams.get(name);
      if (!stream) throw streamNotFound();
      this.forgetStream(group, stream);
      this.ctx.stateChanged('acknowledged', 'logs');
      return {};
    },

    DescribeLogStreams: (input: DescribeLogStreamsRequest): DescribeLogStreamsResponse => describeLogStreams(this.view(), fieldsOf(input)),

    PutLogEvents: (input: PutLogEventsRequest): PutLogEventsResponse => this.putLogEvents(fieldsOf(input)),

    GetLogEvents: (input: GetLogEventsRequest): GetLogEventsResponse => getLogEvents(this.view(), fieldsOf(input)),

    FilterLogEvents: (input: FilterLogEventsRequest): FilterLogEventsResponse => filterLogEvents(this.view(), fieldsOf(input)),

    PutRetentionPolicy: (input: PutRetentionPolicyRequest) => {
      const raw = fieldsOf(input);
      const name = requiredString(raw.logGroupName, 'logGroupName', LOGS_STRING);
      this.putRetentionPolicy(name, optionalInteger(raw.retentionInDays, 'retentionInDays', LOGS_INTEGER) as number);
      return {};
    },

    DeleteRetentionPolicy: (input: DeleteRetentionPolicyRequest) => {
      const group = requireGroup(this.groups, checkGroupName(requiredString(fieldsOf(input).logGroupName, 'logGroupName', LOGS_STRING)));
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
    return { arn: `${groupArn(this.ctx, group.name)}:*` };
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
    const group = requireGroup(this.groups, name);
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

  // Persisted entity by entity (entities.ts), so a log line costs one journal line however long the log.
  exportEntities(): Array<[string, unknown]> {
    return logEntities(this.groups.values());
  }

  entity(key: string): unknown {
    return entityOf(this.groups, key);
  }

  importEntities(entities: Map<string, unknown>): void {
    this.importState(stateFromEntities(entities));
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

  /** What the read operations (reads.ts) see. */
  private view(): LogsView {
    return { groups: this.groups, region: this.ctx.region, accountId: this.ctx.accountId };
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
    const group = requireGroup(this.groups, groupName);
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
}

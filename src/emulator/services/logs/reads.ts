// CloudWatch Logs' read operations (DescribeLogGroups, DescribeLogStreams, GetLogEvents, FilterLogEvents) over the stored groups.
import type {
  DescribeLogGroupsResponse,
  DescribeLogStreamsResponse,
  FilteredLogEvent,
  FilterLogEventsResponse,
  GetLogEventsResponse,
  LogGroup,
  LogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { ServiceError } from '../../errors.js';
import { compileFilterPattern, FilterPatternError, type MessageMatcher } from '../filter-pattern.js';
import { optionalString, requiredString } from '../validation.js';
import {
  compareKeys, digitsOf, type EventKey, filterToken, firstAfterKey, firstAfterTime, firstAtOrAfterKey, firstAtOrAfterTime,
  KEY_AFTER_ALL, KEY_BEFORE_ALL, nameToken, offsetToken, parseFilterToken, parseNameToken, parseOffsetToken, parseStreamToken,
} from './events.js';
import {
  checkGroupName, checkStreamName, constraintError, groupNotFound, type Input, limitOf, LOGS_STRING, MAX_EVENTS_PER_PAGE,
  optionalBoolean, optionalTimestamp, streamNotFound, typeError,
} from './rules.js';
import type { StoredGroup, StoredStream } from './types.js';

/** What the reads see: the groups, and the region and account their ARNs name. */
export interface LogsView {
  groups: ReadonlyMap<string, StoredGroup>;
  region: string;
  accountId: string;
}

/** A group's ARN without the `:*` that CloudFormation's GetAtt and DescribeLogGroups' `arn` add. */
export function groupArn(view: Pick<LogsView, 'region' | 'accountId'>, name: string): string {
  return `arn:aws:logs:${view.region}:${view.accountId}:log-group:${name}`;
}

export function requireGroup(groups: ReadonlyMap<string, StoredGroup>, name: string): StoredGroup {
  const group = groups.get(name);
  if (!group) throw groupNotFound();
  return group;
}

/** Read operations name the group by logGroupName or logGroupIdentifier (a name or an ARN), exactly one of them. */
function resolveGroup(view: LogsView, input: Input): StoredGroup {
  const name = optionalString(input.logGroupName, 'logGroupName', LOGS_STRING);
  const identifier = optionalString(input.logGroupIdentifier, 'logGroupIdentifier', LOGS_STRING);
  if (name !== undefined && identifier !== undefined) {
    // docs/aws-semantics.md §4 (LS-validated): ValidationException, not InvalidParameterException.
    throw new ServiceError('ValidationException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (name !== undefined) return requireGroup(view.groups, checkGroupName(name));
  if (identifier === undefined) {
    throw new ServiceError('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be specified.');
  }
  const arn = /^arn:[^:]+:logs:([^:]*):([^:]*):log-group:(.+?)(?::\*)?$/.exec(identifier);
  if (!arn) return requireGroup(view.groups, checkGroupName(identifier, 'logGroupIdentifier'));
  if (arn[1] !== view.region || arn[2] !== view.accountId) throw groupNotFound();
  return requireGroup(view.groups, arn[3]!);
}

export function describeLogGroups(view: LogsView, input: Input): DescribeLogGroupsResponse {
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
  const after = token === undefined ? undefined : parseNameToken(token);

  const names = [...view.groups.keys()]
    .filter((name) => (prefix === undefined || name.startsWith(prefix)) && (pattern === undefined || name.includes(pattern)))
    .filter((name) => !wanted || wanted.has(name))
    .filter((name) => logGroupClass === undefined || view.groups.get(name)!.logGroupClass === logGroupClass)
    .filter((name) => after === undefined || name > after)
    .sort();
  const page = names.slice(0, limit);
  const logGroups = page.map((name) => describeGroup(view, view.groups.get(name)!, pattern !== undefined));
  const response: DescribeLogGroupsResponse = { logGroups };
  if (names.length > limit) response.nextToken = nameToken(page[page.length - 1]!);
  return response;
}

function describeGroup(view: LogsView, group: StoredGroup, matchedByPattern: boolean): LogGroup {
  const base: LogGroup = {
    logGroupName: group.name,
    creationTime: group.creationTime,
  };
  if (group.retentionInDays !== undefined) base.retentionInDays = group.retentionInDays;
  base.metricFilterCount = 0;
  base.arn = `${groupArn(view, group.name)}:*`;
  if (matchedByPattern) {
    // With logGroupNamePattern AWS answers a reduced item (LS-validated test_describe_log_groups_with_pattern).
    return { ...base, logGroupArn: groupArn(view, group.name), logGroupClass: group.logGroupClass as LogGroup['logGroupClass'] };
  }
  let storedBytes = 0;
  for (const stream of group.streams.values()) {
    for (const event of stream.events) storedBytes += Buffer.byteLength(event.message, 'utf8');
  }
  const described: LogGroup = { ...base, storedBytes };
  if (group.kmsKeyId !== undefined) described.kmsKeyId = group.kmsKeyId;
  described.logGroupClass = group.logGroupClass as LogGroup['logGroupClass'];
  described.logGroupArn = groupArn(view, group.name);
  described.deletionProtectionEnabled = group.deletionProtectionEnabled;
  return described;
}

export function describeLogStreams(view: LogsView, input: Input): DescribeLogStreamsResponse {
  const group = resolveGroup(view, input);
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
  const response: DescribeLogStreamsResponse = { logStreams: page.map((stream) => describeStream(view, group, stream)) };
  if (offset + limit < streams.length) response.nextToken = offsetToken(offset + limit);
  return response;
}

function describeStream(view: LogsView, group: StoredGroup, stream: StoredStream): LogStream {
  const described: LogStream = { logStreamName: stream.name, creationTime: stream.creationTime };
  if (stream.events.length > 0) {
    described.firstEventTimestamp = stream.events[0]!.timestamp;
    described.lastEventTimestamp = stream.events[stream.events.length - 1]!.timestamp;
  }
  if (stream.lastIngestionTime !== undefined) described.lastIngestionTime = stream.lastIngestionTime;
  described.arn = `${groupArn(view, group.name)}:log-stream:${stream.name}`;
  // docs/aws-semantics.md §4: storedBytes on a stream is always 0 (deprecated by AWS).
  described.storedBytes = 0;
  return described;
}

export function getLogEvents(view: LogsView, input: Input): GetLogEventsResponse {
  const group = resolveGroup(view, input);
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

export function filterLogEvents(view: LogsView, input: Input): FilterLogEventsResponse {
  const group = resolveGroup(view, input);
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
  const matches = compilePattern(filterPattern);
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

function compilePattern(pattern: string | undefined): MessageMatcher {
  try {
    return compileFilterPattern(pattern);
  } catch (error) {
    if (error instanceof FilterPatternError) throw new ServiceError('InvalidParameterException', error.message);
    throw error;
  }
}

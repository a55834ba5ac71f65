// CloudWatch Logs through the real SDK v3 client: groups, streams, events, filters, paging, errors and the internal API.
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type CloudWatchLogsClient,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emulator } from '../../src/emulator/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { SIGNED_SHAPE } from '../helpers/raw-request.js';

// One emulator for the whole file (started at module level, so the helper closes it when the file ends).
const env: TestEmulator = await startTestEmulator();
const logs: CloudWatchLogsClient = env.logs;
let groupCounter = 0;

function uniqueGroup(label: string): string {
  return `/test/${label}-${++groupCounter}`;
}

async function rejects(promise: Promise<unknown>, expected: { name: string; message?: string; status?: number }): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, expected.name);
    if (expected.message !== undefined) assert.equal(error.message, expected.message);
    assert.equal(error.$metadata?.httpStatusCode, expected.status ?? 400);
    return true;
  });
}

async function groupWithStream(label: string, stream = 'stream-a'): Promise<string> {
  const logGroupName = uniqueGroup(label);
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: stream }));
  return logGroupName;
}

async function put(logGroupName: string, logStreamName: string, events: Array<[number, string]>) {
  return logs.send(
    new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: events.map(([timestamp, message]) => ({ timestamp, message })) }),
  );
}

// ---------------------------------------------------------------- groups

test('DescribeLogGroups returns the AWS item shape: arn with :*, logGroupArn without, STANDARD class', async () => {
  const logGroupName = uniqueGroup('shape');
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
  assert.equal(logGroups?.length, 1);
  const group = logGroups[0]!;
  assert.equal(group.logGroupName, logGroupName);
  assert.equal(group.arn, `arn:aws:logs:us-east-1:000000000000:log-group:${logGroupName}:*`);
  assert.equal(group.logGroupArn, `arn:aws:logs:us-east-1:000000000000:log-group:${logGroupName}`);
  assert.equal(group.logGroupClass, 'STANDARD');
  assert.equal(group.deletionProtectionEnabled, false);
  assert.equal(group.metricFilterCount, 0);
  assert.equal(group.storedBytes, 0);
  assert.equal(typeof group.creationTime, 'number');
  assert.ok(Math.abs(group.creationTime! - Date.now()) < 60_000);
  assert.equal('retentionInDays' in group, false);
});

test('creating a log group twice fails with ResourceAlreadyExistsException and AWS message, HTTP 400', async () => {
  const logGroupName = uniqueGroup('twice');
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await rejects(logs.send(new CreateLogGroupCommand({ logGroupName })), {
    name: 'ResourceAlreadyExistsException',
    message: 'The specified log group already exists',
  });
});

test('deleting a missing log group is ResourceNotFoundException with HTTP 400, not 404', async () => {
  await rejects(logs.send(new DeleteLogGroupCommand({ logGroupName: '/test/never-created' })), {
    name: 'ResourceNotFoundException',
    message: 'The specified log group does not exist.',
  });
});

test('a deleted log group is gone from DescribeLogGroups', async () => {
  const logGroupName = uniqueGroup('deleted');
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new DeleteLogGroupCommand({ logGroupName }));
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
  assert.deepEqual(logGroups, []);
});

test('a log group name outside AWS pattern is rejected as InvalidParameterException', async () => {
  await rejects(logs.send(new CreateLogGroupCommand({ logGroupName: 'has space' })), {
    name: 'InvalidParameterException',
    message:
      "1 validation error detected: Value 'has space' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
  });
});

test('DescribeLogGroups pages with limit and nextToken, sorted by name', async () => {
  const prefix = `/paging/${Date.now()}`;
  for (const suffix of ['c', 'a', 'e', 'b', 'd']) await logs.send(new CreateLogGroupCommand({ logGroupName: `${prefix}/${suffix}` }));
  const seen: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, limit: 2, nextToken }));
    assert.ok(page.logGroups!.length <= 2);
    seen.push(...page.logGroups!.map((group) => group.logGroupName!));
    nextToken = page.nextToken;
    pages++;
  } while (nextToken);
  assert.equal(pages, 3);
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e'].map((suffix) => `${prefix}/${suffix}`));
});

test('DescribeLogGroups logGroupNamePattern is a case-sensitive substring search', async () => {
  const stamp = Date.now();
  await logs.send(new CreateLogGroupCommand({ logGroupName: `/pattern/${stamp}/DataLogs` }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: `/pattern/${stamp}/datalogs` }));
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: `${stamp}/DataLogs` }));
  assert.deepEqual(logGroups!.map((group) => group.logGroupName), [`/pattern/${stamp}/DataLogs`]);
});

test('DescribeLogGroups with both prefix and pattern is InvalidParameterException', async () => {
  await rejects(logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/a', logGroupNamePattern: 'b' })), {
    name: 'InvalidParameterException',
    message: 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
  });
});

test('DescribeLogGroups limit above 50 is refused with the AWS validation message', async () => {
  await rejects(logs.send(new DescribeLogGroupsCommand({ limit: 51 })), {
    name: 'InvalidParameterException',
    message: "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
  });
});

test('PutRetentionPolicy sets retentionInDays, DeleteRetentionPolicy removes it', async () => {
  const logGroupName = uniqueGroup('retention');
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: 7 }));
  let { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
  assert.equal(logGroups![0]!.retentionInDays, 7);
  await logs.send(new DeleteRetentionPolicyCommand({ logGroupName }));
  ({ logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName })));
  assert.equal(logGroups![0]!.retentionInDays, undefined);
});

test('PutRetentionPolicy refuses a value outside the allowed list', async () => {
  const logGroupName = uniqueGroup('retention-bad');
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: 2 })), {
    name: 'InvalidParameterException',
    message:
      "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]",
  });
});

test('PutRetentionPolicy on a missing group is ResourceNotFoundException', async () => {
  await rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/test/no-such', retentionInDays: 1 })), {
    name: 'ResourceNotFoundException',
    message: 'The specified log group does not exist.',
  });
});

// ---------------------------------------------------------------- streams

test('DescribeLogStreams returns arn, storedBytes 0 and event timestamps once events exist', async () => {
  const logGroupName = await groupWithStream('streams', 'empty');
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'busy' }));
  const now = Date.now();
  await put(logGroupName, 'busy', [[now - 100, 'one'], [now - 50, 'two']]);
  const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName }));
  assert.deepEqual(logStreams!.map((stream) => stream.logStreamName), ['busy', 'empty']);
  const [busy, empty] = logStreams!;
  assert.equal(busy!.arn, `arn:aws:logs:us-east-1:000000000000:log-group:${logGroupName}:log-stream:busy`);
  assert.equal(busy!.storedBytes, 0);
  assert.equal(busy!.firstEventTimestamp, now - 100);
  assert.equal(busy!.lastEventTimestamp, now - 50);
  assert.equal(typeof busy!.lastIngestionTime, 'number');
  assert.equal(empty!.firstEventTimestamp, undefined);
  assert.equal(empty!.lastEventTimestamp, undefined);
  assert.equal(empty!.storedBytes, 0);
});

test('DescribeLogStreams orders by LastEventTime descending, filters by prefix and pages', async () => {
  const logGroupName = await groupWithStream('order', 'old');
  const now = Date.now();
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'new' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'middle' }));
  await put(logGroupName, 'old', [[now - 3000, 'x']]);
  await put(logGroupName, 'middle', [[now - 2000, 'x']]);
  await put(logGroupName, 'new', [[now - 1000, 'x']]);
  const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName, orderBy: 'LastEventTime', descending: true }));
  assert.deepEqual(byTime.logStreams!.map((stream) => stream.logStreamName), ['new', 'middle', 'old']);
  const byPrefix = await logs.send(new DescribeLogStreamsCommand({ logGroupName, logStreamNamePrefix: 'm' }));
  assert.deepEqual(byPrefix.logStreams!.map((stream) => stream.logStreamName), ['middle']);
  const first = await logs.send(new DescribeLogStreamsCommand({ logGroupName, limit: 2 }));
  assert.deepEqual(first.logStreams!.map((stream) => stream.logStreamName), ['middle', 'new']);
  assert.ok(first.nextToken);
  const second = await logs.send(new DescribeLogStreamsCommand({ logGroupName, limit: 2, nextToken: first.nextToken }));
  assert.deepEqual(second.logStreams!.map((stream) => stream.logStreamName), ['old']);
  assert.equal(second.nextToken, undefined);
});

test('DescribeLogStreams refuses LastEventTime ordering with a prefix', async () => {
  const logGroupName = await groupWithStream('order-prefix');
  await rejects(logs.send(new DescribeLogStreamsCommand({ logGroupName, orderBy: 'LastEventTime', logStreamNamePrefix: 's' })), {
    name: 'InvalidParameterException',
    message: 'Cannot order by LastEventTime with a logStreamNamePrefix.',
  });
});

test('DescribeLogStreams accepts the group ARN as logGroupIdentifier, and refuses name plus identifier', async () => {
  const logGroupName = await groupWithStream('identifier');
  const arn = `arn:aws:logs:us-east-1:000000000000:log-group:${logGroupName}`;
  for (const logGroupIdentifier of [arn, `${arn}:*`, logGroupName]) {
    const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier }));
    assert.deepEqual(logStreams!.map((stream) => stream.logStreamName), ['stream-a']);
  }
  await rejects(logs.send(new DescribeLogStreamsCommand({ logGroupName, logGroupIdentifier: arn })), {
    name: 'ValidationException',
    message: 'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
  });
});

test('creating a stream twice, or in a missing group, fails with AWS messages', async () => {
  const logGroupName = await groupWithStream('stream-twice');
  await rejects(logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'stream-a' })), {
    name: 'ResourceAlreadyExistsException',
    message: 'The specified log stream already exists',
  });
  await rejects(logs.send(new CreateLogStreamCommand({ logGroupName: '/test/missing-group', logStreamName: 's' })), {
    name: 'ResourceNotFoundException',
    message: 'The specified log group does not exist.',
  });
});

// ---------------------------------------------------------------- PutLogEvents

test('PutLogEvents to a missing stream is ResourceNotFoundException naming the stream', async () => {
  const logGroupName = await groupWithStream('put-missing');
  await rejects(put(logGroupName, 'nope', [[Date.now(), 'x']]), {
    name: 'ResourceNotFoundException',
    message: 'The specified log stream does not exist.',
  });
});

test('PutLogEvents refuses a batch out of chronological order', async () => {
  const logGroupName = await groupWithStream('put-order');
  const now = Date.now();
  await rejects(put(logGroupName, 'stream-a', [[now, 'later'], [now - 10, 'earlier']]), {
    name: 'InvalidParameterException',
    message: 'Log events in a single PutLogEvents request must be in chronological order.',
  });
});

test('PutLogEvents stores valid events and reports too old and too new ones by index', async () => {
  const logGroupName = await groupWithStream('put-rejected');
  const now = Date.now();
  const response = await put(logGroupName, 'stream-a', [
    [now - 15 * 24 * 3600_000, 'ancient'],
    [now, 'fine'],
    [now + 3 * 3600_000, 'future'],
  ]);
  assert.deepEqual(response.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 0, tooNewLogEventStartIndex: 2 });
  assert.ok(response.nextSequenceToken);
  const { events } = await logs.send(new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', startFromHead: true }));
  assert.deepEqual(events!.map((event) => event.message), ['fine']);
});

// ---------------------------------------------------------------- GetLogEvents

test('GetLogEvents without a token returns the newest page, oldest first within the page', async () => {
  const logGroupName = await groupWithStream('get-newest');
  const now = Date.now();
  await put(logGroupName, 'stream-a', [1, 2, 3, 4, 5].map((i) => [now - 1000 + i, `event ${i}`] as [number, string]));
  const { events } = await logs.send(new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', limit: 2 }));
  assert.deepEqual(events!.map((event) => event.message), ['event 4', 'event 5']);
  assert.deepEqual(Object.keys(events![0]!).sort(), ['ingestionTime', 'message', 'timestamp']);
});

test('GetLogEvents pages forward from the head and returns the same token at the end', async () => {
  const logGroupName = await groupWithStream('get-forward');
  const now = Date.now();
  await put(logGroupName, 'stream-a', [1, 2, 3, 4, 5].map((i) => [now - 1000 + i, `event ${i}`] as [number, string]));
  const messages: string[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await logs.send(
      new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', startFromHead: true, limit: 2, nextToken: token }),
    );
    messages.push(...page.events!.map((event) => event.message!));
    assert.ok(page.nextForwardToken && page.nextBackwardToken, 'tokens are never null');
    if (page.nextForwardToken === token) break;
    token = page.nextForwardToken;
  }
  assert.deepEqual(messages, ['event 1', 'event 2', 'event 3', 'event 4', 'event 5']);
});

test('GetLogEvents pages backward with nextBackwardToken', async () => {
  const logGroupName = await groupWithStream('get-backward');
  const now = Date.now();
  await put(logGroupName, 'stream-a', [1, 2, 3, 4, 5].map((i) => [now - 1000 + i, `event ${i}`] as [number, string]));
  const newest = await logs.send(new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', limit: 2 }));
  const older = await logs.send(
    new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', limit: 2, nextToken: newest.nextBackwardToken }),
  );
  assert.deepEqual(older.events!.map((event) => event.message), ['event 2', 'event 3']);
  const oldest = await logs.send(
    new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', limit: 2, nextToken: older.nextBackwardToken }),
  );
  assert.deepEqual(oldest.events!.map((event) => event.message), ['event 1']);
});

test('GetLogEvents tail polling with nextForwardToken sees only events written since', async () => {
  const logGroupName = await groupWithStream('get-tail');
  const now = Date.now();
  const first = await logs.send(new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', startFromHead: true }));
  assert.deepEqual(first.events, []);
  await put(logGroupName, 'stream-a', [[now - 10, 'a'], [now - 5, 'b']]);
  const second = await logs.send(
    new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', startFromHead: true, nextToken: first.nextForwardToken }),
  );
  assert.deepEqual(second.events!.map((event) => event.message), ['a', 'b']);
  const idle = await logs.send(
    new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', startFromHead: true, nextToken: second.nextForwardToken }),
  );
  assert.deepEqual(idle.events, []);
  assert.equal(idle.nextForwardToken, second.nextForwardToken);
  await put(logGroupName, 'stream-a', [[now, 'c']]);
  const third = await logs.send(
    new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', startFromHead: true, nextToken: idle.nextForwardToken }),
  );
  assert.deepEqual(third.events!.map((event) => event.message), ['c']);
});

test('GetLogEvents time window includes startTime and excludes endTime', async () => {
  const logGroupName = await groupWithStream('get-window');
  const base = Date.now() - 10_000;
  await put(logGroupName, 'stream-a', [[base, 'a'], [base + 1, 'b'], [base + 2, 'c'], [base + 3, 'd']]);
  const { events } = await logs.send(
    new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', startFromHead: true, startTime: base + 1, endTime: base + 3 }),
  );
  assert.deepEqual(events!.map((event) => event.message), ['b', 'c']);
});

test('GetLogEvents on a missing stream, and with a forged token, fail like AWS', async () => {
  const logGroupName = await groupWithStream('get-errors');
  await rejects(logs.send(new GetLogEventsCommand({ logGroupName, logStreamName: 'nope' })), {
    name: 'ResourceNotFoundException',
    message: 'The specified log stream does not exist.',
  });
  await rejects(logs.send(new GetLogEventsCommand({ logGroupName, logStreamName: 'stream-a', nextToken: 'f/garbage' })), {
    name: 'InvalidParameterException',
    message: 'The specified nextToken is invalid.',
  });
});

// ---------------------------------------------------------------- FilterLogEvents

async function filterAll(input: FilterLogEventsCommandInput) {
  return logs.send(new FilterLogEventsCommand(input));
}

test('FilterLogEvents interleaves streams by timestamp, then ingestion order, with string eventIds', async () => {
  const logGroupName = await groupWithStream('filter-order', 's1');
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's2' }));
  const base = Date.now() - 10_000;
  await put(logGroupName, 's2', [[base + 2, 's2 second'], [base + 5, 's2 tie, written first']]);
  await put(logGroupName, 's1', [[base + 1, 's1 first'], [base + 5, 's1 tie, written second'], [base + 9, 's1 last']]);
  const response = await filterAll({ logGroupName });
  assert.deepEqual(response.events!.map((event) => event.message), [
    's1 first',
    's2 second',
    's2 tie, written first',
    's1 tie, written second',
    's1 last',
  ]);
  assert.deepEqual(response.events!.map((event) => event.logStreamName), ['s1', 's2', 's2', 's1', 's1']);
  const ids = response.events!.map((event) => event.eventId);
  assert.ok(ids.every((id) => typeof id === 'string' && /^\d+$/.test(id)));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(response.searchedLogStreams, []);
  assert.equal(response.nextToken, undefined);
});

test('FilterLogEvents keeps the events a term or a quoted phrase selects', async () => {
  const logGroupName = await groupWithStream('filter-pattern');
  const now = Date.now();
  await put(logGroupName, 'stream-a', [
    [now - 3, 'START RequestId: 11111111-aaaa Version: $LATEST\n'],
    [now - 2, '2026-01-01T00:00:00.000Z\t11111111-aaaa\tERROR\tInvoke Error \t{"errorType":"Error"}\n'],
    [now - 1, 'START RequestId: 22222222-bbbb Version: $LATEST\n'],
  ]);
  const starts = await filterAll({ logGroupName, filterPattern: 'START' });
  assert.equal(starts.events!.length, 2);
  const one = await filterAll({ logGroupName, filterPattern: '"START RequestId: 11111111-aaaa"' });
  assert.deepEqual(one.events!.map((event) => event.timestamp), [now - 3]);
  const errors = await filterAll({ logGroupName, filterPattern: '"Invoke Error"' });
  assert.equal(errors.events!.length, 1);
  const notStart = await filterAll({ logGroupName, filterPattern: '-START' });
  assert.equal(notStart.events!.length, 1);
});

test('FilterLogEvents refuses an invalid pattern as InvalidParameterException', async () => {
  const logGroupName = await groupWithStream('filter-bad-pattern');
  await rejects(filterAll({ logGroupName, filterPattern: 'RequestId: abc' }), {
    name: 'InvalidParameterException',
    message: "Invalid character(s) in term ':'",
  });
});

test('FilterLogEvents startTime and endTime are both inclusive, in milliseconds', async () => {
  const logGroupName = await groupWithStream('filter-window');
  const base = Date.now() - 10_000;
  await put(logGroupName, 'stream-a', [[base, 'a'], [base + 1, 'b'], [base + 2, 'c'], [base + 3, 'd']]);
  const { events } = await filterAll({ logGroupName, startTime: base + 1, endTime: base + 2 });
  assert.deepEqual(events!.map((event) => event.message), ['b', 'c']);
});

test('FilterLogEvents restricts to logStreamNames or a logStreamNamePrefix, not both', async () => {
  const logGroupName = await groupWithStream('filter-streams', 'app-1');
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'app-2' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'other' }));
  const now = Date.now();
  for (const stream of ['app-1', 'app-2', 'other']) await put(logGroupName, stream, [[now, stream]]);
  const named = await filterAll({ logGroupName, logStreamNames: ['app-2', 'other'] });
  assert.deepEqual(named.events!.map((event) => event.message).sort(), ['app-2', 'other']);
  const prefixed = await filterAll({ logGroupName, logStreamNamePrefix: 'app-' });
  assert.deepEqual(prefixed.events!.map((event) => event.message).sort(), ['app-1', 'app-2']);
  await rejects(filterAll({ logGroupName, logStreamNames: ['app-1'], logStreamNamePrefix: 'app' }), {
    name: 'InvalidParameterException',
  });
});

test('FilterLogEvents pages with limit and nextToken, and a poller continuing from the last token sees new events', async () => {
  const logGroupName = await groupWithStream('filter-paging');
  const base = Date.now() - 10_000;
  await put(logGroupName, 'stream-a', [1, 2, 3, 4, 5].map((i) => [base + i, `event ${i}`] as [number, string]));
  const first = await filterAll({ logGroupName, limit: 2 });
  assert.deepEqual(first.events!.map((event) => event.message), ['event 1', 'event 2']);
  assert.ok(first.nextToken);
  const second = await filterAll({ logGroupName, limit: 2, nextToken: first.nextToken });
  assert.deepEqual(second.events!.map((event) => event.message), ['event 3', 'event 4']);
  assert.ok(second.nextToken);
  // New events land before the poller's next call: continuing from the token still finds them, nothing twice.
  await put(logGroupName, 'stream-a', [[base + 6, 'event 6']]);
  const third = await filterAll({ logGroupName, limit: 2, nextToken: second.nextToken });
  assert.deepEqual(third.events!.map((event) => event.message), ['event 5', 'event 6']);
  assert.equal(third.nextToken, undefined);
});

test('FilterLogEvents accepts logGroupIdentifier and refuses it together with logGroupName', async () => {
  const logGroupName = await groupWithStream('filter-identifier');
  await put(logGroupName, 'stream-a', [[Date.now(), 'hello']]);
  const byArn = await filterAll({ logGroupIdentifier: `arn:aws:logs:us-east-1:000000000000:log-group:${logGroupName}:*` });
  assert.deepEqual(byArn.events!.map((event) => event.message), ['hello']);
  await rejects(filterAll({ logGroupName, logGroupIdentifier: logGroupName }), {
    name: 'ValidationException',
    message: 'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
  });
});

test('FilterLogEvents on a missing group is ResourceNotFoundException', async () => {
  await rejects(filterAll({ logGroupName: '/aws/lambda/NotDeployed' }), {
    name: 'ResourceNotFoundException',
    message: 'The specified log group does not exist.',
  });
});

test('FilterLogEvents limit above 10000 is refused with the AWS validation message', async () => {
  const logGroupName = await groupWithStream('filter-limit');
  await rejects(filterAll({ logGroupName, limit: 10001 }), {
    name: 'InvalidParameterException',
    message:
      "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
  });
});

test('FilterLogEvents with a forged nextToken is InvalidParameterException', async () => {
  const logGroupName = await groupWithStream('filter-token');
  await rejects(filterAll({ logGroupName, nextToken: 'not-a-token' }), {
    name: 'InvalidParameterException',
    message: 'The specified nextToken is invalid.',
  });
});

test('FilterLogEvents over 5000 events in 5 streams answers quickly', async () => {
  const logGroupName = uniqueGroup('filter-fast');
  const base = Date.now() - 60_000;
  for (let stream = 0; stream < 5; stream++) {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      timestamp: base + i * 5 + stream,
      message: i % 100 === 0 ? `START RequestId: ${stream}-${i} Version: $LATEST\n` : `line ${i} of stream ${stream}\n`,
    }));
    env.running.emulator.logs.appendLogEvents(logGroupName, `2026/01/01/[$LATEST]${stream}`, events);
  }
  const started = performance.now();
  const all = await filterAll({ logGroupName });
  const starts = await filterAll({ logGroupName, filterPattern: '"START RequestId:"' });
  const elapsed = performance.now() - started;
  assert.equal(all.events!.length, 5000);
  assert.equal(starts.events!.length, 50);
  const timestamps = all.events!.map((event) => event.timestamp!);
  assert.deepEqual(timestamps, timestamps.slice().sort((a, b) => a - b));
  assert.ok(elapsed < 2000, `two FilterLogEvents calls over 5000 events took ${elapsed.toFixed(0)} ms`);
});

// ---------------------------------------------------------------- wire details and the internal API

test('a Logs error travels as JSON 1.1 with a bare __type and HTTP 400', async () => {
  const response = await fetch(env.url, {
    method: 'POST',
    headers: { authorization: SIGNED_SHAPE, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DeleteLogGroup' },
    body: JSON.stringify({ logGroupName: '/test/wire-missing' }),
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    __type: 'ResourceNotFoundException',
    message: 'The specified log group does not exist.',
  });
});

test('a wrongly typed field is a 400 client error, never an internal failure', async () => {
  for (const body of [{ logGroupName: 42 }, { logGroupName: '/x', limit: 'ten' }, { logGroupName: '/x', logStreamNames: 'one' }]) {
    const response = await fetch(env.url, {
      method: 'POST',
      headers: { authorization: SIGNED_SHAPE, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.FilterLogEvents' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 400, JSON.stringify(body));
  }
});

test('appendLogEvents creates the group and the stream on first write, as Lambda does', async () => {
  const service = env.running.emulator.logs;
  const logGroupName = uniqueGroup('internal');
  assert.equal(service.hasLogGroup(logGroupName), false);
  service.appendLogEvents(logGroupName, '2026/01/01/[$LATEST]abc', [{ timestamp: Date.now(), message: 'START RequestId: x\n' }]);
  assert.equal(service.hasLogGroup(logGroupName), true);
  const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName }));
  assert.deepEqual(logStreams!.map((stream) => stream.logStreamName), ['2026/01/01/[$LATEST]abc']);
  const { events } = await filterAll({ logGroupName });
  assert.deepEqual(events!.map((event) => event.message), ['START RequestId: x\n']);
});

test('createLogGroup returns the :* arn and refuses a duplicate; deleteLogGroup refuses a missing group', () => {
  const service = env.running.emulator.logs;
  const logGroupName = uniqueGroup('internal-create');
  assert.deepEqual(service.createLogGroup(logGroupName, { retentionInDays: 1 }), {
    arn: `arn:aws:logs:us-east-1:000000000000:log-group:${logGroupName}:*`,
  });
  assert.throws(() => service.createLogGroup(logGroupName), { code: 'ResourceAlreadyExistsException' });
  service.putRetentionPolicy(logGroupName, 14);
  assert.throws(() => service.putRetentionPolicy(logGroupName, 15), { code: 'InvalidParameterException' });
  service.deleteLogGroup(logGroupName);
  assert.throws(() => service.deleteLogGroup(logGroupName), { code: 'ResourceNotFoundException' });
});

test('every change notifies stateChanged, and exportState/importState carry groups, streams and events', async () => {
  const source = new Emulator();
  let changes = 0;
  const notify = source.stateChanged.bind(source);
  source.stateChanged = (...args) => {
    changes++;
    notify(...args);
  };
  source.logs.operations.CreateLogGroup({ logGroupName: '/persist/me' });
  source.logs.operations.CreateLogStream({ logGroupName: '/persist/me', logStreamName: 's' });
  source.logs.operations.PutLogEvents({ logGroupName: '/persist/me', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'kept' }] });
  source.logs.putRetentionPolicy('/persist/me', 3);
  assert.equal(changes, 4);

  const copy = new Emulator();
  copy.logs.importState(JSON.parse(JSON.stringify(source.logs.exportState())));
  const before = source.logs.operations.FilterLogEvents({ logGroupName: '/persist/me' });
  const after = copy.logs.operations.FilterLogEvents({ logGroupName: '/persist/me' });
  assert.deepEqual(after, before);
  assert.equal(copy.logs.operations.DescribeLogGroups({}).logGroups![0]!.retentionInDays, 3);
  // Ingestion order continues after a restart: a new event sorts after the restored ones at the same timestamp.
  const timestamp = before.events![0]!.timestamp!;
  copy.logs.appendLogEvents('/persist/me', 's', [{ timestamp, message: 'after restart' }]);
  const events = copy.logs.operations.FilterLogEvents({ logGroupName: '/persist/me' }).events!;
  assert.deepEqual(events.map((event) => event.message), ['kept', 'after restart']);
  assert.notEqual(events[0]!.eventId, events[1]!.eventId);
  await Promise.all([source.close(), copy.close()]);
});

test('exportEntities/importEntities carry groups, streams and events, one entity each, and expire what retention ended', async () => {
  const source = new Emulator();
  const now = Date.now();
  source.logs.operations.CreateLogGroup({ logGroupName: '/entities/kept' });
  source.logs.operations.CreateLogStream({ logGroupName: '/entities/kept', logStreamName: 's' });
  source.logs.appendLogEvents('/entities/kept', 's', [
    { timestamp: now - 3 * 86_400_000, message: 'three days old' },
    { timestamp: now, message: 'new' },
  ]);
  const entities = [...source.logs.exportEntities()];
  assert.deepEqual(entities.map(([key]) => key.split('\u0000')[0]), ['g', 's', 'e', 'e']);

  const copy = new Emulator();
  copy.logs.importEntities(new Map(JSON.parse(JSON.stringify(entities)) as Array<[string, unknown]>));
  const messages = () => copy.logs.operations.FilterLogEvents({ logGroupName: '/entities/kept' }).events!.map((event) => event.message);
  assert.deepEqual(messages(), ['three days old', 'new']);
  // Retention of 1 day: the three-day-old event goes at once, from memory (and, through touch(), from disk).
  copy.logs.putRetentionPolicy('/entities/kept', 1);
  assert.deepEqual(messages(), ['new']);
  await Promise.all([source.close(), copy.close()]);
});

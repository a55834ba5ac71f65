// Deploy progress: this deploy's stack events once each, the live table on a terminal, one line per change otherwise.
import type { DescribeStackEventsCommandInput, StackEvent } from '@aws-sdk/client-cloudformation';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CloudFormationApi } from '../../src/aws/clients.js';
import { StackEventFeed } from '../../src/aws/stack-events.js';
import { createReporter, type OutputStream } from '../../src/cli/reporter.js';
import { DeployBoard, renderResourceTable, renderTransition, toneOf } from '../../src/lesson/deploy-progress.js';
import { plainPaint, type Paint } from '../../src/lesson/paint.js';

const TOKEN = 'lambda-async-demo-this-deploy';
const SINCE = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (seconds: number) => new Date(SINCE + seconds * 1000);

function event(id: string, logicalId: string, type: string, status: string, seconds: number, extra: Partial<StackEvent> = {}): StackEvent {
  return {
    EventId: id,
    StackName: 'LambdaAsync',
    StackId: 'stack-id',
    LogicalResourceId: logicalId,
    ResourceType: type,
    ResourceStatus: status as StackEvent['ResourceStatus'],
    Timestamp: at(seconds),
    ClientRequestToken: TOKEN,
    ...extra,
  };
}

/** DescribeStackEvents over a growing list (newest first), in pages of `pageSize`, counting its calls. */
function fakeCloudFormation(pageSize = 100) {
  const history: StackEvent[] = [];
  const calls: DescribeStackEventsCommandInput[] = [];
  const api = {
    async describeStackEvents(input: DescribeStackEventsCommandInput) {
      calls.push(input);
      const newestFirst = [...history].reverse();
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const page = newestFirst.slice(start, start + pageSize);
      return { StackEvents: page, NextToken: start + pageSize < newestFirst.length ? String(start + pageSize) : undefined, $metadata: {} };
    },
  } as unknown as CloudFormationApi;
  return { api, history, calls };
}

test('the feed returns each event of this deploy once, oldest first, and none of an earlier operation', async () => {
  const { api, history } = fakeCloudFormation(2);
  history.push(
    event('old-1', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE', -600, { ClientRequestToken: 'an-earlier-deploy' }),
    event('old-2', 'Function', 'AWS::Lambda::Function', 'UPDATE_COMPLETE', -5, { ClientRequestToken: 'an-earlier-deploy' }),
    event('untagged-old', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE', -3, { ClientRequestToken: undefined }),
    event('review', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'REVIEW_IN_PROGRESS', 0, { ClientRequestToken: undefined }),
    event('e1', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 1),
    event('e2', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_IN_PROGRESS', 2),
  );
  const feed = new StackEventFeed(api, { stackName: 'LambdaAsync', clientRequestToken: TOKEN, since: SINCE });
  assert.deepEqual((await feed.next()).map((e) => e.EventId), ['review', 'e1', 'e2'], 'paged back past a page boundary');
  assert.deepEqual(await feed.next(), [], 'nothing new, nothing repeated');
  history.push(
    event('e3', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_IN_PROGRESS', 3, { ResourceStatusReason: 'Resource creation Initiated' }),
    event('e4', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_COMPLETE', 4),
    event('e5', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE', 5),
  );
  assert.deepEqual((await feed.next()).map((e) => e.EventId), ['e3', 'e4', 'e5']);
});

test('the board keeps one row per resource, the stack first, and reports each status change once', () => {
  const board = new DeployBoard('LambdaAsync');
  const first = board.apply([
    event('1', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 1),
    event('2', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_IN_PROGRESS', 2),
    event('3', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_IN_PROGRESS', 3, { ResourceStatusReason: 'Resource creation Initiated' }),
  ]);
  assert.deepEqual(first.map((t) => `${t.logicalId} ${t.status}`), ['LambdaAsync CREATE_IN_PROGRESS', 'DeadLetterQueue CREATE_IN_PROGRESS']);
  board.apply([event('4', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_COMPLETE', 4), event('5', 'Function', 'AWS::Lambda::Function', 'CREATE_IN_PROGRESS', 5)]);
  assert.deepEqual(board.resources.map((row) => `${row.logicalId} ${row.status}`), [
    'LambdaAsync CREATE_IN_PROGRESS',
    'DeadLetterQueue CREATE_COMPLETE',
    'Function CREATE_IN_PROGRESS',
  ]);
  assert.ok(board.resources[0]!.isStack);
});

test('the root failure is the resource that failed for its own reason, not the ones cancelled because of it', () => {
  const board = new DeployBoard('LambdaAsync');
  board.apply([
    event('1', 'FunctionRole', 'AWS::IAM::Role', 'CREATE_FAILED', 1, { ResourceStatusReason: 'not authorized to perform: iam:CreateRole' }),
    event('2', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_FAILED', 2, { ResourceStatusReason: 'Resource creation cancelled' }),
    event('3', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'ROLLBACK_IN_PROGRESS', 3, {
      ResourceStatusReason: 'The following resource(s) failed to create: [FunctionRole, DeadLetterQueue]. Rollback requested by user.',
    }),
  ]);
  assert.equal(board.rootFailure()?.logicalId, 'FunctionRole');
});

test('statuses read at a glance: COMPLETE green, IN_PROGRESS yellow, FAILED and any ROLLBACK red', () => {
  assert.equal(toneOf('CREATE_COMPLETE'), 'complete');
  assert.equal(toneOf('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'), 'progress');
  assert.equal(toneOf('REVIEW_IN_PROGRESS'), 'progress');
  assert.equal(toneOf('CREATE_FAILED'), 'failed');
  assert.equal(toneOf('ROLLBACK_COMPLETE'), 'failed');
  assert.equal(toneOf('UPDATE_ROLLBACK_IN_PROGRESS'), 'failed');
  assert.equal(toneOf('DELETE_SKIPPED'), 'neutral');
});

const markingPaint: Paint = { ...plainPaint, pass: (t) => `<green>${t}</green>`, skip: (t) => `<yellow>${t}</yellow>`, fail: (t) => `<red>${t}</red>` };

test('the table aligns its columns, colours only the status, and never exceeds the width (reasons are clipped)', () => {
  const board = new DeployBoard('LambdaAsync');
  board.apply([
    event('1', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 1),
    event('2', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_COMPLETE', 2),
    event('3', 'FunctionRole', 'AWS::IAM::Role', 'CREATE_FAILED', 3, { ResourceStatusReason: 'x'.repeat(300) }),
  ]);
  const plain = renderResourceTable(board.resources, { paint: plainPaint, width: 100 });
  assert.deepEqual(plain.slice(0, 3), [
    '  Resource         Type                        Status',
    '  LambdaAsync      AWS::CloudFormation::Stack  CREATE_IN_PROGRESS',
    '  DeadLetterQueue  AWS::SQS::Queue             CREATE_COMPLETE',
  ]);
  assert.match(plain[3]!, /^ {2}FunctionRole {5}AWS::IAM::Role {14}CREATE_FAILED {7}x+…$/);
  for (const line of plain) assert.ok(line.length <= 100, `${line.length}: ${line}`);
  const painted = renderResourceTable(board.resources, { paint: markingPaint, width: 100 });
  assert.ok(painted[1]!.endsWith('<yellow>CREATE_IN_PROGRESS</yellow>'));
  assert.ok(painted[2]!.endsWith('<green>CREATE_COMPLETE</green>'));
  assert.ok(painted[3]!.includes('<red>CREATE_FAILED</red>'));
  const narrow = renderResourceTable(board.resources, { paint: plainPaint, width: 50 });
  assert.ok(!narrow.some((line) => line.includes('AWS::')), 'a narrow terminal drops the type column');
  for (const line of narrow) assert.ok(line.length <= 50, line);
});

test('a plain transition line: time, resource, type, status, and the reason of a failure', () => {
  const [transition] = new DeployBoard('LambdaAsync').apply([
    event('1', 'FunctionRole', 'AWS::IAM::Role', 'CREATE_FAILED', 7, { ResourceStatusReason: 'not authorized' }),
  ]);
  const time = at(7);
  const clock = [time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  assert.equal(renderTransition(transition!, plainPaint), `  ${clock}  FunctionRole        AWS::IAM::Role                  CREATE_FAILED  not authorized`);
});

function captureStream(tty: boolean): OutputStream & { text: () => string } & Record<string, unknown> {
  let text = '';
  return {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    isTTY: tty,
    columns: tty ? 100 : undefined,
    rows: 40,
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    once: () => undefined,
    text: () => text,
  };
}

const DEPLOY_EVENTS = [
  event('1', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 1),
  event('2', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_IN_PROGRESS', 2),
];
const DONE_EVENTS = [
  event('3', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_IN_PROGRESS', 3, { ResourceStatusReason: 'Resource creation Initiated' }),
  event('4', 'DeadLetterQueue', 'AWS::SQS::Queue', 'CREATE_COMPLETE', 4),
  event('5', 'LambdaAsync', 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE', 5),
];

test('without a terminal each transition prints once, with no spinner frames or control codes, then the outputs', async () => {
  const stdout = captureStream(false);
  const stderr = captureStream(false);
  const reporter = await createReporter({ stdout, stderr, env: {} }, { noColor: false, verbose: false });
  const view = reporter.progress.deployment!('Deploy stack LambdaAsync');
  view.events(DEPLOY_EVENTS);
  view.update('CREATE_IN_PROGRESS');
  view.events(DONE_EVENTS);
  view.done('created (CREATE_COMPLETE)', { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', FunctionName: 'SimpleFunc' });
  const lines = stderr.text().trimEnd().split('\n');
  assert.doesNotMatch(stderr.text(), /\u001b/, 'no control codes');
  assert.deepEqual(
    lines.map((line) => line.replace(/^ {2}\d\d:\d\d:\d\d {2}/, '  hh:mm:ss  ').replace(/\(\d+\.\d\d s\)/, '(t)')),
    [
      '  hh:mm:ss  LambdaAsync         AWS::CloudFormation::Stack      CREATE_IN_PROGRESS',
      '  hh:mm:ss  DeadLetterQueue     AWS::SQS::Queue                 CREATE_IN_PROGRESS',
      '  hh:mm:ss  DeadLetterQueue     AWS::SQS::Queue                 CREATE_COMPLETE',
      '  hh:mm:ss  LambdaAsync         AWS::CloudFormation::Stack      CREATE_COMPLETE',
      '✔ Deploy stack LambdaAsync: created (CREATE_COMPLETE) (t)',
      '  Output        Value',
      '  QueueUrl      https://sqs.eu-west-1.amazonaws.com/123456789012/q',
      '  FunctionName  SimpleFunc',
    ],
  );
  assert.equal(stdout.text(), '', 'progress only: stdout stays for results');
});

test('on a terminal the table is redrawn in place under a spinner, statuses coloured by state, and stays when done', async () => {
  const stdout = captureStream(true);
  const stderr = captureStream(true);
  const reporter = await createReporter({ stdout, stderr, env: { FORCE_COLOR: '1' } }, { noColor: false, verbose: false });
  const view = reporter.progress.deployment!('Deploy stack LambdaAsync');
  view.events(DEPLOY_EVENTS);
  await new Promise((resolve) => setTimeout(resolve, 150)); // a few spinner frames
  view.events(DONE_EVENTS);
  view.done('created (CREATE_COMPLETE)', { FunctionName: 'SimpleFunc' });
  const text = stderr.text();
  const yellow = '\u001b[33m\u001b[1mCREATE_IN_PROGRESS';
  const green = '\u001b[32m\u001b[1mCREATE_COMPLETE';
  assert.ok(text.includes(yellow), 'a resource in progress is yellow while it lasts');
  const persisted = text.slice(text.lastIndexOf('Deploy stack LambdaAsync: created'));
  assert.ok(persisted.includes(green), 'the final table, in green');
  assert.doesNotMatch(persisted, /CREATE_IN_PROGRESS/);
  assert.match(persisted, /DeadLetterQueue/);
  assert.match(persisted, /FunctionName.*SimpleFunc/);
});

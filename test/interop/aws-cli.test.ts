// The official AWS CLI (v1 and v2, whichever are installed) walks the lesson against the emulator with --endpoint-url.
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findAwsClis, notInstalledReason, runAwsCli, type AwsCli, type CliResult } from '../helpers/aws-cli.js';
import { eventually, startTestEmulator } from '../helpers/emulator.js';
import { NO_PYTHON_REASON, python312 } from '../helpers/python.js';

/** What a walk needs to know of the template it deploys: the bundled one (Node.js) or the course's (Python). */
interface Lesson {
  template: string;
  syncOkPayload: unknown;
  errorType: string;
  /** The bundled template owns its log group (teardown removes it); the course's leaves Lambda's behind, as on AWS. */
  ownsLogGroup: boolean;
}

const BUNDLED: Lesson = {
  template: fileURLToPath(new URL('../../templates/LambdaAsync.yaml', import.meta.url)),
  syncOkPayload: { statusCode: 200, body: 'Hello, chucks!' },
  errorType: 'Error',
  ownsLogGroup: true,
};
const COURSE: Lesson = {
  template: fileURLToPath(new URL('../fixtures/course-LambdaAsync.yaml', import.meta.url)),
  syncOkPayload: { statusCode: 200, body: '"Hello, chucks"' },
  errorType: 'Exception',
  ownsLogGroup: false,
};
const PYTHON = python312();
// The in-process emulator finds the interpreter through the variable a user would set.
if (PYTHON) process.env.LAMBDA_ASYNC_DEMO_PYTHON = PYTHON;

const SYNC_OK = '{"from":"sync","name":"chucks"}';
const SYNC_FAIL = '{"from":"sync","name":""}';
const ASYNC_OK = '{"from":"async","name":"chucks"}';
const ASYNC_FAIL = '{"from":"async","name":""}';

const DEPLOY = [
  'cloudformation', 'deploy', '--template-file', 'templates/LambdaAsync.yaml', '--stack-name', 'LambdaAsync',
  '--capabilities', 'CAPABILITY_IAM', '--disable-rollback',
];

/** The CLI's exit code for a service error: v1 uses 255 for every failure, v2 254 for service (ClientError) errors. */
function serviceErrorExitCode(cli: AwsCli): number {
  return cli.major === 1 ? 255 : 254;
}

function describe(result: CliResult): string {
  return `exit ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

function succeeded(result: CliResult): CliResult {
  assert.equal(result.exitCode, 0, describe(result));
  return result;
}

function json<T>(result: CliResult): T {
  return JSON.parse(succeeded(result).stdout) as T;
}

/** The RequestId of every START line, counted: one START per attempt. */
function startsByRequestId(events: Array<{ message: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { message } of events) {
    const requestId = /^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST/.exec(message)?.[1];
    if (requestId) counts.set(requestId, (counts.get(requestId) ?? 0) + 1);
  }
  return counts;
}

/** The Lambda request id botocore logs under --debug from the Invoke response headers. */
function requestIdFromDebugLog(stderr: string): string | undefined {
  return /'x-amzn-requestid': '([0-9a-f-]{36})'/i.exec(stderr)?.[1];
}

/**
 * The lesson, step by step, exactly as a person types it (plus --endpoint-url). v2 gets the lesson's
 * `--cli-binary-format raw-in-base64-out` on invoke and `--no-cli-pager` everywhere; v1 knows neither flag.
 */
async function walkTheLesson(t: TestContext, major: 1 | 2, lesson: Lesson = BUNDLED): Promise<void> {
  if (lesson === COURSE && !PYTHON) {
    t.skip(NO_PYTHON_REASON);
    return;
  }
  const clis = await findAwsClis();
  const cli = major === 1 ? clis.v1 : clis.v2;
  if (!cli) {
    t.skip(notInstalledReason(clis, major));
    return;
  }
  const emulator = await startTestEmulator({ retryDelaysMs: [200, 400] });
  // startTestEmulator's own after() hook, registered from inside a running test, can land on the file's root after
  // the root's hooks have run, leaving the server open and the file never ending: close this one with the test.
  t.after(async () => {
    for (const client of [emulator.cfn, emulator.lambda, emulator.sqs, emulator.logs]) client.destroy();
    await emulator.running.close();
  });
  // The lesson's commands use relative paths (templates/LambdaAsync.yaml, out.json): run them in a scratch folder.
  const workDir = mkdtempSync(join(tmpdir(), `lambda-async-demo-cli-v${major}-`));
  t.after(() => rmSync(workDir, { recursive: true, force: true }));
  mkdirSync(join(workDir, 'templates'));
  copyFileSync(lesson.template, join(workDir, 'templates', 'LambdaAsync.yaml'));

  const v2Only = (flags: string[]) => (cli.major === 2 ? flags : []);
  const aws = (args: string[]) =>
    runAwsCli(cli, [...args, '--endpoint-url', emulator.url, ...v2Only(['--no-cli-pager'])], { cwd: workDir });
  const invoke = (payload: string, outFile: string, asEvent: boolean, extra: string[] = []) =>
    aws([
      'lambda', 'invoke', '--function-name', 'SimpleFunc', ...(asEvent ? ['--invocation-type', 'Event'] : []),
      '--payload', payload, outFile, ...v2Only(['--cli-binary-format', 'raw-in-base64-out']), ...extra,
    ]);
  const outFile = (name: string) => readFileSync(join(workDir, name), 'utf8');

  // Step 0: deploy. The emulator finishes before the CLI's first poll, so this takes seconds, not 35 s.
  const deployed = succeeded(await aws(DEPLOY));
  assert.match(deployed.stdout, /Waiting for changeset to be created\.\./);
  assert.match(deployed.stdout, /Successfully created\/updated stack - LambdaAsync/);

  // A second identical deploy finds an empty change set. v1 fails on it by default (stderr, 255); v2 does not (stdout, 0).
  const redeployed = await aws(DEPLOY);
  if (cli.major === 1) {
    assert.equal(redeployed.exitCode, 255, describe(redeployed));
    assert.match(redeployed.stderr, /No changes to deploy\. Stack LambdaAsync is up to date/);
  } else {
    assert.equal(redeployed.exitCode, 0, describe(redeployed));
    assert.match(redeployed.stdout, /No changes to deploy\. Stack LambdaAsync is up to date/);
  }

  const outputs = json<Array<{ OutputKey: string; OutputValue: string }>>(
    await aws(['cloudformation', 'describe-stacks', '--stack-name', 'LambdaAsync', '--query', 'Stacks[0].Outputs']),
  );
  const queueUrl = outputs.find((output) => output.OutputKey === 'QueueUrl')?.OutputValue;
  assert.ok(queueUrl?.startsWith(`${emulator.url}/`), `QueueUrl points at the emulator: ${JSON.stringify(outputs)}`);

  // Steps 1-4.
  const syncOk = json<Record<string, unknown>>(await invoke(SYNC_OK, 'out1.json', false));
  assert.equal(syncOk.StatusCode, 200);
  assert.equal(syncOk.FunctionError, undefined);
  assert.deepEqual(JSON.parse(outFile('out1.json')), lesson.syncOkPayload);

  const syncFail = json<Record<string, unknown>>(await invoke(SYNC_FAIL, 'out2.json', false));
  assert.equal(syncFail.StatusCode, 200);
  assert.equal(syncFail.FunctionError, 'Unhandled');
  const errorDocument = JSON.parse(outFile('out2.json')) as { errorType: string; errorMessage: string };
  assert.equal(errorDocument.errorType, lesson.errorType);
  assert.match(errorDocument.errorMessage, /no name|None or empty/);

  const asyncOk = json<Record<string, unknown>>(await invoke(ASYNC_OK, 'out3.json', true));
  assert.deepEqual(asyncOk, { StatusCode: 202 });
  assert.equal(outFile('out3.json'), '');

  // --debug only adds botocore's log on stderr; it lets the test learn the RequestId the lesson then finds in the logs.
  const asyncFailRun = await invoke(ASYNC_FAIL, 'out4.json', true, ['--debug']);
  assert.deepEqual(json<Record<string, unknown>>(asyncFailRun), { StatusCode: 202 });
  assert.equal(outFile('out4.json'), '');
  const invokedRequestId = requestIdFromDebugLog(asyncFailRun.stderr);
  assert.ok(invokedRequestId, 'the Invoke response carries x-amzn-RequestId');

  // Step 5: one START per attempt. Four invocations: three run once, the failing event runs 1 + 2 retries.
  const starts = await eventually(async () => {
    const page = json<{ events: Array<{ message: string }> }>(
      await aws(['logs', 'filter-log-events', '--log-group-name', '/aws/lambda/SimpleFunc']),
    );
    const counts = startsByRequestId(page.events);
    return [...counts.values()].includes(3) ? counts : undefined;
  }, 30_000);
  assert.deepEqual([...starts.values()].sort(), [1, 1, 1, 3]);
  const failedRequestId = [...starts].find(([, count]) => count === 3)![0];
  assert.equal(failedRequestId, invokedRequestId);

  // Step 6: the dead-letter queue holds the failed event, byte for byte, with Lambda's three attributes.
  const received = json<{ Messages?: Array<{ Body: string; ReceiptHandle: string; MessageAttributes: unknown }> }>(
    await aws(['sqs', 'receive-message', '--queue-url', queueUrl!, '--message-attribute-names', 'All', '--wait-time-seconds', '5']),
  );
  assert.equal(received.Messages?.length, 1, JSON.stringify(received));
  const [message] = received.Messages!;
  assert.equal(message.Body, ASYNC_FAIL);
  assert.deepEqual(message.MessageAttributes, {
    RequestID: { DataType: 'String', StringValue: failedRequestId },
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    ErrorMessage: { DataType: 'String', StringValue: errorDocument.errorMessage },
  });
  const deleted = succeeded(
    await aws(['sqs', 'delete-message', '--queue-url', queueUrl!, '--receipt-handle', message.ReceiptHandle]),
  );
  assert.equal(deleted.stdout.trim(), '');
  const left = await emulator.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  assert.deepEqual(left.Attributes, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });

  // Teardown leaves nothing behind.
  succeeded(await aws(['cloudformation', 'delete-stack', '--stack-name', 'LambdaAsync']));
  succeeded(await aws(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'LambdaAsync']));
  const [stack, func, queue, groups] = await Promise.all([
    aws(['cloudformation', 'describe-stacks', '--stack-name', 'LambdaAsync']),
    aws(['lambda', 'get-function', '--function-name', 'SimpleFunc']),
    // --debug shows which protocol this CLI speaks to SQS: the query protocol words the error differently.
    aws(['sqs', 'get-queue-attributes', '--queue-url', queueUrl!, '--debug']),
    aws(['logs', 'describe-log-groups']),
  ]);
  for (const failed of [stack, func, queue]) assert.equal(failed.exitCode, serviceErrorExitCode(cli), describe(failed));
  assert.match(
    stack.stderr,
    /An error occurred \(ValidationError\) when calling the DescribeStacks operation: Stack with id LambdaAsync does not exist\n/,
  );
  assert.match(
    func.stderr,
    /An error occurred \(ResourceNotFoundException\) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:\d{12}:function:SimpleFunc\n/,
  );
  // docs/aws-semantics.md §5.2: JSON 1.0 says "...does not exist.", the query protocol "...for this wsdl version."
  const speaksQuery = /'Action': 'GetQueueAttributes'/.test(queue.stderr);
  assert.ok(speaksQuery || /AmazonSQS\.GetQueueAttributes/.test(queue.stderr), 'the debug log shows the SQS protocol');
  const queueMessage = speaksQuery
    ? 'The specified queue does not exist for this wsdl version.'
    : 'The specified queue does not exist.';
  assert.equal(
    queue.stderr.trimEnd().split('\n').at(-1),
    `An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueAttributes operation: ${queueMessage}`,
  );
  const logGroups = json<{ logGroups: Array<{ logGroupName: string }> }>(groups).logGroups.map((group) => group.logGroupName);
  assert.equal(logGroups.includes('/aws/lambda/SimpleFunc'), !lesson.ownsLogGroup, `log groups left: ${logGroups.join(', ')}`);
}

test('AWS CLI v1 walks the lesson: deploy, 200/200/202/202, three STARTs, the DLQ message, teardown', async (t) => {
  await walkTheLesson(t, 1);
});

test('AWS CLI v2 walks the lesson with the lesson flags: deploy, 200/200/202/202, three STARTs, the DLQ message, teardown', async (t) => {
  await walkTheLesson(t, 2);
});

test("AWS CLI v1 walks the course's own Python template: python3.12 SimpleFunc, 200/200/202/202, three STARTs, the DLQ message", async (t) => {
  await walkTheLesson(t, 1, COURSE);
});

test("AWS CLI v2 walks the course's own Python template with the lesson flags", async (t) => {
  await walkTheLesson(t, 2, COURSE);
});

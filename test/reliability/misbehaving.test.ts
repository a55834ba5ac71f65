// Functions that misbehave: each gets the payload, FunctionError and log lines the Node.js runtime gives on AWS, a dead
// environment is replaced, and the emulator keeps answering everyone else while a function hangs.
// The Python twins are in misbehaving-python.test.ts; what both share is in test/helpers/misbehaving.ts.
import { FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, startTestEmulator } from '../helpers/emulator.js';
import * as shared from '../helpers/misbehaving.js';

const env = await startTestEmulator();
const { emulator } = env.running;
const role = emulator.iam.createRole({ RoleName: 'misbehaving-role' });

function deploy(name: string, handlerBody: string, timeoutSeconds = 3): string {
  emulator.lambda.createFunction({
    FunctionName: name,
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: role.Arn,
    Timeout: timeoutSeconds,
    // `event.ok` lets the same function answer normally, to see which environment serves the next call.
    Code: { ZipFile: `exports.handler = async (event) => {\n  if (event.ok) return 'fine';\n  ${handlerBody}\n};` },
  });
  return name;
}

const invoke = (functionName: string, event: unknown = {}) => shared.invoke(env, functionName, event);
const environmentOf = (functionName: string, requestId: string) => shared.environmentOf(env, functionName, requestId);

async function logLines(functionName: string, requestId: string): Promise<FilteredLogEvent[]> {
  // Lines of one invocation: every line naming it, plus the runtime's own lines in between (they carry the id too).
  const { events = [] } = await env.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, filterPattern: `"${requestId}"` }));
  return events;
}

/** Asserts the platform frame every invocation gets, START then END then REPORT, whatever the function did. */
function assertFramed(lines: FilteredLogEvent[], requestId: string): void {
  const messages = lines.map((line) => line.message!);
  const start = messages.indexOf(`START RequestId: ${requestId} Version: $LATEST\n`);
  const end = messages.indexOf(`END RequestId: ${requestId}\n`);
  const report = messages.findIndex((message) => message.startsWith(`REPORT RequestId: ${requestId}\t`));
  assert.ok(start >= 0 && end > start && report > end, `START/END/REPORT for ${requestId}:\n${messages.join('')}`);
}

test('a handler that throws a non-Error answers its typeof and String(), an empty trace, and logs Invoke Error', async () => {
  const name = deploy('throws-string', "throw 'not an error object';");
  const { output, requestId, body } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  assert.deepEqual(body, { errorType: 'string', errorMessage: 'not an error object', trace: [] });
  const lines = await logLines(name, requestId);
  assertFramed(lines, requestId);
  assert.ok(lines.some((line) => /\tERROR\tInvoke Error \t.*not an error object/.test(line.message!)), 'Invoke Error line');
  // A thrown value is not a crash: the warm environment serves the next call.
  const next = await invoke(name, { ok: true });
  assert.equal(await environmentOf(name, next.requestId), await environmentOf(name, requestId));
});

test('a handler that rejects answers the rejection as errorType, errorMessage and trace', async () => {
  const name = deploy('rejects', "return Promise.reject(new TypeError('rejected on purpose'));");
  const { output, requestId, body } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  assert.equal(body.errorType, 'TypeError');
  assert.equal(body.errorMessage, 'rejected on purpose');
  assert.ok(Array.isArray(body.trace) && (body.trace as string[])[0]!.startsWith('TypeError: rejected on purpose'));
  assertFramed(await logLines(name, requestId), requestId);
});

test('a handler that outlives its Timeout answers Sandbox.Timedout, logs the timeout line, and its environment is replaced', async () => {
  const name = deploy('times-out', 'await new Promise((resolve) => setTimeout(resolve, 60_000));', 1);
  const { output, requestId, body } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  // The elapsed time, two decimals: a 1 s timeout reads 1.00 to 1.0x seconds, as on AWS.
  assert.deepEqual(Object.keys(body), ['errorType', 'errorMessage']);
  assert.equal(body.errorType, 'Sandbox.Timedout');
  assert.match(body.errorMessage as string, new RegExp(`^RequestId: ${requestId} Error: Task timed out after 1\\.\\d\\d seconds$`));
  const lines = await logLines(name, requestId);
  assertFramed(lines, requestId);
  assert.ok(lines.some((line) => new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${requestId} Task timed out after 1\\.\\d\\d seconds\\n$`).test(line.message!)));
  const next = await invoke(name, { ok: true });
  assert.equal(next.output.FunctionError, undefined);
  assert.notEqual(await environmentOf(name, next.requestId), await environmentOf(name, requestId), 'the timed-out environment was reused');
});

test('a handler that calls process.exit answers Runtime.ExitError with the status, and its environment is replaced', async () => {
  const name = deploy('exits', 'process.exit(3);');
  const { output, requestId, body } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  assert.deepEqual(body, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 3` });
  const lines = await logLines(name, requestId);
  assertFramed(lines, requestId);
  assert.ok(lines.some((line) => line.message === `RequestId: ${requestId} Error: Runtime exited with error: exit status 3\nRuntime.ExitError\n`));
  const next = await invoke(name, { ok: true });
  assert.equal(next.body as unknown, 'fine');
  assert.notEqual(await environmentOf(name, next.requestId), await environmentOf(name, requestId));
});

test('an uncaught exception in a timer fails the invocation with that error, logs Uncaught Exception, and replaces the environment', async () => {
  const name = deploy('crashes', "setTimeout(() => { throw new RangeError('thrown from a timer'); }, 10);\n  await new Promise(() => {});");
  const { output, requestId, body } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  assert.equal(body.errorType, 'RangeError');
  assert.equal(body.errorMessage, 'thrown from a timer');
  const lines = await logLines(name, requestId);
  assertFramed(lines, requestId);
  assert.ok(lines.some((line) => /\tERROR\tUncaught Exception \t\{"errorType":"RangeError","errorMessage":"thrown from a timer"/.test(line.message!)));
  const next = await invoke(name, { ok: true });
  assert.equal(next.body as unknown, 'fine');
  assert.notEqual(await environmentOf(name, next.requestId), await environmentOf(name, requestId));
});

test('a synchronous endless loop is still killed at its Timeout, while SQS and other functions keep answering', async () => {
  const { startedAt, answeredAt } = await shared.endlessLoopKeepsOthersServing(env, deploy('spins', 'while (true) {}', 3), deploy('healthy', "return 'unused';"), 'still-serving');
  assert.ok(answeredAt - startedAt >= 3000);
});

for (const [label, value] of [
  ['a BigInt', '10n'],
  ['a circular object', '(() => { const loop = {}; loop.self = loop; return loop; })()'],
] as const) {
  test(`a handler that returns ${label} answers Runtime.JSONStringifyError "Unable to stringify response body"`, async () => {
    // The runtime client serialises the result and fails the invocation when it cannot (RIC src/utils/serialize.ts).
    const name = deploy(`returns-${label.split(' ').pop()!.toLowerCase()}`, `return ${value};`);
    const { output, requestId, body } = await invoke(name);
    assert.equal(output.FunctionError, 'Unhandled');
    assert.equal(body.errorType, 'Runtime.JSONStringifyError');
    assert.equal(body.errorMessage, 'Unable to stringify response body');
    const lines = await logLines(name, requestId);
    assertFramed(lines, requestId);
    assert.ok(lines.some((line) => /\tERROR\tInvoke Error \t\{"errorType":"Runtime.JSONStringifyError"/.test(line.message!)));
    const next = await invoke(name, { ok: true });
    assert.equal(next.body as unknown, 'fine');
  });
}

test('a handler that returns more than 6 MB answers Function.ResponseSizeTooLarge with AWS message', async () => {
  const name = deploy('returns-too-much', "return 'x'.repeat(6_291_557);");
  const requestId = await shared.responseSizeLimit(env, name, () => deploy('returns-just-enough', "return 'x'.repeat(6_291_554);"));
  assertFramed(await logLines(name, requestId), requestId);
});

test('a failing async event of a crashing function is retried and dead-lettered like any function error', async () => {
  const queue = emulator.sqs.createQueue('crash-dlq');
  const dlqRole = emulator.iam.createRole({
    RoleName: 'crash-dlq-role',
    Policies: [{ PolicyName: 'dlq', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue.QueueArn }] } }],
  });
  emulator.lambda.createFunction({
    FunctionName: 'async-exits',
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: dlqRole.Arn,
    Code: { ZipFile: 'exports.handler = async () => { process.exit(7); };' },
    DeadLetterConfig: { TargetArn: queue.QueueArn },
  });
  const accepted = await env.lambda.send(new InvokeCommand({ FunctionName: 'async-exits', InvocationType: 'Event', Payload: new TextEncoder().encode('{"n":1}') }));
  const requestId = accepted.$metadata.requestId!;
  const message = await eventually(async () => {
    const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MessageAttributeNames: ['All'] }));
    return Messages[0];
  }, 15_000);
  assert.equal(message.Body, '{"n":1}');
  assert.equal(message.MessageAttributes?.RequestID?.StringValue, requestId);
  assert.equal(message.MessageAttributes?.ErrorMessage?.StringValue, `RequestId: ${requestId} Error: Runtime exited with error: exit status 7`);
  const starts = (await logLines('async-exits', requestId)).filter((line) => line.message!.startsWith('START'));
  assert.equal(starts.length, 3);
  assert.equal(new Set(starts.map((line) => line.logStreamName)).size, 3, 'each attempt ran in a fresh environment');
});

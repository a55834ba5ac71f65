// Python functions that misbehave (the twins of misbehaving.test.ts): each gets the payload, FunctionError and log
// lines AWS's Python runtime gives, a dead environment is replaced, and the emulator keeps answering while one hangs.
// The runtime's side is awslambdaric (docs/aws-semantics.md §9); the platform's side (exits, timeouts) is §1.2 and §3.
// Skipped, with the reason, when this machine has no Python 3.12 or later.
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newestLocalPythonRuntime } from '../../src/emulator/lambda-runner/runtimes.js';
import { eventually, startTestEmulator } from '../helpers/emulator.js';
import * as shared from '../helpers/misbehaving.js';
import { NO_PYTHON_REASON, python312 } from '../helpers/python.js';

const interpreter = python312();
// The emulator runs in this process: it finds the interpreter through the variable a user would set.
if (interpreter) process.env.LAMBDA_ASYNC_DEMO_PYTHON = interpreter;
const skip = interpreter ? false : NO_PYTHON_REASON;
if (skip) console.log(`misbehaving-python: skipped, ${skip}`);
const runtime = newestLocalPythonRuntime() ?? 'python3.12';

const env = await startTestEmulator();
const { emulator } = env.running;
const role = emulator.iam.createRole({ RoleName: 'misbehaving-python-role' });

/** A function whose handler answers "fine" to `{ok: true}` (to see which environment serves the next call), else runs `handlerBody`. */
function deploy(name: string, handlerBody: string, timeoutSeconds = 3, header = ''): string {
  emulator.lambda.createFunction({
    FunctionName: name,
    Runtime: runtime,
    Handler: 'index.lambda_handler',
    Role: role.Arn,
    Timeout: timeoutSeconds,
    Code: { ZipFile: `${header}\ndef lambda_handler(event, context):\n    if event.get("ok"):\n        return "fine"\n    ${handlerBody}\n` },
  });
  return name;
}

const invoke = (functionName: string, event: unknown = {}) => shared.invoke(env, functionName, event);
const environmentOf = (functionName: string, requestId: string) => shared.environmentOf(env, functionName, requestId);

/** Every log event of the invocation, its START to its REPORT, with END before REPORT. */
async function invocationLines(functionName: string, requestId: string): Promise<string[]> {
  const { events = [] } = await env.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }));
  const messages = events.map((event) => event.message!);
  const start = messages.indexOf(`START RequestId: ${requestId} Version: $LATEST\n`);
  const report = messages.findIndex((message) => message.startsWith(`REPORT RequestId: ${requestId}\t`));
  assert.ok(start >= 0 && report > start, `START/REPORT for ${requestId}:\n${messages.join('')}`);
  assert.ok(messages.slice(start, report).includes(`END RequestId: ${requestId}\n`), 'END before REPORT');
  return messages.slice(start, report + 1);
}

/**
 * The runtime's own events as AWS writes them. AWS's [ERROR] event has no newline at its end (docs/aws-semantics.md §3);
 * the emulator's has one, which its LogType=Tail excerpt needs (bootstrap.py _log_event): compared without it.
 */
function runtimeEvents(lines: string[]): string[] {
  return lines.map((line) => line.replace(/\n$/, ''));
}

test('a handler that raises its own exception class answers that class name, the message and a stackTrace list', { skip }, async () => {
  const name = deploy('py-raises-custom', 'raise NameMissing("no name given")', 3, 'class NameMissing(Exception):\n    pass\n');
  const { output, requestId, text } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  // awslambdaric make_error: these keys in this order (docs/aws-semantics.md §1.5).
  assert.equal(
    text,
    JSON.stringify({
      errorMessage: 'no name given',
      errorType: 'NameMissing',
      requestId,
      stackTrace: ['  File "/var/task/index.py", line 7, in lambda_handler\n    raise NameMissing("no name given")\n'],
    }),
  );
  // One event, the traceback's indentation in U+00A0 (docs/aws-semantics.md §3, §9).
  const lines = await invocationLines(name, requestId);
  assert.ok(
    runtimeEvents(lines).includes(
      '[ERROR] NameMissing: no name given\nTraceback (most recent call last):\n' +
        '\u00a0\u00a0File "/var/task/index.py", line 7, in lambda_handler\n\u00a0\u00a0\u00a0\u00a0raise NameMissing("no name given")',
    ),
    lines.join(''),
  );
  // A raised exception is not a crash: the warm environment serves the next call.
  const next = await invoke(name, { ok: true });
  assert.equal(await environmentOf(name, next.requestId), await environmentOf(name, requestId));
});

test(
  'sys.exit(0) in a handler answers Runtime.ExitError "Runtime exited without providing a reason", and the environment is replaced',
  // Recorded on AWS (python3.12, LocalStack TestLambdaErrors::test_lambda_handler_exit, docs/aws-semantics.md §9).
  { skip },
  async () => {
    const name = deploy('py-exits-0', 'print("leaving")\n    sys.exit(0)', 3, 'import sys\n');
    const { output, requestId, body } = await invoke(name);
    assert.equal(output.FunctionError, 'Unhandled');
    assert.equal(body.errorType, 'Runtime.ExitError');
    const lines = await invocationLines(name, requestId);
    assert.ok(lines.includes('leaving\n'), 'what it printed before exiting');
    const next = await invoke(name, { ok: true });
    assert.equal(next.body as unknown, 'fine');
    assert.notEqual(await environmentOf(name, next.requestId), await environmentOf(name, requestId));
    assert.deepEqual(body, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited without providing a reason` });
  },
);

test('sys.exit with a status or a message answers Runtime.ExitError with the exit status, and what it printed is logged', { skip }, async () => {
  const name = deploy('py-exits-3', 'print("partial line", end="")\n    sys.exit(event.get("code", 3))', 3, 'import sys\n');
  const { requestId, body } = await invoke(name);
  assert.deepEqual(body, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 3` });
  const lines = await invocationLines(name, requestId);
  assert.ok(lines.includes('partial line\n'), 'a line without its newline still reaches the log');
  assert.ok(lines.includes(`RequestId: ${requestId} Error: Runtime exited with error: exit status 3\nRuntime.ExitError\n`));
  // sys.exit("text") prints the text to stderr and exits with status 1, as Python does.
  const withText = await invoke(name, { code: 'configuration missing' });
  assert.equal(withText.body.errorMessage, `RequestId: ${withText.requestId} Error: Runtime exited with error: exit status 1`);
  assert.ok((await invocationLines(name, withText.requestId)).includes('configuration missing\n'));
});

test('a handler that outlives its Timeout answers Sandbox.Timedout, logs the timeout line, and its environment is replaced', { skip }, async () => {
  // The configured Timeout ends it; what is checked is the outcome, never how long it took.
  const name = deploy('py-times-out', 'time.sleep(60)', 1, 'import time\n');
  const { output, requestId, body } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  assert.deepEqual(Object.keys(body), ['errorType', 'errorMessage']);
  assert.equal(body.errorType, 'Sandbox.Timedout');
  assert.match(body.errorMessage as string, new RegExp(`^RequestId: ${requestId} Error: Task timed out after \\d+\\.\\d\\d seconds$`));
  const lines = await invocationLines(name, requestId);
  assert.ok(lines.some((line) => new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${requestId} Task timed out after \\d+\\.\\d\\d seconds\\n$`).test(line)));
  const next = await invoke(name, { ok: true });
  assert.equal(next.output.FunctionError, undefined);
  assert.notEqual(await environmentOf(name, next.requestId), await environmentOf(name, requestId), 'the timed-out environment was reused');
});

test('an endless loop is killed at its Timeout, while SQS and other functions keep answering', { skip }, async () => {
  await shared.endlessLoopKeepsOthersServing(env, deploy('py-spins', 'while True:\n        pass', 3), deploy('py-healthy', 'return "unused"'), 'python-still-serving');
});

for (const [label, value, detail] of [
  ['a set', '{1, 2}', 'Object of type set is not JSON serializable'],
  ['an object', 'object()', 'Object of type object is not JSON serializable'],
  ['a circular list', '(lambda loop: (loop.append(loop), loop)[1])([])', 'Circular reference detected'],
] as const) {
  test(`a handler that returns ${label} answers Runtime.MarshalError "Unable to marshal response: ${detail}"`, { skip }, async () => {
    // lambda_runtime_marshaller.py marshal_response: FaultException(MARSHAL_ERROR, "Unable to marshal response: ..."),
    // no trace; log_error still writes the Traceback header for the empty list (docs/aws-semantics.md §9).
    const name = deploy(`py-returns-${label.split(' ').pop()}`, `return ${value}`);
    const { output, requestId, text } = await invoke(name);
    assert.equal(output.FunctionError, 'Unhandled');
    assert.equal(
      text,
      JSON.stringify({ errorMessage: `Unable to marshal response: ${detail}`, errorType: 'Runtime.MarshalError', requestId, stackTrace: [] }),
    );
    const lines = await invocationLines(name, requestId);
    assert.ok(
      runtimeEvents(lines).includes(`[ERROR] Runtime.MarshalError: Unable to marshal response: ${detail}\nTraceback (most recent call last):`),
      lines.join(''),
    );
    const next = await invoke(name, { ok: true });
    assert.equal(next.body as unknown, 'fine');
  });
}

test('a handler that returns more than 6 MB answers Function.ResponseSizeTooLarge with AWS message', { skip }, async () => {
  // The JSON string's two quotes count: 6,291,554 characters make exactly the limit.
  const name = deploy('py-returns-too-much', 'return "x" * 6_291_557');
  const requestId = await shared.responseSizeLimit(env, name, () => deploy('py-returns-just-enough', 'return "x" * 6_291_554'));
  await invocationLines(name, requestId);
});

test('an exception that ends a thread is logged as Python reports it, with /var/task paths, and the invocation still answers', { skip }, async () => {
  const name = deploy(
    'py-thread-raises',
    'worker = threading.Thread(target=explode, name="worker")\n    worker.start()\n    worker.join()\n    return "after the thread"',
    3,
    'import threading\ndef explode():\n    raise ValueError("thrown in a thread")\n',
  );
  const { output, requestId, body } = await invoke(name);
  assert.equal(output.FunctionError, undefined);
  assert.equal(body as unknown, 'after the thread');
  const lines = await invocationLines(name, requestId);
  const at = lines.indexOf('Exception in thread worker:\n');
  assert.ok(at > 0, lines.join(''));
  assert.equal(lines[at + 1], 'Traceback (most recent call last):\n');
  assert.ok(lines.includes('  File "/var/task/index.py", line 3, in explode\n'), lines.join(''));
  assert.ok(lines.includes('ValueError: thrown in a thread\n'));
  const next = await invoke(name, { ok: true });
  assert.equal(await environmentOf(name, next.requestId), await environmentOf(name, requestId));
});

test('a thread that ends the process (os._exit, a segfault) answers Runtime.ExitError and replaces the environment', { skip }, async () => {
  const name = deploy(
    'py-thread-exits',
    'threading.Thread(target=CRASHES[event["how"]]).start()\n    time.sleep(10)',
    // The crash ends these invocations at once; had it not, the Timeout would (and the test fail on Sandbox.Timedout).
    5,
    'import ctypes, os, threading, time\nCRASHES = {"exit": lambda: os._exit(4), "segfault": lambda: ctypes.string_at(0)}\n',
  );
  const exited = await invoke(name, { how: 'exit' });
  assert.equal(exited.output.FunctionError, 'Unhandled');
  assert.deepEqual(exited.body, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${exited.requestId} Error: Runtime exited with error: exit status 4` });
  const crashed = await invoke(name, { how: 'segfault' });
  assert.equal(crashed.output.FunctionError, 'Unhandled');
  assert.deepEqual(Object.keys(crashed.body), ['errorType', 'errorMessage']);
  assert.equal(crashed.body.errorType, 'Runtime.ExitError');
  // The signal's wording after "signal: " is the emulator's (runtimeExitReason): only `signal: killed` is known from AWS.
  assert.match(crashed.body.errorMessage as string, new RegExp(`^RequestId: ${crashed.requestId} Error: Runtime exited with error: signal: \\S`));
  assert.ok((await invocationLines(name, crashed.requestId)).includes(`${crashed.body.errorMessage as string}\nRuntime.ExitError\n`));
  const next = await invoke(name, { ok: true });
  assert.equal(next.body as unknown, 'fine');
  assert.notEqual(await environmentOf(name, next.requestId), await environmentOf(name, crashed.requestId));
});

test('a failing async event of a Python function is retried twice and dead-lettered with its three attributes', { skip }, async () => {
  const queue = emulator.sqs.createQueue('python-dlq');
  const dlqRole = emulator.iam.createRole({
    RoleName: 'python-dlq-role',
    Policies: [{ PolicyName: 'dlq', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue.QueueArn }] } }],
  });
  emulator.lambda.createFunction({
    FunctionName: 'py-async-raises',
    Runtime: runtime,
    Handler: 'index.lambda_handler',
    Role: dlqRole.Arn,
    Code: { ZipFile: 'def lambda_handler(event, context):\n    raise Exception("name is None or empty")\n' },
    DeadLetterConfig: { TargetArn: queue.QueueArn },
  });
  const accepted = await env.lambda.send(
    new InvokeCommand({ FunctionName: 'py-async-raises', InvocationType: 'Event', Payload: new TextEncoder().encode('{"from": "async"}') }),
  );
  const requestId = accepted.$metadata.requestId!;
  const message = await eventually(async () => {
    const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MessageAttributeNames: ['All'] }));
    return Messages[0];
  }, 15_000);
  assert.equal(message.Body, '{"from": "async"}');
  assert.equal(message.MessageAttributes?.RequestID?.StringValue, requestId);
  assert.equal(message.MessageAttributes?.ErrorCode?.StringValue, '200');
  assert.equal(message.MessageAttributes?.ErrorMessage?.StringValue, 'name is None or empty');
  const { events = [] } = await env.logs.send(
    new FilterLogEventsCommand({ logGroupName: '/aws/lambda/py-async-raises', filterPattern: `"START RequestId: ${requestId}"` }),
  );
  assert.equal(events.length, 3, 'the first attempt and two retries, with the same request id');
  const errors = await env.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/py-async-raises', filterPattern: '"[ERROR] Exception: name is None or empty"' }));
  assert.equal(errors.events?.length, 3, 'each attempt logged its [ERROR] line');
});

/** A function whose code fails before its handler runs: the first invocation answers the init error. */
async function failedInit(name: string, code: string, handler = 'index.lambda_handler') {
  emulator.lambda.createFunction({ FunctionName: name, Runtime: runtime, Handler: handler, Role: role.Arn, Code: { ZipFile: code } });
  const invocation = await invoke(name);
  assert.equal(invocation.output.FunctionError, 'Unhandled');
  const { events = [] } = await env.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}` }));
  return { ...invocation, log: runtimeEvents(events.map((event) => event.message!)) };
}

for (const [label, handler, code, errorType, errorMessage] of [
  ['a missing dependency', 'index.lambda_handler', 'import not_installed_anywhere\n', 'Runtime.ImportModuleError', "Unable to import module 'index': No module named 'not_installed_anywhere'"],
  ['a handler the module lacks', 'index.missing', 'def lambda_handler(event, context):\n    return 1\n', 'Runtime.HandlerNotFound', "Handler 'missing' missing on module 'index'"],
  ['a handler setting with no dot', 'index', 'def lambda_handler(event, context):\n    return 1\n', 'Runtime.MalformedHandlerName', "Bad handler 'index': not enough values to unpack (expected 2, got 1)"],
  ['a built-in module as the handler module', 'sys.lambda_handler', 'def lambda_handler(event, context):\n    return 1\n', 'Runtime.BuiltInModuleConflict', 'Cannot use built-in module sys as a handler module'],
] as const) {
  test(`${label} fails the init with ${errorType}, in AWS's words, an empty stackTrace and the LAMBDA_WARNING line`, { skip }, async () => {
    // awslambdaric bootstrap.py _get_handler and run() (docs/aws-semantics.md §9).
    const { text, log } = await failedInit(`py-init-${errorType.split('.')[1]!.toLowerCase()}`, code, handler);
    assert.equal(text, JSON.stringify({ errorMessage, errorType, requestId: '', stackTrace: [] }));
    const warning = log.findIndex((line) => /^\[WARNING\]\t\S+Z\t\tLAMBDA_WARNING: Unhandled exception\. The most likely cause is an issue in the function code\. .*runtimes-update\.html\r$/.test(line));
    assert.ok(warning >= 0, log.join('\n'));
    assert.equal(log[warning + 1], `[ERROR] ${errorType}: ${errorMessage}\nTraceback (most recent call last):`);
  });
}

test('any ImportError of the module is Runtime.ImportModuleError, its message naming files where AWS keeps them', { skip }, async () => {
  const { body } = await failedInit('py-init-import-name', 'from json import nothing_here\n');
  assert.equal(body.errorType, 'Runtime.ImportModuleError');
  assert.match(body.errorMessage as string, /^Unable to import module 'index': cannot import name 'nothing_here' from 'json' \(\/var\/lang\/lib\/python3\.\d+\/json\/__init__\.py\)$/);
});

test('a syntax error is Runtime.UserCodeSyntaxError with the line as its stackTrace', { skip }, async () => {
  const { body } = await failedInit('py-init-syntax', 'def lambda_handler(event, context):\n    x = = 1\n');
  assert.equal(body.errorType, 'Runtime.UserCodeSyntaxError');
  assert.match(body.errorMessage as string, /^Syntax error in module 'index': .+ \(index\.py, line 2\)$/);
  assert.deepEqual(body.stackTrace, ['  File "/var/task/index.py" Line 2\n        x = = 1\n']);
});

test('an exception raised while the module loads answers its class and the import frames, requestId empty', { skip }, async () => {
  // As recorded on AWS for python3.13 (LocalStack TestLambdaErrors::test_lambda_runtime_error, docs/aws-semantics.md §9).
  const { text, body, log } = await failedInit('py-init-raises', 'raise Exception("Runtime startup fails")\n');
  assert.deepEqual(Object.keys(body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
  assert.equal(body.errorType, 'Exception');
  assert.equal(body.errorMessage, 'Runtime startup fails');
  assert.equal(body.requestId, '');
  const trace = body.stackTrace as string[];
  assert.match(trace[0]!, /^ {2}File "\/var\/lang\/lib\/python3\.\d+\/importlib\/__init__\.py", line \d+, in import_module\n/);
  assert.equal(trace.at(-1), '  File "/var/task/index.py", line 1, in <module>\n    raise Exception("Runtime startup fails")\n');
  assert.ok(log.some((line) => line.startsWith('[ERROR] Exception: Runtime startup fails\nTraceback (most recent call last):\n\u00a0\u00a0File "/var/lang/lib/')), text);
});

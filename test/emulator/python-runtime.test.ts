// Python functions on the emulator, as AWS's Python runtime runs them: handler(event, context), INIT once per
// environment, print and logging in the runtime's format, AWS's error payloads (exceptions, MarshalError, sys.exit,
// timeouts, crashes), and the environment Lambda sets. Runs with the local python3 (a runtime it satisfies).
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newestLocalPythonRuntime } from '../../src/emulator/lambda-runner/runtimes.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { encode } from '../helpers/functions.js';
import { NO_PYTHON_REASON, python312 } from '../helpers/python.js';

const interpreter = python312();
// The emulator runs in this process: it finds the interpreter through the variable a user would set.
if (interpreter) process.env.LAMBDA_ASYNC_DEMO_PYTHON = interpreter;
const SKIP = interpreter ? false : NO_PYTHON_REASON;
/** The newest Python runtime the interpreter satisfies. */
const PYTHON_RUNTIME = newestLocalPythonRuntime() ?? 'python3.12';

/** A directory holding `python`, a script that says it is Python 3.11 and runs nothing. */
function fakePython(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-python-'));
  writeFileSync(join(dir, 'python'), '#!/bin/sh\necho "3 11"\n', { mode: 0o755 });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const env = await startTestEmulator({ retryDelaysMs: [20, 40] });
const emulator = env.running.emulator;
const role = emulator.iam.createRole({ RoleName: 'python-role', Policies: [] });
let counter = 0;

function createPythonFunction(code: string, extra: Record<string, unknown> = {}): string {
  const name = `python-fn-${++counter}`;
  emulator.lambda.createFunction({
    FunctionName: name,
    Runtime: PYTHON_RUNTIME,
    Handler: 'index.lambda_handler',
    Role: role.Arn,
    Code: { ZipFile: code },
    Timeout: 3,
    ...extra,
  });
  return name;
}

async function invoke(name: string, payload: unknown = {}) {
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: encode(payload), LogType: 'Tail' }));
  const text = new TextDecoder().decode(output.Payload);
  return {
    output,
    payload: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    tail: Buffer.from(output.LogResult ?? '', 'base64').toString('utf8'),
  };
}

async function logMessages(name: string): Promise<string[]> {
  const { events } = await env.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}` }));
  return (events ?? []).map((event) => event.message!);
}

// The course's function: raises when `name` is None or empty.
const COURSE_HANDLER = `import json

def lambda_handler(event, context):
    name = event.get("name")
    if name is None or name == "":
        raise Exception("The event has no name: name is None or empty")
    return {"statusCode": 200, "body": json.dumps("Hello, " + name + "!")}
`;

test('a Python handler answers 200 with its JSON result, and the INIT_START line names the Python runtime', { skip: SKIP }, async () => {
  const name = createPythonFunction(COURSE_HANDLER);
  const { output, payload } = await invoke(name, { from: 'sync', name: 'chucks' });
  assert.equal(output.StatusCode, 200);
  assert.equal(output.FunctionError, undefined);
  assert.deepEqual(payload, { statusCode: 200, body: '"Hello, chucks!"' });
  const lines = await logMessages(name);
  assert.match(lines[0]!, new RegExp(`^INIT_START Runtime Version: python:${PYTHON_RUNTIME.slice('python'.length)}\\.v\\d+\\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\\n$`));
  assert.ok(lines.some((line) => line.startsWith('START RequestId: ')));
  assert.ok(lines.some((line) => line.startsWith('REPORT RequestId: ') && line.includes('Init Duration: ')));
});

test('an exception gives FunctionError Unhandled, AWS payload {errorMessage, errorType, requestId, stackTrace} with /var/task paths, and [ERROR] with the traceback in the log', { skip: SKIP }, async () => {
  const name = createPythonFunction(COURSE_HANDLER);
  const { output, payload, tail } = await invoke(name, { from: 'sync', name: '' });
  assert.equal(output.StatusCode, 200);
  assert.equal(output.FunctionError, 'Unhandled');
  const requestId = output.$metadata.requestId!;
  // Recorded on AWS: LocalStack's test_lambda.snapshot.json, TestLambdaErrors::test_lambda_handler_error.
  assert.deepEqual(Object.keys(payload!).sort(), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
  assert.equal(payload!.errorMessage, 'The event has no name: name is None or empty');
  assert.equal(payload!.errorType, 'Exception');
  assert.equal(payload!.requestId, requestId);
  assert.deepEqual(payload!.stackTrace, [
    '  File "/var/task/index.py", line 6, in lambda_handler\n    raise Exception("The event has no name: name is None or empty")\n',
  ]);
  assert.match(tail, /^START RequestId: /);
  // The traceback's indentation is U+00A0 in the log, as AWS's runtime writes it (docs/aws-semantics.md §3, §9).
  assert.match(
    tail,
    /\[ERROR\] Exception: The event has no name: name is None or empty\nTraceback \(most recent call last\):\n\u00a0{2}File "\/var\/task\/index\.py", line 6, in lambda_handler\n\u00a0{4}raise Exception/,
  );
});

test('module code runs once per environment (INIT); the context carries what AWS documents, and the remaining time counts down', { skip: SKIP }, async () => {
  const name = createPythonFunction(
    `import time
INITS = []
INITS.append(time.time())

def lambda_handler(event, context):
    return {
        "inits": len(INITS),
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
    }
`,
    { MemorySize: 256 },
  );
  const first = await invoke(name);
  const second = await invoke(name);
  assert.equal(second.payload!.inits, 1, 'module code ran once');
  const context = second.payload!;
  assert.equal(context.aws_request_id, second.output.$metadata.requestId);
  assert.equal(context.function_name, name);
  assert.equal(context.function_version, '$LATEST');
  assert.equal(context.invoked_function_arn, `arn:aws:lambda:us-east-1:000000000000:function:${name}`);
  assert.equal(context.memory_limit_in_mb, '256');
  assert.equal(context.log_group_name, `/aws/lambda/${name}`);
  assert.match(String(context.log_stream_name), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.ok(Number(context.remaining) > 0 && Number(context.remaining) <= 3000);
  assert.equal(first.payload!.log_stream_name, context.log_stream_name, 'the same environment served both');
});

test('print goes to the log as it is; the root logger in the runtime format [LEVEL]\\t<time>\\t<request id>\\t<message>', { skip: SKIP }, async () => {
  const name = createPythonFunction(`import logging
logger = logging.getLogger()
logger.setLevel(logging.INFO)

def lambda_handler(event, context):
    print("printed line")
    logger.info("logged at info")
    logger.warning("logged at warning")
    return "ok"
`);
  const { output, tail } = await invoke(name);
  const requestId = output.$metadata.requestId!;
  assert.match(tail, /\nprinted line\n/);
  assert.match(tail, new RegExp(`\\n\\[INFO\\]\\t\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${requestId}\\tlogged at info\\n`));
  assert.match(tail, new RegExp(`\\n\\[WARNING\\]\\t[^\\t]+\\t${requestId}\\tlogged at warning\\n`));
  const printed = tail.indexOf('printed line');
  assert.ok(printed > tail.indexOf('START') && printed < tail.indexOf('END RequestId'), 'in order, inside the invocation');
});

test('the environment is the one Lambda sets for Python, with dummy credentials and none of the caller\'s', { skip: SKIP }, async () => {
  process.env.LAD_PYTHON_CALLER_SECRET = 'must-not-leak';
  const name = createPythonFunction(`import os

def lambda_handler(event, context):
    return dict(os.environ)
`);
  const { payload } = await invoke(name);
  delete process.env.LAD_PYTHON_CALLER_SECRET;
  assert.equal(payload!.AWS_LAMBDA_FUNCTION_NAME, name);
  assert.equal(payload!._HANDLER, 'index.lambda_handler');
  assert.equal(payload!.AWS_EXECUTION_ENV, `AWS_Lambda_${PYTHON_RUNTIME}`);
  assert.ok(String(payload!.LAMBDA_TASK_ROOT).length > 0);
  assert.equal(payload!.AWS_ACCESS_KEY_ID, 'ASIALOCALEMULATOR000');
  assert.equal(payload!.LAD_PYTHON_CALLER_SECRET, undefined);
  assert.equal(payload!.NODE_CHANNEL_FD, undefined, 'the IPC channel is the runtime\'s, not the function\'s');
});

test('a result that is not JSON gives AWS Runtime.MarshalError', { skip: SKIP }, async () => {
  const name = createPythonFunction('def lambda_handler(event, context):\n    return {1, 2}\n');
  const { output, payload } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  assert.equal(payload!.errorType, 'Runtime.MarshalError');
  assert.equal(payload!.errorMessage, 'Unable to marshal response: Object of type set is not JSON serializable');
});

test('sys.exit, a timeout, an infinite loop and a crash in a thread are reported as AWS reports them, and the next invoke works', { skip: SKIP }, async () => {
  const exiting = createPythonFunction('import sys\n\ndef lambda_handler(event, context):\n    sys.exit(3)\n');
  const exited = await invoke(exiting);
  assert.equal(exited.output.FunctionError, 'Unhandled');
  assert.equal(exited.payload!.errorType, 'Runtime.ExitError');
  assert.match(String(exited.payload!.errorMessage), /^RequestId: [0-9a-f-]+ Error: Runtime exited with error: exit status 3$/);

  const looping = createPythonFunction('def lambda_handler(event, context):\n    while True:\n        pass\n', { Timeout: 1 });
  const timedOut = await invoke(looping);
  assert.equal(timedOut.output.FunctionError, 'Unhandled');
  assert.equal(timedOut.payload!.errorType, 'Sandbox.Timedout');
  assert.match(String(timedOut.payload!.errorMessage), /Task timed out after 1\.\d\d seconds/);

  const threaded = createPythonFunction(`import threading, os

def lambda_handler(event, context):
    def crash():
        os._exit(9)
    t = threading.Thread(target=crash)
    t.start()
    t.join()
    return "never"
`);
  const crashed = await invoke(threaded);
  assert.equal(crashed.payload!.errorType, 'Runtime.ExitError');
  assert.match(String(crashed.payload!.errorMessage), /exit status 9/);
  const again = await invoke(createPythonFunction(COURSE_HANDLER), { name: 'after' });
  assert.equal(again.output.FunctionError, undefined);
});

test('a huge result is refused as AWS refuses one over 6 MB', { skip: SKIP }, async () => {
  const name = createPythonFunction('def lambda_handler(event, context):\n    return "x" * (7 * 1024 * 1024)\n');
  const { output, payload } = await invoke(name);
  assert.equal(output.FunctionError, 'Unhandled');
  assert.equal(payload!.errorType, 'Function.ResponseSizeTooLarge');
});

test('Python runtimes: deprecated ones get AWS\'s refusal, one newer than the local Python says what to install', (t) => {
  const create = (runtime: string) => () =>
    emulator.lambda.createFunction({ FunctionName: `refused-${runtime.replace('.', '-')}`, Runtime: runtime, Handler: 'index.lambda_handler', Role: role.Arn, Code: { ZipFile: 'x' } });
  for (const deprecated of ['python3.8', 'python3.11']) {
    assert.throws(create(deprecated), {
      message: `The runtime parameter of ${deprecated} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (python3.14) while creating or updating functions.`,
    });
  }
  // An interpreter older than the runtime: a fake one that says it is Python 3.11.
  const saved = process.env.LAMBDA_ASYNC_DEMO_PYTHON;
  process.env.LAMBDA_ASYNC_DEMO_PYTHON = join(fakePython(t), 'python');
  try {
    assert.throws(create('python3.13'), {
      message: /^The runtime python3\.13 needs Python 3\.13 or later to run on the lambda-async-demo local emulator, and .*python is Python 3\.11: install Python 3\.13 \(as python3\.13 on PATH, or point LAMBDA_ASYNC_DEMO_PYTHON at it\)\.$/,
    });
    process.env.LAMBDA_ASYNC_DEMO_PYTHON = '/nonexistent/python3';
    assert.throws(create('python3.12'), { message: /needs Python 3\.12 or later .*, and none was found: install Python 3\.12/ });
  } finally {
    if (saved === undefined) delete process.env.LAMBDA_ASYNC_DEMO_PYTHON;
    else process.env.LAMBDA_ASYNC_DEMO_PYTHON = saved;
  }
  assert.throws(create('ruby3.4'), { message: /The runtime parameter of ruby3\.4 is not supported by the lambda-async-demo local emulator/ });
});

test('results go out as awslambdaric marshals them: non-ASCII as it is, Decimal as its number, bytes untouched', { skip: SKIP }, async () => {
  // lambda_runtime_marshaller.py (docs/aws-semantics.md §9): ensure_ascii=False on python3.12 and later, Decimal as raw
  // JSON (NaN for a NaN), and a bytes result returned as it is.
  const name = createPythonFunction(`from decimal import Decimal

def lambda_handler(event, context):
    if event.get("bytes"):
        return b'{"raw": true}'
    return {"text": "caf\\u00e9 \\u2713", "price": Decimal("1.10"), "count": Decimal("5"), "nan": Decimal("NaN")}
`);
  const send = async (event: unknown) =>
    new TextDecoder().decode((await env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: encode(event) }))).Payload);
  assert.equal(await send({}), '{"text": "café ✓", "price": 1.10, "count": 5, "nan": NaN}');
  assert.equal(await send({ bytes: true }), '{"raw": true}');
});

test('the context is lambda_context.py\'s: client context and identity as objects, tenant_id, repr; init logs with an empty request id', { skip: SKIP }, async () => {
  const name = createPythonFunction(`import logging
logging.getLogger().setLevel(logging.INFO)
logging.info("loading")

def lambda_handler(event, context):
    cc = context.client_context
    return {
        "custom": cc.custom if cc else None,
        "app_title": cc.client.app_title if cc else None,
        "installation_id": cc.client.installation_id if cc else "absent",
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "tenant_id": context.tenant_id,
        "repr": repr(context),
    }
`);
  const clientContext = Buffer.from(JSON.stringify({ custom: { k: 'v' }, client: { app_title: 'demo' } })).toString('base64');
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: encode({}), ClientContext: clientContext }));
  const result = JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, unknown>;
  assert.deepEqual(result.custom, { k: 'v' });
  assert.equal(result.app_title, 'demo');
  assert.equal(result.installation_id, null);
  assert.deepEqual(result.identity, [null, null]);
  assert.equal(result.tenant_id, null);
  assert.match(String(result.repr), new RegExp(`^LambdaContext\\(\\[aws_request_id=${output.$metadata.requestId},log_group_name=/aws/lambda/${name},`));
  const lines = await logMessages(name);
  assert.ok(lines.some((line) => /^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\tloading\n$/.test(line)), lines.join(''));
});

// Execution environments: cold and warm starts, logs, timeouts, crashes, the clean environment and the dist bootstrap.
import { FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunnerHost } from '../../src/emulator/lambda-runner/invocation.js';
import type { LambdaRunner as LambdaRunnerType } from '../../src/emulator/lambda-runner/runner.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { decode, encode, functionMaker } from '../helpers/functions.js';

const env: TestEmulator = await startTestEmulator();
const { emulator } = env.running;
const role = emulator.iam.createRole({ RoleName: 'runner-role' });

const createFunction = functionMaker(emulator, role.Arn, 'runner-fn');

async function invoke(functionName: string, event: unknown = {}) {
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: encode(event) }));
  return { output, requestId: output.$metadata.requestId!, body: decode(output.Payload) as Record<string, unknown> };
}

async function logEvents(functionName: string): Promise<FilteredLogEvent[]> {
  const output = await env.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }));
  return output.events ?? [];
}

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

test('a cold start logs INIT_START and Init Duration; the next invoke is warm in the same stream', async () => {
  const name = createFunction('exports.handler = async () => "ok";');
  const first = await invoke(name);
  const second = await invoke(name);
  const events = await logEvents(name);
  const report = (id: string) => events.find((event) => event.message!.startsWith(`REPORT RequestId: ${id}\t`))!;

  assert.match(
    report(first.requestId).message!,
    /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n$/,
  );
  assert.match(
    report(second.requestId).message!,
    /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t\n$/,
  );
  const initLines = events.filter((event) => event.message!.startsWith('INIT_START'));
  assert.equal(initLines.length, 1);
  assert.match(initLines[0]!.message!, /^INIT_START Runtime Version: nodejs:24\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\n$/);
  const streams = new Set(events.map((event) => event.logStreamName));
  assert.equal(streams.size, 1);
  assert.match([...streams][0]!, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
});

test('a function that outlives its Timeout answers Sandbox.Timedout and its environment is replaced', async () => {
  const name = createFunction(
    'exports.handler = async (event) => { if (event.wait) await new Promise((r) => setTimeout(r, 10000)); return process.pid; };',
    { Timeout: 1 },
  );
  const warm = await invoke(name, {});
  const timedOut = await invoke(name, { wait: true });
  assert.equal(timedOut.output.FunctionError, 'Unhandled');
  assert.deepEqual(Object.keys(timedOut.body), ['errorType', 'errorMessage']);
  assert.equal(timedOut.body.errorType, 'Sandbox.Timedout');
  assert.match(timedOut.body.errorMessage as string, new RegExp(`^RequestId: ${timedOut.requestId} Error: Task timed out after 1\\.\\d\\d seconds$`));

  const events = await logEvents(name);
  assert.ok(
    events.some((event) => new RegExp(`^${ISO} ${timedOut.requestId} Task timed out after 1\\.\\d\\d seconds\\n$`).test(event.message!)),
  );
  assert.ok(events.some((event) => event.message === `END RequestId: ${timedOut.requestId}\n`));

  const after = await invoke(name, {});
  assert.notEqual(after.body, warm.body, 'a new process serves the next invocation');
  const afterReport = (await logEvents(name)).find((event) => event.message!.startsWith(`REPORT RequestId: ${after.requestId}`));
  assert.match(afterReport!.message!, /Init Duration/);
});

test('process.exit in the handler answers Runtime.ExitError with the exit status, and the next invoke works', async () => {
  const name = createFunction('exports.handler = async (event) => { if (event.exit) process.exit(3); return "alive"; };');
  const crashed = await invoke(name, { exit: true });
  assert.equal(crashed.output.FunctionError, 'Unhandled');
  assert.deepEqual(crashed.body, {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${crashed.requestId} Error: Runtime exited with error: exit status 3`,
  });
  const events = await logEvents(name);
  assert.ok(
    events.some(
      (event) => event.message === `RequestId: ${crashed.requestId} Error: Runtime exited with error: exit status 3\nRuntime.ExitError\n`,
    ),
  );
  const next = await invoke(name, {});
  assert.equal(next.body, 'alive');
});

test('a thrown non-Error answers its typeof as errorType with an empty trace, and logs Invoke Error', async () => {
  const name = createFunction('exports.handler = async () => { throw "boom"; };');
  const result = await invoke(name);
  assert.equal(result.output.FunctionError, 'Unhandled');
  assert.deepEqual(result.body, { errorType: 'string', errorMessage: 'boom', trace: [] });
  const events = await logEvents(name);
  assert.ok(events.some((event) => new RegExp(`^${ISO}\\t${result.requestId}\\tERROR\\tInvoke Error \\t"boom"\\n$`).test(event.message!)));
});

test('a thrown Error is logged as Invoke Error with errorType, errorMessage and stack', async () => {
  const name = createFunction('exports.handler = async () => { throw new TypeError("bad input"); };');
  const result = await invoke(name);
  assert.equal(result.body.errorType, 'TypeError');
  const line = (await logEvents(name)).find((event) => event.message!.includes('Invoke Error'))!.message!;
  const match = new RegExp(`^${ISO}\\t${result.requestId}\\tERROR\\tInvoke Error \\t(.*)\\n$`).exec(line);
  assert.ok(match, line);
  const logged = JSON.parse(match[1]!) as { errorType: string; errorMessage: string; stack: string[] };
  assert.deepEqual(Object.keys(logged), ['errorType', 'errorMessage', 'stack']);
  assert.equal(logged.errorType, 'TypeError');
  assert.equal(logged.errorMessage, 'bad input');
  assert.equal(logged.stack[0], 'TypeError: bad input');
});

test('console output is in Lambda text format: console.log is INFO and newlines become carriage returns', async () => {
  const name = createFunction(
    'exports.handler = async () => { console.log("two\\nlines", { a: 1 }); console.warn("careful"); console.error("broken"); console.debug("detail"); return 1; };',
  );
  const { requestId } = await invoke(name);
  const messages = (await logEvents(name)).map((event) => event.message!);
  const expectLine = (level: string, text: string) =>
    assert.ok(
      messages.some((message) => new RegExp(`^${ISO}\\t${requestId}\\t${level}\\t${text}\\n$`).test(message)),
      `${level} ${text} in ${JSON.stringify(messages)}`,
    );
  expectLine('INFO', 'two\\rlines { a: 1 }');
  expectLine('WARN', 'careful');
  expectLine('ERROR', 'broken');
  expectLine('DEBUG', 'detail');
});

test('the function sees the Lambda environment and never the parent process credentials', async () => {
  const saved = { ...process.env };
  process.env.AWS_SECRET_ACCESS_KEY = 'parent-secret-must-not-leak';
  process.env.AWS_ACCESS_KEY_ID = 'AKIAPARENTMUSTNOTLEAK';
  process.env.AWS_SESSION_TOKEN = 'parent-token-must-not-leak';
  process.env.AWS_PROFILE = 'parent-profile';
  process.env.SOME_PARENT_VARIABLE = 'parent-only';
  try {
    const name = createFunction('exports.handler = async () => ({ ...process.env });', {
      Environment: { Variables: { GREETING: 'hello' } },
      MemorySize: 256,
    });
    const { body } = await invoke(name);
    const seen = body as Record<string, string>;
    assert.notEqual(seen.AWS_SECRET_ACCESS_KEY, 'parent-secret-must-not-leak');
    assert.ok(seen.AWS_SECRET_ACCESS_KEY, 'dummy credentials are set');
    assert.notEqual(seen.AWS_ACCESS_KEY_ID, 'AKIAPARENTMUSTNOTLEAK');
    assert.notEqual(seen.AWS_SESSION_TOKEN, 'parent-token-must-not-leak');
    assert.equal(seen.AWS_PROFILE, undefined);
    assert.equal(seen.SOME_PARENT_VARIABLE, undefined);
    assert.equal(seen.GREETING, 'hello');
    assert.equal(seen.AWS_LAMBDA_FUNCTION_NAME, name);
    assert.equal(seen.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(seen.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(seen.AWS_LAMBDA_LOG_GROUP_NAME, `/aws/lambda/${name}`);
    assert.match(seen.AWS_LAMBDA_LOG_STREAM_NAME!, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(seen.AWS_REGION, 'us-east-1');
    assert.equal(seen.AWS_DEFAULT_REGION, 'us-east-1');
    assert.equal(seen.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs24.x');
    assert.equal(seen._HANDLER, 'index.handler');
    assert.equal(seen.TZ, ':UTC');
    assert.equal(seen.AWS_ENDPOINT_URL, env.url);
    assert.ok(seen.LAMBDA_TASK_ROOT);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
});

test('the context object carries the request id, ARN, memory, log names and the remaining time', async () => {
  const name = createFunction(
    `exports.handler = async (event, context) => ({
      awsRequestId: context.awsRequestId, functionName: context.functionName, functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
      logGroupName: context.logGroupName, logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop,
    });`,
    { Timeout: 7 },
  );
  const { body, requestId } = await invoke(name);
  assert.equal(body.awsRequestId, requestId);
  assert.equal(body.functionName, name);
  assert.equal(body.functionVersion, '$LATEST');
  assert.equal(body.invokedFunctionArn, `arn:aws:lambda:us-east-1:000000000000:function:${name}`);
  assert.equal(body.memoryLimitInMB, '128');
  assert.equal(body.logGroupName, `/aws/lambda/${name}`);
  assert.match(body.logStreamName as string, /\[\$LATEST\][0-9a-f]{32}$/);
  assert.ok((body.remaining as number) > 5000 && (body.remaining as number) <= 7000, String(body.remaining));
  assert.equal(body.waits, true);
});

test('a callback-style handler answers through its callback, success or error', async () => {
  const name = createFunction(
    'exports.handler = (event, context, callback) => { setTimeout(() => event.fail ? callback(new Error("called back")) : callback(null, { n: event.n }), 5); };',
  );
  assert.deepEqual((await invoke(name, { n: 4 })).body, { n: 4 });
  const failed = await invoke(name, { fail: true });
  assert.equal(failed.output.FunctionError, 'Unhandled');
  assert.equal(failed.body.errorMessage, 'called back');
});

test('a response over 6 MB answers Function.ResponseSizeTooLarge with AWS message', async () => {
  const name = createFunction('exports.handler = async () => "x".repeat(6300000);');
  const result = await invoke(name);
  assert.equal(result.output.FunctionError, 'Unhandled');
  assert.equal(
    new TextDecoder().decode(result.output.Payload),
    '{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}',
  );
});

test('a handler that is not exported answers Runtime.HandlerNotFound', async () => {
  const name = createFunction('exports.other = async () => 1;');
  const result = await invoke(name);
  assert.equal(result.output.FunctionError, 'Unhandled');
  assert.equal(result.body.errorType, 'Runtime.HandlerNotFound');
  assert.equal(result.body.errorMessage, 'index.handler is undefined or not exported');
  const messages = (await logEvents(name)).map((event) => event.message!);
  assert.ok(messages.some((message) => /^\S+\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime.HandlerNotFound"/.test(message)));
  assert.ok(messages.some((message) => message.startsWith(`START RequestId: ${result.requestId}`)));
});

test('code with a syntax error answers Runtime.UserCodeSyntaxError', async () => {
  const name = createFunction('exports.handler = async () => {');
  const result = await invoke(name);
  assert.equal(result.body.errorType, 'Runtime.UserCodeSyntaxError');
  assert.match(result.body.errorMessage as string, /^SyntaxError: /);
});

test('an exception escaping the handler fails the invocation and replaces the environment', async () => {
  const name = createFunction(
    'exports.handler = (event, context, callback) => { if (event.escape) { setTimeout(() => { throw new Error("escaped"); }, 5); return; } callback(null, process.pid); };',
  );
  const before = await invoke(name);
  const escaped = await invoke(name, { escape: true });
  assert.equal(escaped.output.FunctionError, 'Unhandled');
  assert.equal(escaped.body.errorMessage, 'escaped');
  const messages = (await logEvents(name)).map((event) => event.message!);
  assert.ok(messages.some((message) => message.includes(`\t${escaped.requestId}\tERROR\tUncaught Exception \t{"errorType":"Error","errorMessage":"escaped"`)));
  const after = await invoke(name);
  assert.notEqual(after.body, before.body);
});

test('at most maxEnvironmentsPerFunction environments run at once; further invokes wait and all succeed', async () => {
  const limited = await startTestEmulator({ maxEnvironmentsPerFunction: 2 });
  const limitedRole = limited.running.emulator.iam.createRole({ RoleName: 'limited-role' });
  limited.running.emulator.lambda.createFunction({
    FunctionName: 'busy',
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: limitedRole.Arn,
    Code: { ZipFile: 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 150)); return process.pid; };' },
  });
  const outputs = await Promise.all(
    Array.from({ length: 5 }, () => limited.lambda.send(new InvokeCommand({ FunctionName: 'busy' }))),
  );
  assert.ok(outputs.every((output) => output.StatusCode === 200 && output.FunctionError === undefined));
  const pids = new Set(outputs.map((output) => decode(output.Payload)));
  assert.equal(pids.size, 2);
  const events = (await limited.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/busy' }))).events ?? [];
  assert.equal(new Set(events.map((event) => event.logStreamName)).size, 2);
  assert.equal(events.filter((event) => event.message!.startsWith('INIT_START')).length, 2);
});

test('closing the emulator kills its execution environments', async () => {
  const running = await startEmulator({});
  try {
    const ownRole = running.emulator.iam.createRole({ RoleName: 'closing-role' });
    running.emulator.lambda.createFunction({
      FunctionName: 'short-lived',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Role: ownRole.Arn,
      Code: { ZipFile: 'exports.handler = async () => process.pid;' },
    });
    const output = await running.emulator.lambda.operations.Invoke({ FunctionName: 'short-lived' }, { requestId: 'close-test' });
    const pid = decode(output.Payload) as number;
    assert.doesNotThrow(() => process.kill(pid, 0), 'the environment is alive while warm');
    await running.close();
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  } finally {
    await running.close().catch(() => undefined);
  }
});

test('the runner compiled to JavaScript forks its bootstrap without tsx, as it does from dist', async () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const runnerSources = path.resolve(here, '../../src/emulator/lambda-runner');
  const outDir = mkdtempSync(path.join(tmpdir(), 'lambda-runner-dist-'));
  try {
    // What the build emits (ES modules, as NodeNext does under "type": "module"), minus the whole-program type check.
    const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
    // The runner's folder and the one module it imports from its parent (fault.ts), laid out as in src/emulator/.
    const runnerFiles = ['runner', 'code-store', 'pool', 'environment', 'spare-runtime', 'runtime-process', 'invocation'];
    const files = [
      ...[...runnerFiles, 'bootstrap', 'log-format', 'ipc-messages', 'runtimes'].map((file) => `lambda-runner/${file}`),
      'fault',
    ];
    mkdirSync(path.join(outDir, 'lambda-runner'));
    for (const file of files) {
      const source = readFileSync(path.join(runnerSources, '..', `${file}.ts`), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        fileName: `${file}.ts`,
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(path.join(outDir, `${file}.js`), outputText);
    }
    writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}\n');
    const compiled = (await import(pathToFileURL(path.join(outDir, 'lambda-runner', 'runner.js')).href)) as { LambdaRunner: typeof LambdaRunnerType };
    const logged: string[] = [];
    const host: RunnerHost = {
      region: 'us-east-1',
      maxEnvironmentsPerFunction: 1,
      endpointUrl: () => 'http://127.0.0.1:1',
      now: () => Date.now(),
      appendLog: (_group, _stream, events) => logged.push(...events.map((event) => event.message)),
      logWriteFailed: (_name, _lines, error) => assert.fail(`log write failed: ${String(error)}`),
    };
    const runner = new compiled.LambdaRunner(host);
    try {
      const outcome = await runner.invoke(
        {
          name: 'from-dist',
          arn: 'arn:aws:lambda:us-east-1:000000000000:function:from-dist',
          code: 'exports.handler = async (event) => { console.log("hi", event.n); return { twice: event.n * 2, execArgv: process.execArgv }; };',
          handler: 'index.handler',
          timeoutSeconds: 3,
          memorySizeMb: 128,
          variables: {},
          logGroup: '/aws/lambda/from-dist',
          runtime: 'nodejs24.x',
          revisionId: 'r1',
        },
        { requestId: 'dist-request', payload: '{"n":21}' },
      );
      assert.equal(outcome.error, undefined);
      assert.deepEqual(JSON.parse(outcome.payload.toString('utf8')), { twice: 42, execArgv: [] });
      assert.ok(logged.includes('START RequestId: dist-request Version: $LATEST\n'));
      assert.ok(logged.some((message) => /\tdist-request\tINFO\thi 21\n$/.test(message)));
    } finally {
      await runner.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

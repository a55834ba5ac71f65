// The run command in-process: the report it returns, and environment failures as exit code 3 with one sentence.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DemoError } from '../../src/errors.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/main.js';
import { run, type RunOptions, type RunProgress } from '../../src/commands/run.js';
import { TEMPLATE_PATH } from '../../src/lesson/template.js';
import { captureIo as captureTo } from '../helpers/capture-io.js';

const silent: RunProgress = {
  info() {},
  begin: () => ({ update() {}, done() {}, fail() {} }),
  lesson: () => ({ started: () => () => {}, finished() {} }),
};

const options: RunOptions = {
  target: 'local',
  stackName: 'LambdaAsync',
  functionName: 'SimpleFunc',
  maxRetries: 2,
  retryDelaysMs: [50, 100],
};

const captureIo = (env: NodeJS.ProcessEnv = { NO_COLOR: '1' }) => captureTo(env);

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('run returns the JSON report of DESIGN §3: ok, target, region, stack, steps, timeline, durationMs', async () => {
  const report = await run(options, { progress: silent, env: {} });
  assert.equal(report.ok, true, JSON.stringify(report.steps, null, 2));
  assert.deepEqual(Object.keys(report).sort(), ['durationMs', 'ok', 'region', 'runId', 'stack', 'steps', 'target', 'timeline']);
  assert.equal(report.target, 'local');
  assert.equal(report.region, 'us-east-1');
  assert.equal(report.stack, 'LambdaAsync');
  for (const step of report.steps) {
    assert.deepEqual(Object.keys(step).slice(0, 6), ['id', 'title', 'status', 'expected', 'observed', 'durationMs']);
    assert.equal(step.status, 'pass');
    assert.ok(Number.isInteger(step.durationMs));
  }
  assert.deepEqual(report.timeline.retryDelaysMs, [50, 100]);
  assert.equal(report.timeline.failing?.attempts.length, 3);
  assert.equal(report.timeline.failing?.requestId, report.steps[3]!.details?.requestId);
  assert.equal(report.timeline.succeeding?.attempts.length, 1);
  assert.ok(report.timeline.failing!.dlqOffsetMs! > 0);
});

test('FORCE_COLOR colours the summary even through a pipe, and --no-color still wins', async () => {
  const forced = captureIo({ FORCE_COLOR: '1' });
  assert.equal(await main(['run', '--retry-delays', '0.05,0.1'], forced), 0, forced.err());
  assert.ok(forced.out().includes('\u001b[32m\u001b[1mPASS'), 'PASS in bold green');
  const plain = captureIo({ FORCE_COLOR: '1' });
  assert.equal(await main(['run', '--retry-delays', '0.05,0.1', '--no-color'], plain), 0, plain.err());
  assert.ok(!plain.out().includes('\u001b['));
  assert.match(plain.out(), /^ {2}PASS {2}6 {2}Failed event in the dead-letter queue/m);
});

test('an unreachable endpoint is exit code 3 and one sentence with a hint, no stack trace', async () => {
  const port = await closedPort();
  const io = captureIo();
  const code = await main(['run', '--endpoint-url', `http://127.0.0.1:${port}`], io);
  assert.equal(code, 3);
  assert.equal(io.out(), '');
  assert.match(io.err(), new RegExp(`✖ Cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\.\\n  Hint: Check that the endpoint is running`));
  assert.doesNotMatch(io.err(), /\n\s+at /, 'no stack trace');
});

test('--verbose adds the cause\'s stack to an environment error', async () => {
  const port = await closedPort();
  const io = captureIo();
  assert.equal(await main(['run', '--endpoint-url', `http://127.0.0.1:${port}`, '--verbose'], io), 3);
  assert.match(io.err(), /\n\s+at /);
});

test('a stack that fails to deploy is exit code 3 naming the failed resource', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'lambda-async-demo-'));
  try {
    const template = (await readFile(TEMPLATE_PATH, 'utf8')).replace(
      'Resources:\n',
      'Resources:\n  Unsupported:\n    Type: AWS::Nothing::Here\n    Properties: {}\n',
    );
    const templatePath = join(directory, 'LambdaAsync.yaml');
    await writeFile(templatePath, template);
    await assert.rejects(run(options, { progress: silent, env: {}, templatePath }), (error: unknown) => {
      assert.ok(error instanceof DemoError, String(error));
      assert.equal(exitCodeFor(error), 3);
      assert.match(error.message, /^The stack LambdaAsync failed to deploy \((CREATE_FAILED|ROLLBACK_COMPLETE)\): Unsupported: /);
      assert.match(error.hint ?? '', /describe-stack-events --stack-name LambdaAsync/);
      return true;
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

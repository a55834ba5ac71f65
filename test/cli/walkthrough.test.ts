// The lesson walked by hand, one process per command as a person types them: start -d, deploy, step 1..6, outputs,
// logs, teardown, against the built bin. The tests run in order and share the server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually } from '../helpers/emulator.js';
import { BIN, createSandbox } from '../helpers/local-cli.js';

const sandbox = await createSandbox();
const { cli } = sandbox;

/** The PASS/FAIL row a step prints on stdout. */
function stepRow(stdout: string, id: number): string | undefined {
  return stdout.split('\n').find((line) => new RegExp(`^ {2}(PASS|FAIL|SKIP) {2}${id} {2}\\S`).test(line));
}

test('local start -d returns once the server answers, writes the pid file and prints the AWS CLI hint', async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await cli(['local', 'start', '-d', '--retry-delays', '0.2,0.4']);
  assert.equal(code, 0, stderr);
  assert.ok(Date.now() - started < 8_000);
  assert.match(stdout, new RegExp(`runs at ${sandbox.url} \\(pid \\d+\\), in the background; retry delays 0\\.20 s and 0\\.40 s`));
  assert.match(stdout, new RegExp(`aws --endpoint-url ${sandbox.url} cloudformation describe-stacks`));
  const record = JSON.parse(readFileSync(join(sandbox.stateDir, 'server.json'), 'utf8'));
  assert.equal(record.startedBy, 'user');
  assert.equal(record.port, sandbox.port);
  assert.equal(record.url, sandbox.url);
  assert.deepEqual(record.retryDelaysMs, [200, 400]);
  const health = (await (await fetch(`${sandbox.url}/_emulator/health`)).json()) as { pid: number };
  assert.equal(health.pid, record.pid);
});

test('step 1 before deploy exits 3 with one sentence that suggests deploy', async () => {
  const { code, stdout, stderr } = await cli(['step', '1']);
  assert.equal(code, 3, stderr);
  assert.equal(stdout, '');
  assert.match(stderr, new RegExp(`✖ There is no stack LambdaAsync on the local emulator at ${sandbox.url}\\.\n {2}Hint: Deploy it first: lambda-async-demo deploy\n$`));
});

test('deploy creates the stack on the running server and prints the outputs table', async () => {
  const { code, stdout, stderr } = await cli(['deploy']);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /✔ Validate templates\/LambdaAsync\.yaml: valid/);
  assert.match(stderr, /✔ Deploy stack LambdaAsync: created \(CREATE_COMPLETE\)/);
  assert.doesNotMatch(stderr, /Start the local emulator/, 'the running server is used, not a new one');
  assert.match(stdout, /^Outputs of LambdaAsync$/m);
  assert.match(stdout, new RegExp(`^ {2}QueueUrl {6}${sandbox.url}/000000000000/LambdaAsync-DeadLetterQueue-\\S+$`, 'm'));
  assert.match(stdout, /^ {2}LogGroupName {2}\/aws\/lambda\/SimpleFunc$/m);
});

test('steps 1 to 4 each pass as their own process; 3 and 4 record their RequestIds in the lesson state', async () => {
  const expected = [
    'HTTP 200, no FunctionError, payload statusCode 200',
    'HTTP 200, FunctionError Unhandled',
    'HTTP 202, empty body, RequestId',
    'HTTP 202, empty body, RequestId',
  ];
  for (const id of [1, 2, 3, 4]) {
    const { code, stdout, stderr } = await cli(['step', String(id)]);
    assert.equal(code, 0, `step ${id}: ${stderr}`);
    assert.match(stepRow(stdout, id) ?? '', /^ {2}PASS/, stdout);
    assert.match(stdout, new RegExp(`observed ${expected[id - 1]!.replace(/[()]/g, '\\$&')}`));
    assert.match(stderr, new RegExp(`✔ ${id}/6 .+: PASS`));
  }
  const state = JSON.parse(readFileSync(join(sandbox.stateDir, 'lesson-state.json'), 'utf8'));
  const [lesson] = Object.values(state.lessons) as Array<{ asyncOk: { requestId: string }; asyncFail: { requestId: string; payload: string } }>;
  assert.match(lesson!.asyncOk.requestId, /^[0-9a-f-]{36}$/);
  assert.match(lesson!.asyncFail.requestId, /^[0-9a-f-]{36}$/);
  assert.match(lesson!.asyncFail.payload, /"name":""/);
});

test("step 5 finds step 4's recorded RequestId three times in the logs and step 3's once", async () => {
  const { code, stdout, stderr } = await cli(['step', '5', '--json']);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.equal(report.ok, true);
  const [step] = report.steps;
  assert.equal(step.id, 5);
  assert.equal(step.status, 'pass');
  assert.equal(step.details.attempts, 3);
  assert.equal(step.details.succeedingAttempts, 1);
  assert.match(stderr, /Checking step 4's request [0-9a-f-]{36}, invoked/);
  // As in `run`, the report carries the timeline: every attempt of step 4's RequestId, counted from its invoke.
  assert.deepEqual(report.timeline.failing.attempts.map((attempt: { label: string }) => attempt.label), ['attempt 1', 'retry 1', 'retry 2']);
  assert.equal(report.timeline.succeeding.attempts.length, 1);
});

test("step 6 finds step 4's payload in the DLQ with Lambda's three attributes", async () => {
  const { code, stdout, stderr } = await cli(['step', '6']);
  assert.equal(code, 0, stderr);
  assert.match(stepRow(stdout, 6) ?? '', /^ {2}PASS/, stdout);
  assert.match(stdout, /observed 1 message, body identical, RequestID [0-9a-f]{8}…, ErrorCode\s+\(Number\) 200/);
  // The timeline ends step 6 as it ends `run`: three attempts of step 4's event, then its arrival in the DLQ.
  assert.match(stdout, /^Async timeline/m);
  assert.match(stdout, /^ {4}attempt 1 +●/m);
  assert.match(stdout, /^ {4}retry 1 +╰─.*●/m);
  assert.match(stdout, /^ {4}retry 2 +╰─.*●/m);
  assert.match(stdout, /^ {4}→ DLQ +◆ +\+\d\.\d\d s$/m);
});

test('outputs prints the table, and --json one object with the four outputs', async () => {
  const table = await cli(['outputs']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^ {2}FunctionName {2}SimpleFunc$/m);
  const json = await cli(['outputs', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const outputs = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(outputs).sort(), ['FunctionName', 'LogGroupName', 'QueueArn', 'QueueUrl']);
  assert.equal(outputs.LogGroupName, '/aws/lambda/SimpleFunc');
});

test("logs groups the lines by RequestId: step 4's has attempt 1, retry 1 and retry 2, each with its error", async () => {
  const { code, stdout, stderr } = await cli(['logs']);
  assert.equal(code, 0, stderr);
  const state = JSON.parse(readFileSync(join(sandbox.stateDir, 'lesson-state.json'), 'utf8'));
  const failing = (Object.values(state.lessons)[0] as { asyncFail: { requestId: string } }).asyncFail.requestId;
  const blocks = stdout.split('\n\n');
  const block = blocks.find((text) => text.startsWith(`RequestId ${failing}`));
  assert.ok(block, stdout);
  assert.match(block, new RegExp(`^RequestId ${failing} · 3 attempts, each failed$`, 'm'));
  assert.match(block, /^ {2}attempt 1$/m);
  assert.match(block, /^ {2}retry 1 · 0\.\d\d s after attempt 1$/m);
  assert.match(block, /^ {2}retry 2 · 0\.\d\d s after retry 1$/m);
  assert.equal(block.match(/ERROR {2}Invoke Error/g)?.length, 3);
  assert.equal(blocks.filter((text) => /· 1 attempt, succeeded$/m.test(text)).length, 2, 'steps 1 and 3 succeeded once each');
});

test('with colour on, logs paints the error lines red and nothing else', async () => {
  const { code, stdout, stderr } = await cli(['logs'], { env: { FORCE_COLOR: '1' } });
  assert.equal(code, 0, stderr);
  const red = '\u001b[31m';
  const lines = stdout.split('\n');
  const errors = lines.filter((line) => line.includes('Invoke Error'));
  assert.ok(errors.length >= 4, stdout);
  for (const line of errors) assert.ok(line.includes(red), line);
  for (const line of lines.filter((line) => /START RequestId|INFO {2}EVENT/.test(line))) assert.ok(!line.includes(red), line);
});

test('logs --json gives the same grouping as data', async () => {
  const { code, stdout, stderr } = await cli(['logs', '--json']);
  assert.equal(code, 0, stderr);
  const { logGroupName, requests } = JSON.parse(stdout);
  assert.equal(logGroupName, '/aws/lambda/SimpleFunc');
  const retried = requests.filter((request: { attempts: unknown[] }) => request.attempts.length === 3);
  assert.equal(retried.length, 1);
  assert.deepEqual(retried[0].attempts.map((attempt: { label: string; failed: boolean }) => [attempt.label, attempt.failed]), [
    ['attempt 1', true],
    ['retry 1', true],
    ['retry 2', true],
  ]);
});

test('logs --follow prints the lines of a new invoke under its RequestId as they come, and Ctrl-C ends it with exit 0', async () => {
  const child = spawn(process.execPath, [BIN, 'logs', '--follow'], { env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await eventually(async () => (stderr.includes('Ctrl-C stops') ? true : undefined), 15_000);
    const printedBefore = stdout.length;
    const step = await cli(['step', '1', '--json']);
    assert.equal(step.code, 0, step.stderr);
    const requestId = JSON.parse(step.stdout).steps[0].details.requestId as string;
    await eventually(async () => (stdout.slice(printedBefore).includes(`END RequestId: ${requestId}`) ? true : undefined), 10_000);
    const fresh = stdout.slice(printedBefore);
    assert.match(fresh, new RegExp(`^RequestId ${requestId}\n {2}attempt 1\n`, 'm'));
    assert.match(fresh, new RegExp(`^ {4}\\d\\d:\\d\\d:\\d\\d\\.\\d{3} {2}START RequestId: ${requestId}`, 'm'));
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0, stderr);
  assert.doesNotMatch(stderr, /Interrupted/);
});

test('run uses the running server (no emulator of its own) and leaves the stack there for exploring', async () => {
  const { code, stdout, stderr } = await cli(['run', '--json']);
  assert.equal(code, 0, stderr);
  assert.match(stderr, new RegExp(`Using the local server at ${sandbox.url} \\(pid \\d+\\): the stack stays there for exploring; "lambda-async-demo teardown" removes it\\.`));
  assert.doesNotMatch(stderr, /Start the local emulator/);
  const report = JSON.parse(stdout);
  assert.equal(report.ok, true);
  assert.deepEqual(report.timeline.retryDelaysMs, [200, 400], "the server's delays, not run's defaults");
  const status = JSON.parse((await cli(['local', 'status', '--json'])).stdout);
  assert.deepEqual(status.stacks, [{ StackName: 'LambdaAsync', StackStatus: 'CREATE_COMPLETE' }]);
});

test('teardown deletes the stack and the log group, keeps the server the user started; a second teardown has nothing to delete', async () => {
  const first = await cli(['teardown']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /✔ Delete stack LambdaAsync: DELETE_COMPLETE/);
  assert.match(first.stdout, /Deleted the stack LambdaAsync: .* log group \/aws\/lambda\/SimpleFunc are gone\./);
  assert.match(first.stderr, /keeps running, since you started it: "lambda-async-demo local stop" stops it\./);
  assert.ok(sandbox.serverPid(), 'the server still runs');

  const second = await cli(['teardown']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /Stack LambdaAsync: nothing to delete/);

  const status = await cli(['local', 'status', '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual(JSON.parse(status.stdout).stacks, []);
  const state = JSON.parse(readFileSync(join(sandbox.stateDir, 'lesson-state.json'), 'utf8'));
  assert.deepEqual(state.lessons, {}, 'the recorded requests went with the stack');
});

test('local stop stops the server and removes its pid file; the state stays on disk', async () => {
  const pid = sandbox.serverPid();
  const { code, stdout, stderr } = await cli(['local', 'stop']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, new RegExp(`Stopped the local emulator at ${sandbox.url} \\(pid ${pid}\\); its state is saved in `));
  assert.equal(existsSync(join(sandbox.stateDir, 'server.json')), false);
  assert.equal(existsSync(join(sandbox.stateDir, 'journal-1.jsonl')), true);
});

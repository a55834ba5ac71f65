// `local start|stop|status` as a user runs them: status either way, a busy port, a stale pid file, a corrupt state
// file, --host, the foreground server and its signals, and the server a per-step command starts and teardown stops.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually } from '../helpers/emulator.js';
import { resolveStateDir } from '../../src/local/settings.js';
import { BIN, createSandbox, freePort, waitUntilGone } from '../helpers/local-cli.js';

test('status when stopped says so and exits 0; stop when none runs is not an error', async () => {
  const { cli, stateDir } = await createSandbox();
  const status = await cli(['local', 'status']);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(status.stdout, `The local emulator is not running (state dir ${stateDir}).\n`);
  const json = await cli(['local', 'status', '--json']);
  assert.deepEqual(JSON.parse(json.stdout), { running: false, state: 'stopped', stateDir });
  const stop = await cli(['local', 'stop']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /The local emulator is not running \(state dir .+\): nothing to stop\./);
});

test('status when running gives where, the pid, who started it and the stacks it holds', async () => {
  const sandbox = await createSandbox();
  const start = await sandbox.cli(['local', 'start', '-d']);
  assert.equal(start.code, 0, start.stderr);
  const pid = sandbox.serverPid()!;
  const status = await sandbox.cli(['local', 'status']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`^The local emulator is running at ${sandbox.url} \\(pid ${pid}, started by you, up [\\d.]+ s\\)\\.$`, 'm'));
  assert.match(status.stdout, /^Stacks: {7}none$/m);
  const json = JSON.parse((await sandbox.cli(['local', 'status', '--json'])).stdout);
  assert.equal(json.running, true);
  assert.equal(json.pid, pid);
  assert.equal(json.url, sandbox.url);
  assert.equal(json.startedBy, 'user');
  assert.deepEqual(json.stacks, []);

  const again = await sandbox.cli(['local', 'start', '-d']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`already runs at ${sandbox.url} \\(pid ${pid}`));
  assert.equal(sandbox.serverPid(), pid, 'no second server');
});

test('a port already in use is one sentence and a hint, exit 3, before and without a server', async () => {
  const sandbox = await createSandbox();
  // Accepts and never answers, like a program that is not an HTTP server at all.
  const blocker = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(sandbox.port, '127.0.0.1', resolve));
  try {
    for (const args of [['local', 'start', '-d'], ['local', 'start']]) {
      const { code, stdout, stderr } = await sandbox.cli(args);
      assert.equal(code, 3, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines[0], `✖ Port ${sandbox.port} on 127.0.0.1 is already in use.`);
      assert.match(lines[1] ?? '', /^ {2}Hint: Stop the program that listens there, or pick another port: --port \d+ \(or LAMBDA_ASYNC_DEMO_PORT\)\.$/);
      assert.equal(lines.length, 2, stderr);
      assert.equal(sandbox.serverPid(), undefined, 'no pid file');
    }
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test('with no stack, outputs, step 1, step 3, step 5 and logs start a server to look, say so, and stop it again', async () => {
  const sandbox = await createSandbox();
  for (const command of [['outputs'], ['step', '1'], ['step', '3'], ['step', '5'], ['logs']]) {
    const outcome = await sandbox.cli(command);
    assert.equal(outcome.code, 3, `${command.join(' ')}: ${outcome.stderr}`);
    assert.match(outcome.stderr, new RegExp(`✔ Start the local emulator: ${sandbox.url}, pid \\d+`));
    assert.match(outcome.stderr, /Hint: Deploy it first: lambda-async-demo deploy\n/);
    assert.match(outcome.stderr, /Stopped the local emulator this command had started: there was nothing for it to work on\./);
    assert.doesNotMatch(outcome.stderr, /keeps running/);
    assert.equal(sandbox.serverPid(), undefined, `${command.join(' ')} left a server behind`);
  }
});

test('deploy with no server starts one that keeps running (and says so); teardown then stops that server', async () => {
  const sandbox = await createSandbox();
  const deploy = await sandbox.cli(['deploy']);
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stderr, new RegExp(`✔ Start the local emulator: ${sandbox.url}, pid \\d+`));
  assert.match(deploy.stderr, /The local emulator keeps running for the next commands: "lambda-async-demo teardown" stops it with the stack, "lambda-async-demo local stop" stops it now\./);
  const pid = sandbox.serverPid()!;
  assert.equal(JSON.parse(readFileSync(join(sandbox.stateDir, 'server.json'), 'utf8')).startedBy, 'auto');

  const status = await sandbox.cli(['local', 'status']);
  assert.match(status.stdout, /started by a lesson command, up [\d.]+ s; teardown stops it\)/);

  const teardown = await sandbox.cli(['teardown']);
  assert.equal(teardown.code, 0, teardown.stderr);
  assert.match(teardown.stdout, /Deleted the stack LambdaAsync: its function, queue, role and log group/);
  assert.match(teardown.stderr, new RegExp(`Stopped the local emulator this tool had started \\(pid ${pid}\\)\\.`));
  assert.ok(await waitUntilGone(pid, 2_000), 'the server process is gone');
  assert.equal(sandbox.serverPid(), undefined);
});


test('teardown with no server and no saved state has nothing to delete and starts nothing', async () => {
  const sandbox = await createSandbox();
  const { code, stdout, stderr } = await sandbox.cli(['teardown']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /Stack LambdaAsync: nothing to delete/);
  assert.doesNotMatch(stderr, /Start the local emulator/);
});

test('--host other than 127.0.0.1 prints a warning, and the server answers there', async () => {
  const sandbox = await createSandbox();
  const { code, stderr } = await sandbox.cli(['local', 'start', '-d', '--host', '0.0.0.0']);
  assert.equal(code, 0, stderr);
  assert.match(stderr, new RegExp(`Warning: listening on 0\\.0\\.0\\.0, not only on this machine: anyone who can reach port ${sandbox.port} can use the emulator without credentials`));
  assert.equal(JSON.parse(readFileSync(join(sandbox.stateDir, 'server.json'), 'utf8')).host, '0.0.0.0');
  const health = (await (await fetch(`${sandbox.url}/_emulator/health`)).json()) as { pid: number };
  assert.equal(health.pid, sandbox.serverPid());
  const quiet = await createSandbox();
  const local = await quiet.cli(['local', 'start', '-d']);
  assert.equal(local.code, 0, local.stderr);
  assert.doesNotMatch(local.stderr, /Warning/);
});

test('a stale pid file (its process gone) is reported by status and removed', async () => {
  const sandbox = await createSandbox();
  const gone = spawn(process.execPath, ['-e', '']);
  const deadPid = gone.pid!;
  await new Promise((resolve) => gone.on('exit', resolve));
  const port = await freePort();
  writeFileSync(
    join(sandbox.stateDir, 'server.json'),
    JSON.stringify({ pid: deadPid, url: `http://127.0.0.1:${port}`, port, host: '127.0.0.1', stateDir: sandbox.stateDir, startedAt: new Date().toISOString(), startedBy: 'user' }),
  );
  const { code, stdout, stderr } = await sandbox.cli(['local', 'status']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, new RegExp(`not running: its pid file named pid ${deadPid}, which is gone`));
  assert.match(stdout, /Removed the stale pid file/);
  assert.equal(existsSync(join(sandbox.stateDir, 'server.json')), false);
});

test('a pid file whose pid now belongs to another process (reused after a restart) is stale: local start -d starts anew', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const sandbox = await createSandbox();
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => other.kill('SIGKILL'));
  await new Promise((resolve) => other.once('spawn', resolve));
  const port = await freePort();
  writeFileSync(
    join(sandbox.stateDir, 'server.json'),
    JSON.stringify({ pid: other.pid, url: `http://127.0.0.1:${port}`, port, host: '127.0.0.1', stateDir: sandbox.stateDir, startedAt: '2026-01-01T00:00:00.000Z', processStamp: 'another-boot:12345', startedBy: 'user' }),
  );
  const started = await sandbox.cli(['local', 'start', '-d']);
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stderr + started.stdout, new RegExp(`Removed a stale pid file: pid ${other.pid} is gone`));
  assert.notEqual(sandbox.serverPid(), other.pid);
  assert.equal(other.exitCode, null, 'the process that got the pid was left alone');
  await sandbox.stopServer();
});

test('a corrupt state file is reported with its clear message, moved aside, and the server starts empty', async () => {
  const sandbox = await createSandbox();
  mkdirSync(sandbox.stateDir, { recursive: true });
  writeFileSync(join(sandbox.stateDir, 'snapshot.json'), '{"format":"lambda-async-demo-state","version":2,"entities":');
  const { code, stderr } = await sandbox.cli(['local', 'start', '-d']);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /The state file .+snapshot\.json could not be read \(it is not valid JSON: .+\), so it was moved aside to .+snapshot\.json\.corrupt-\S+\. The emulator starts empty\./);
  assert.equal(readdirSync(sandbox.stateDir).filter((name) => name.startsWith('snapshot.json.corrupt-')).length, 1);
  const status = JSON.parse((await sandbox.cli(['local', 'status', '--json'])).stdout);
  assert.equal(status.running, true);
  assert.deepEqual(status.stacks, []);
});

test('local start in the foreground serves until SIGTERM or Ctrl-C, then saves its state, removes the pid file and exits 0', async () => {
  const sandbox = await createSandbox();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const child = spawn(process.execPath, [BIN, 'local', 'start'], { env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const listening = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('Ctrl-C stops it')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await Promise.race([listening, exited]);
    assert.match(stdout, new RegExp(`listens at ${sandbox.url} \\(pid ${child.pid}\\)`), stderr);
    assert.match(stdout, new RegExp(`aws --endpoint-url ${sandbox.url} `));
    assert.equal(sandbox.serverPid(), child.pid, 'a foreground server writes the pid file too');
    child.kill(signal);
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /Stopped; its state is saved in /);
    assert.equal(existsSync(join(sandbox.stateDir, 'server.json')), false);
    assert.equal(existsSync(join(sandbox.stateDir, 'journal-1.jsonl')), true);
    assert.equal(existsSync(join(sandbox.stateDir, 'server.lock')), false, 'the lock goes with the server');
  }
});

test('usage errors: a bad port or step id exits 2 with one sentence', async () => {
  const sandbox = await createSandbox();
  const port = await sandbox.cli(['local', 'start', '--port', '70000']);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /^Error: --port must be a port number from 1 to 65535, not '70000'\.\nHint: /);
  const step = await sandbox.cli(['step', '7']);
  assert.equal(step.code, 2);
  assert.equal(step.stderr, `Error: There is no step '7': the steps are 1 to 6.\nHint: Run "lambda-async-demo step --help" for what each step does.\n`);
  const logs = await sandbox.cli(['logs', '--follow', '--json']);
  assert.equal(logs.code, 2);
  assert.match(logs.stderr, /^Error: --json and --follow do not go together/);
});

test('teardown on --target aws without a terminal refuses to delete without --yes (exit 2), and deletes with it', async () => {
  // A stack on the local server, addressed as AWS through --endpoint-url: the confirmation rule without touching AWS.
  const sandbox = await createSandbox();
  assert.equal((await sandbox.cli(['local', 'start', '-d', '--retry-delays', '0.05,0.1'])).code, 0);
  const deploy = await sandbox.cli(['deploy']);
  assert.equal(deploy.code, 0, deploy.stderr);
  const asAws = ['teardown', '--target', 'aws', '--endpoint-url', sandbox.url];
  const refused = await sandbox.cli(asAws);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /✖ Refusing to delete the stack LambdaAsync from .+ without confirmation: there is no terminal to ask on\.\n {2}Hint: Add --yes to delete it without asking: .+ --yes\n$/);
  const confirmed = await sandbox.cli([...asAws, '--yes']);
  assert.equal(confirmed.code, 0, confirmed.stderr);
  assert.match(confirmed.stdout, /Deleted the stack LambdaAsync/);
});

test('without a recorded step 4, step 5 reports each RequestId logged more than once and step 6 what the DLQ holds, left in place', async () => {
  const sandbox = await createSandbox();
  assert.equal((await sandbox.cli(['local', 'start', '-d', '--retry-delays', '0.05,0.1'])).code, 0);
  assert.equal((await sandbox.cli(['deploy'])).code, 0);
  const step4 = await sandbox.cli(['step', '4', '--json']);
  assert.equal(step4.code, 0, step4.stderr);
  const requestId = JSON.parse(step4.stdout).steps[0].details.requestId as string;
  // As if step 4 had been run elsewhere (the AWS CLI, another machine): nothing recorded here.
  rmSync(join(sandbox.stateDir, 'lesson-state.json'));

  const retried = await eventually(async () => {
    const step5 = await sandbox.cli(['step', '5', '--json']);
    const details = JSON.parse(step5.stdout).steps[0].details as { retried: Array<{ requestId: string; attempts: number }> };
    return step5.code === 0 && details.retried[0]?.attempts === 3 ? details.retried : undefined;
  }, 15_000);
  assert.deepEqual(retried.map((entry) => [entry.requestId, entry.attempts]), [[requestId, 3]]);

  for (const round of [1, 2]) {
    const step6 = await sandbox.cli(['step', '6']);
    assert.equal(step6.code, 0, `look ${round}: ${step6.stderr}`);
    assert.match(step6.stdout, new RegExp(`observed 1 message: RequestID ${requestId.slice(0, 8)}… \\(ErrorCode 200, ErrorMessage`));
  }
});

test('the detached server reports its own EADDRINUSE to its starter: one sentence over IPC, exit code 3', async () => {
  // The starter checks the port first; this is the race it cannot see (taken between its check and the bind).
  const sandbox = await createSandbox();
  const blocker = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(sandbox.port, '127.0.0.1', resolve));
  try {
    const serverMain = new URL('../../dist/bundle/server-main.js', import.meta.url);
    const config = { stateDir: sandbox.stateDir, host: '127.0.0.1', port: sandbox.port, retryDelaysMs: [1000, 2000], startedBy: 'auto' };
    const child = spawn(process.execPath, [serverMain.pathname, JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const message = await new Promise<{ type: string; exitCode: number; message: string }>((resolve) => child.once('message', resolve as never));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    assert.deepEqual({ type: message.type, exitCode: message.exitCode, message: message.message }, {
      type: 'failed',
      exitCode: 3,
      message: `Port ${sandbox.port} on 127.0.0.1 is already in use.`,
    });
    assert.equal(code, 3);
    assert.equal(sandbox.serverPid(), undefined);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test('the state dir defaults to $XDG_STATE_HOME/lambda-async-demo, else ~/.local/state/lambda-async-demo; the env var and --state-dir override', () => {
  assert.equal(resolveStateDir(undefined, { XDG_STATE_HOME: '/xdg/state' }), '/xdg/state/lambda-async-demo');
  assert.equal(resolveStateDir(undefined, { XDG_STATE_HOME: 'relative/ignored' }), join(homedir(), '.local', 'state', 'lambda-async-demo'));
  assert.equal(resolveStateDir(undefined, {}), join(homedir(), '.local', 'state', 'lambda-async-demo'));
  assert.equal(resolveStateDir(undefined, { LAMBDA_ASYNC_DEMO_STATE_DIR: '/from/env', XDG_STATE_HOME: '/xdg' }), '/from/env');
  assert.equal(resolveStateDir('/from/flag', { LAMBDA_ASYNC_DEMO_STATE_DIR: '/from/env' }), '/from/flag');
});

test('a state dir that does not exist yet is created 0700 by the server', { skip: process.platform === 'win32' }, async () => {
  const sandbox = await createSandbox();
  const nested = join(sandbox.stateDir, 'new', 'state');
  const { code, stderr } = await sandbox.cli(['local', 'start', '-d', '--state-dir', nested]);
  assert.equal(code, 0, stderr);
  try {
    assert.equal(statSync(nested).mode & 0o777, 0o700);
    assert.equal(statSync(join(nested, 'server.json')).mode & 0o777, 0o600);
  } finally {
    assert.equal((await sandbox.cli(['local', 'stop', '--state-dir', nested])).code, 0);
  }
});

test('teardown reports a log group left behind (Lambda writes a late retry into a new one) with how to remove it, exit 1', async () => {
  const sandbox = await createSandbox();
  assert.equal((await sandbox.cli(['local', 'start', '-d'])).code, 0);
  const logs = new CloudWatchLogsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/SimpleFunc' }));
  } finally {
    logs.destroy();
  }
  const { code, stdout, stderr } = await sandbox.cli(['teardown']);
  assert.equal(code, 1, stderr);
  assert.match(stdout, /Stack LambdaAsync: nothing to delete/);
  // The exact command, aimed at the server that holds the group, and the --yes that lets teardown delete it.
  assert.ok(
    stderr.includes(
      '✖ Left behind: the log group /aws/lambda/SimpleFunc.\n' +
        `  Hint: Remove it with: aws logs delete-log-group --log-group-name /aws/lambda/SimpleFunc --region us-east-1 --endpoint-url ${sandbox.url} ` +
        '(or: lambda-async-demo teardown --yes)\n',
    ),
    stderr,
  );
});

test('a DLQ send that fails is counted in local status --json and written to server.log', async () => {
  const sandbox = await createSandbox();
  assert.equal((await sandbox.cli(['local', 'start', '-d', '--retry-delays', '0.05,0.1'])).code, 0);
  assert.equal((await sandbox.cli(['deploy'])).code, 0);
  const config = { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const sqs = new SQSClient(config);
  const lambda = new LambdaClient({ ...config, maxAttempts: 1 });
  try {
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
    assert.equal(QueueUrls?.length, 1);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: QueueUrls![0]! }));
    const invoked = await lambda.send(
      new InvokeCommand({ FunctionName: 'SimpleFunc', InvocationType: 'Event', Payload: new TextEncoder().encode('{"name":""}') }),
    );
    const requestId = invoked.$metadata.requestId!;
    const incidents = await eventually(async () => {
      const status = await sandbox.cli(['local', 'status', '--json']);
      const counts = JSON.parse(status.stdout).incidents?.SimpleFunc;
      return counts?.AsyncEventsDropped ? counts : undefined;
    }, 15_000);
    assert.deepEqual(incidents, { DeadLetterErrors: 1, AsyncEventsDropped: 1 });
    const log = readFileSync(join(sandbox.stateDir, 'server.log'), 'utf8');
    assert.match(log, new RegExp(`DeadLetterErrors SimpleFunc: event ${requestId} could not be sent to the dead-letter queue`));
    const status = await sandbox.cli(['local', 'status']);
    assert.match(status.stdout, /SimpleFunc: DeadLetterErrors 1, AsyncEventsDropped 1/);
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
});

test('a second server on a state directory in use is refused by its lock, even without the pid file, and names the holder', async () => {
  const sandbox = await createSandbox();
  assert.equal((await sandbox.cli(['local', 'start', '-d'])).code, 0);
  const holder = sandbox.serverPid()!;
  // As if the pid file were lost: the lock still stands between two servers and one directory.
  rmSync(join(sandbox.stateDir, 'server.json'));
  const second = await sandbox.cli(['local', 'start', '-d', '--port', String(await freePort())]);
  assert.equal(second.code, 3, second.stderr);
  assert.match(second.stderr, new RegExp(`The state directory ${sandbox.stateDir} is in use by another lambda-async-demo server \\(pid ${holder}, started `));
  assert.match(second.stderr, /Hint: .*local stop --state-dir/);
  process.kill(holder, 'SIGTERM');
  assert.ok(await waitUntilGone(holder));
});

test('--port finds the server on that port: local status and local stop by port alone, run uses it', async () => {
  const sandbox = await createSandbox();
  const port = await freePort();
  assert.equal((await sandbox.cli(['local', 'start', '-d', '--port', String(port)])).code, 0);
  const pid = sandbox.serverPid()!;
  // Another default state dir in the environment: only the port points at the server.
  const elsewhere = { LAMBDA_ASYNC_DEMO_STATE_DIR: join(sandbox.stateDir, 'not-this-one') };
  const status = await sandbox.cli(['local', 'status', '--json', '--port', String(port)], { env: elsewhere });
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).pid, pid);
  assert.equal(JSON.parse(status.stdout).stateDir, sandbox.stateDir);

  const run = await sandbox.cli(['run', '--json', '--port', String(port)], { env: elsewhere });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`Using the local server at http://127\\.0\\.0\\.1:${port} \\(pid ${pid}\\)`));

  const stop = await sandbox.cli(['local', 'stop', '--port', String(port)], { env: elsewhere });
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, new RegExp(`Stopped the local emulator at http://127\\.0\\.0\\.1:${port} \\(pid ${pid}\\)`));
  assert.ok(await waitUntilGone(pid));
  const again = await sandbox.cli(['local', 'stop', '--port', String(port)], { env: elsewhere });
  assert.equal(again.code, 0);
  assert.match(again.stdout, new RegExp(`No local emulator answers on 127\\.0\\.0\\.1:${port}\\. Nothing to stop\\.`));
});

test('run --port with no server there runs its own emulator on that port', async () => {
  const sandbox = await createSandbox();
  const port = await freePort();
  const run = await sandbox.cli(['run', '--port', String(port), '--retry-delays', '0.05,0.1']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`Start the local emulator: http://127\\.0\\.0\\.1:${port}, `));
  assert.equal(sandbox.serverPid(), undefined);
});

test('step 5 and step 6 agree after step 4 without step 3: both pass, and step 5 says step 3 was not run', async () => {
  const sandbox = await createSandbox();
  assert.equal((await sandbox.cli(['deploy', '--retry-delays', '0.05,0.1'])).code, 0);
  assert.equal((await sandbox.cli(['step', '4'])).code, 0);
  const step5 = await sandbox.cli(['step', '5', '--json']);
  assert.equal(step5.code, 0, step5.stdout + step5.stderr);
  const observed = JSON.parse(step5.stdout).steps[0].observed as string;
  assert.match(observed, /^3 for step 4's .*, none to compare for step 3's \(step 3 was not run\)$/);
  const step6 = await sandbox.cli(['step', '6']);
  assert.equal(step6.code, 0, step6.stderr);
});

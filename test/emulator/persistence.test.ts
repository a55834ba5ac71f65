// Server-mode persistence: atomic, debounced saves; corrupt files moved aside; state surviving close() and kill -9.
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../src/emulator/index.js';
import { CorruptStateError, STATE_FORMAT, StatePersistence } from '../../src/emulator/persistence.js';
import { TEST_CREDENTIALS } from '../helpers/emulator.js';

const scratch = mkdtempSync(join(tmpdir(), 'lad-persistence-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirCounter = 0;
const freshDir = () => join(scratch, `state-${++dirCounter}`);

function logsClient(url: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint: url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
}

test('a flushed state loads back unchanged, inside the versioned header', () => {
  const dir = freshDir();
  const state = { logs: { groups: [{ name: '/a' }] }, sqs: { queues: 2 } };
  new StatePersistence(dir).flush(() => state);
  const file = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  assert.equal(file.format, STATE_FORMAT);
  assert.equal(file.version, 1);
  assert.ok(!Number.isNaN(Date.parse(file.savedAt)));
  assert.deepEqual(new StatePersistence(dir).load(), state);
});

test('load() with no state file yet returns undefined', () => {
  assert.equal(new StatePersistence(freshDir()).load(), undefined);
});

test('scheduled saves within the debounce window coalesce into one write', async () => {
  const dir = freshDir();
  const persistence = new StatePersistence(dir, { debounceMs: 5 });
  let snapshots = 0;
  let counter = 0;
  const getState = () => {
    snapshots++;
    return { counter };
  };
  for (let i = 0; i < 20; i++) {
    counter++;
    persistence.scheduleSave(getState);
  }
  assert.equal(existsSync(join(dir, 'state.json')), false, 'nothing written before the debounce fires');
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(snapshots, 1);
  assert.deepEqual(persistence.load(), { counter: 20 });
});

test('whenSaved() does not sit out a long debounce: the pending change is on disk when it resolves', async () => {
  const dir = freshDir();
  const persistence = new StatePersistence(dir, { debounceMs: 60_000 });
  await persistence.whenSaved(); // nothing pending: resolves at once
  persistence.scheduleSave(() => ({ acknowledged: true }));
  const started = Date.now();
  await persistence.whenSaved();
  assert.ok(Date.now() - started < 1000);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).state, { acknowledged: true });
  persistence.dispose();
});

test('a crash mid-write (a temp file left behind) leaves the previous state loadable, and the temp file is cleaned', () => {
  const dir = freshDir();
  new StatePersistence(dir).flush(() => ({ generation: 1 }));
  // What a kill -9 between write and rename leaves: a half-written temp file next to the intact old state.
  const leftover = join(dir, 'state.json.tmp-99999-1');
  writeFileSync(leftover, '{"format":"lambda-async-demo-state","version":1,"state":{"generation":');
  assert.deepEqual(new StatePersistence(dir).load(), { generation: 1 });
  assert.equal(existsSync(leftover), false);
});

test('every save replaces state.json whole and leaves no temp file behind', () => {
  const dir = freshDir();
  const persistence = new StatePersistence(dir);
  for (let generation = 1; generation <= 3; generation++) persistence.flush(() => ({ generation }));
  assert.deepEqual(readdirSync(dir), ['state.json']);
  assert.deepEqual(persistence.load(), { generation: 3 });
});

test('a corrupt state file is moved aside and reported with both paths, not silently discarded', () => {
  const dir = freshDir();
  const statePath = join(dir, 'state.json');
  new StatePersistence(dir);
  writeFileSync(statePath, '{"format":"lambda-async-demo-state", trunc');
  const persistence = new StatePersistence(dir);
  let caught: unknown;
  assert.throws(
    () => persistence.load(),
    (error) => {
      caught = error;
      return error instanceof CorruptStateError;
    },
  );
  const error = caught as CorruptStateError;
  assert.equal(error.statePath, statePath);
  assert.match(error.movedTo, /state\.json\.corrupt-/);
  assert.ok(error.message.includes(statePath) && error.message.includes(error.movedTo), error.message);
  assert.equal(readFileSync(error.movedTo, 'utf8'), '{"format":"lambda-async-demo-state", trunc');
  assert.equal(existsSync(statePath), false);
  // The caller may continue: the next load starts empty instead of failing again.
  assert.equal(persistence.load(), undefined);
});

test('a foreign state file (another format or version) is moved aside with CorruptStateError', () => {
  for (const foreign of [{ format: 'something-else', version: 1, state: {} }, { format: STATE_FORMAT, version: 2, state: {} }, [1, 2]]) {
    const dir = freshDir();
    new StatePersistence(dir);
    writeFileSync(join(dir, 'state.json'), JSON.stringify(foreign));
    assert.throws(() => new StatePersistence(dir).load(), CorruptStateError);
    assert.equal(existsSync(join(dir, 'state.json')), false);
    assert.equal(readdirSync(dir).filter((name) => name.startsWith('state.json.corrupt-')).length, 1);
  }
});

test('the state directory is created 0700 and the state file 0600', { skip: process.platform === 'win32' }, () => {
  const dir = join(freshDir(), 'nested');
  new StatePersistence(dir).flush(() => ({}));
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'state.json')).mode & 0o777, 0o600);
});

test('a Logs group created through the SDK survives close() and a new emulator on the same state dir', async () => {
  const stateDir = freshDir();
  const first = await startEmulator({ stateDir });
  const client = logsClient(first.url);
  await client.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/Survivor' }));
  client.destroy();
  await first.close();

  const second = await startEmulator({ stateDir });
  const again = logsClient(second.url);
  try {
    const { logGroups } = await again.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/Survivor' }));
    assert.deepEqual(logGroups!.map((group) => group.logGroupName), ['/aws/lambda/Survivor']);
  } finally {
    again.destroy();
    await second.close();
  }
});

test('an acknowledged change is already on disk when its response arrives', async () => {
  const stateDir = freshDir();
  const running = await startEmulator({ stateDir });
  const client = logsClient(running.url);
  try {
    await client.send(new CreateLogGroupCommand({ logGroupName: '/acked/before-response' }));
    const onDisk = readFileSync(join(stateDir, 'state.json'), 'utf8');
    assert.ok(onDisk.includes('/acked/before-response'));
  } finally {
    client.destroy();
    await running.close();
  }
});

test('startEmulator on a corrupt state file rejects with CorruptStateError, and starts empty when called again', async () => {
  const stateDir = freshDir();
  new StatePersistence(stateDir);
  writeFileSync(join(stateDir, 'state.json'), 'not json at all');
  await assert.rejects(startEmulator({ stateDir }), CorruptStateError);
  const running = await startEmulator({ stateDir });
  await running.close();
});

test('kill -9 right after an acknowledged write loses nothing', async () => {
  const stateDir = freshDir();
  const indexUrl = new URL('../../src/emulator/index.ts', import.meta.url).href;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { startEmulator } = await import(${JSON.stringify(indexUrl)});
       const running = await startEmulator({ stateDir: ${JSON.stringify(stateDir)} });
       process.stdout.write(running.url + '\\n');`,
    ],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(output.trim());
      });
      child.once('exit', (code) => reject(new Error(`emulator child exited early (${code})`)));
    });
    const client = logsClient(url);
    await client.send(new CreateLogGroupCommand({ logGroupName: '/acked/then-killed' }));
    child.kill('SIGKILL');
    client.destroy();
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }

  const restarted = await startEmulator({ stateDir });
  try {
    assert.equal(restarted.emulator.logs.hasLogGroup('/acked/then-killed'), true);
  } finally {
    await restarted.close();
  }
});

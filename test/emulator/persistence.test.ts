// Server-mode persistence: a journal of changed entities with snapshots; torn and damaged files, full disks, one server
// per directory; state surviving close(), kill -9 and a kill in the middle of a compaction.
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../src/emulator/index.js';
import { processStamp } from '../../src/emulator/process-identity.js';
import {
  CorruptStateError,
  STATE_FORMAT,
  StateLockedError,
  StatePersistence,
  type JournalIo,
  type StatePersistenceOptions,
} from '../../src/emulator/persistence.js';
import { TEST_CREDENTIALS } from '../helpers/emulator.js';

const scratch = mkdtempSync(join(tmpdir(), 'lad-persistence-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirCounter = 0;
const freshDir = () => join(scratch, `state-${++dirCounter}`);

function logsClient(url: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint: url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
}

/** A persistence over a plain Map, as the emulator attaches it: changed keys are read from the map at save time. */
function journalled(dir: string, options: StatePersistenceOptions = {}) {
  const persistence = new StatePersistence(dir, options);
  persistence.lock();
  const loaded = persistence.load();
  const entities = new Map<string, unknown>(loaded?.kind === 'entities' ? loaded.entities : []);
  let reads = 0;
  persistence.attach(
    (key) => {
      reads++;
      return entities.get(key);
    },
    () => new Map(entities),
  );
  return {
    persistence,
    entities,
    loaded,
    reads: () => reads,
    set(key: string, value: unknown) {
      entities.set(key, value);
      persistence.changed([key]);
    },
    remove(key: string) {
      entities.delete(key);
      persistence.changed([key]);
    },
    /** As the server stops: what is pending is written, the journal closed, the lock released. */
    close() {
      persistence.flush();
      persistence.dispose();
    },
  };
}

function reopen(dir: string): Map<string, unknown> {
  const again = journalled(dir);
  const entities = new Map(again.entities);
  again.close();
  return entities;
}

const journalOf = (dir: string, generation = 1) => readFileSync(join(dir, `journal-${generation}.jsonl`), 'utf8');

test('a change is one journal line with its value, and a removal one line without; both replay on load', async () => {
  const dir = freshDir();
  const state = journalled(dir);
  state.set('sqs\u0000m\u0000q\u0000id-1', { Body: 'one' });
  await state.persistence.whenSaved();
  state.set('sqs\u0000m\u0000q\u0000id-2', { Body: 'two' });
  state.remove('sqs\u0000m\u0000q\u0000id-1');
  await state.persistence.whenSaved();
  state.close();
  const lines = journalOf(dir).trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(lines, [
    { k: 'sqs\u0000m\u0000q\u0000id-1', v: { Body: 'one' } },
    { k: 'sqs\u0000m\u0000q\u0000id-2', v: { Body: 'two' } },
    { k: 'sqs\u0000m\u0000q\u0000id-1' },
  ]);
  assert.deepEqual([...reopen(dir)], [['sqs\u0000m\u0000q\u0000id-2', { Body: 'two' }]]);
});

test('load() with no state yet returns undefined', () => {
  const state = journalled(freshDir());
  assert.equal(state.loaded, undefined);
  state.close();
});

test('changes within the debounce window coalesce into one write that reads each entity once', async () => {
  const dir = freshDir();
  const state = journalled(dir, { debounceMs: 5 });
  for (let i = 0; i < 20; i++) state.set('counter', i);
  assert.equal(journalOf(dir), '', 'nothing written before the debounce fires');
  await state.persistence.whenSaved();
  assert.equal(state.reads(), 1);
  assert.equal(journalOf(dir), '{"k":"counter","v":19}\n');
  state.close();
});

test('whenSaved() does not sit out a long debounce: the pending change is on disk when it resolves', async () => {
  const dir = freshDir();
  const state = journalled(dir, { debounceMs: 60_000 });
  await state.persistence.whenSaved(); // nothing pending: resolves at once
  state.set('acknowledged', true);
  await state.persistence.whenSaved();
  assert.equal(journalOf(dir), '{"k":"acknowledged","v":true}\n');
  state.close();
});

test('a background change does not hold up whenSaved, and the next save writes it', async () => {
  const dir = freshDir();
  const state = journalled(dir, { backgroundSaveMs: 60_000 });
  state.entities.set('log', 'a function log line');
  state.persistence.changed(['log'], 'background');
  await state.persistence.whenSaved();
  assert.equal(journalOf(dir), '', 'nothing acknowledged was waiting, so nothing was written yet');
  state.set('message', 'acknowledged');
  await state.persistence.whenSaved();
  assert.deepEqual(journalOf(dir).trim().split('\n').map((line) => JSON.parse(line).k).sort(), ['log', 'message']);
  state.close();
});

test('compaction writes a snapshot of every entity, starts the next journal and deletes the folded one', async () => {
  const dir = freshDir();
  const state = journalled(dir, { compactBytes: 200 });
  for (let i = 0; i < 10; i++) {
    state.set(`key-${i}`, 'x'.repeat(30));
    await state.persistence.whenSaved();
  }
  state.remove('key-0');
  await state.persistence.whenSaved();
  state.close();
  const names = readdirSync(dir).filter((name) => name !== 'server.lock').sort();
  assert.ok(names.includes('snapshot.json'), names.join(' '));
  const journals = names.filter((name) => name.startsWith('journal-'));
  assert.equal(journals.length, 1, names.join(' '));
  const snapshot = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8'));
  assert.equal(snapshot.format, STATE_FORMAT);
  assert.equal(snapshot.version, 2);
  assert.equal(journals[0], `journal-${snapshot.generation}.jsonl`);
  const expected = Array.from({ length: 9 }, (_, i) => [`key-${i + 1}`, 'x'.repeat(30)]);
  assert.deepEqual([...reopen(dir)].sort(), expected.sort());
});

test('a torn last journal line (a write cut short) is dropped and what came before it loads', async () => {
  const dir = freshDir();
  const state = journalled(dir);
  state.set('kept', 1);
  state.close();
  writeFileSync(join(dir, 'journal-1.jsonl'), '{"k":"torn","v":{"half', { flag: 'a' });
  assert.deepEqual([...reopen(dir)], [['kept', 1]]);
  assert.equal(journalOf(dir), '{"k":"kept","v":1}\n', 'the torn bytes are cut off, so new lines follow a whole one');
});

test('a damaged line inside the journal stops the replay there, keeps the file aside and says so', async () => {
  const dir = freshDir();
  const state = journalled(dir);
  state.set('before', 1);
  state.close();
  writeFileSync(join(dir, 'journal-1.jsonl'), 'garbage that is not json\n{"k":"after","v":2}\n', { flag: 'a' });
  const again = journalled(dir);
  assert.deepEqual([...again.entities], [['before', 1]]);
  assert.match(again.persistence.notices.join('\n'), /was damaged at line 2; the changes before it were restored, and the file was kept as .*journal-1\.jsonl\.damaged-/);
  again.close();
  assert.equal(readdirSync(dir).filter((name) => name.includes('.damaged-')).length, 1);
});

/**
 * A journal whose next `refuse(n)` writes fail with `code` (after writing half the buffer when `shortFirst`, as a
 * filling disk does); `refusing()` says how many are still to fail.
 */
function refusingDisk(code: 'ENOSPC' | 'EFBIG', shortFirst: boolean) {
  let failures = 0;
  const io: JournalIo = {
    write(fd, buffer, offset, length) {
      if (failures > 0) {
        failures--;
        if (shortFirst) writeSync(fd, buffer, offset, Math.floor(length / 2));
        throw Object.assign(new Error(`${code}: the disk refused the write`), { code });
      }
      return writeSync(fd, buffer, offset, length);
    },
  };
  return { io, refuse: (count: number) => (failures = count), refusing: () => failures };
}

test('a full disk fails the save that needed it, leaves the journal whole, and the change is written by the next save', async () => {
  const dir = freshDir();
  const disk = refusingDisk('ENOSPC', true);
  const { io } = disk;
  const errors: unknown[] = [];
  const state = journalled(dir, { io });
  state.persistence.onWriteError = (error) => errors.push(error);
  state.set('first', 1);
  await state.persistence.whenSaved();
  disk.refuse(1);
  state.set('second', 2);
  await assert.rejects(state.persistence.whenSaved(), /ENOSPC/);
  assert.equal(errors.length, 1);
  assert.equal(journalOf(dir), '{"k":"first","v":1}\n', 'the half-written line was cut back off');
  state.set('third', 3);
  await state.persistence.whenSaved();
  state.close();
  assert.deepEqual([...reopen(dir)].sort(), [['first', 1], ['second', 2], ['third', 3]]);
});

test('a refused write is retried in the background until the disk takes it, reported once and again when it recovers', async () => {
  const dir = freshDir();
  const disk = refusingDisk('EFBIG', false);
  const state = journalled(dir, { io: disk.io, retryBaseMs: 1 });
  const errors: unknown[] = [];
  state.persistence.onWriteError = (error) => errors.push(error);
  const recovered = new Promise<void>((resolve) => (state.persistence.onWriteRecovered = resolve));
  disk.refuse(4);
  const before = state.persistence.changeCount;
  state.set('refused-then-retried', 1);
  await assert.rejects(state.persistence.whenSaved(before), /EFBIG/);
  // A request that changed nothing answers at once while the disk refuses writes.
  await state.persistence.whenSaved(state.persistence.changeCount);
  // No new change and no request: the retries alone bring the change to disk.
  await recovered;
  assert.equal(disk.refusing(), 0);
  assert.equal(errors.length, 1, 'the retries that failed again were not reported again');
  assert.equal(journalOf(dir), '{"k":"refused-then-retried","v":1}\n');
  state.close();
});

test('one server per state directory: a live holder is named, a dead one is taken over', () => {
  const dir = freshDir();
  const first = new StatePersistence(dir);
  first.lock();
  assert.throws(() => new StatePersistence(dir).lock(), (error: unknown) => {
    assert.ok(error instanceof StateLockedError);
    assert.equal(error.holderPid, process.pid);
    assert.match(error.message, new RegExp(`in use by another lambda-async-demo server \\(pid ${process.pid}, started `));
    return true;
  });
  first.dispose();
  // A lock left by a process that is gone (kill -9): the next server takes it over.
  writeFileSync(join(dir, 'server.lock'), JSON.stringify({ pid: 2 ** 22 + 7, startedAt: '2026-01-01T00:00:00.000Z' }));
  const next = new StatePersistence(dir);
  next.lock();
  assert.equal(JSON.parse(readFileSync(join(dir, 'server.lock'), 'utf8')).pid, process.pid);
  next.dispose();
  assert.equal(existsSync(join(dir, 'server.lock')), false);
});

test('a lock naming a live Node process that is not its holder (the pid reused after a restart) is taken over', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  // Another Node process, alive, in the pid a lock of an earlier boot names: its start time is not the recorded one.
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => other.kill('SIGKILL'));
  await new Promise((resolve) => other.once('spawn', resolve));
  writeFileSync(join(dir, 'server.lock'), JSON.stringify({ pid: other.pid, startedAt: '2026-01-01T00:00:00.000Z', stamp: 'another-boot:12345' }));
  const next = new StatePersistence(dir);
  next.lock();
  assert.equal(JSON.parse(readFileSync(join(dir, 'server.lock'), 'utf8')).pid, process.pid);
  next.dispose();
  // The same live process with its own stamp does hold it.
  writeFileSync(join(dir, 'server.lock'), JSON.stringify({ pid: other.pid, startedAt: '2026-01-01T00:00:00.000Z', stamp: processStamp(other.pid!) }));
  assert.throws(() => new StatePersistence(dir).lock(), StateLockedError);
});

test('a state.json of the first format is converted into a snapshot on start, and nothing is lost', async () => {
  const stateDir = freshDir();
  const first = await startEmulator({ stateDir });
  const client = logsClient(first.url);
  await client.send(new CreateLogGroupCommand({ logGroupName: '/from/version-1' }));
  const legacy = first.emulator.exportState();
  client.destroy();
  await first.close();
  for (const name of readdirSync(stateDir)) rmSync(join(stateDir, name));
  writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ format: STATE_FORMAT, version: 1, savedAt: 'x', state: legacy }));
  const second = await startEmulator({ stateDir });
  try {
    assert.equal(second.emulator.logs.hasLogGroup('/from/version-1'), true);
    assert.equal(existsSync(join(stateDir, 'state.json')), false);
    assert.equal(existsSync(join(stateDir, 'snapshot.json')), true);
  } finally {
    await second.close();
  }
});

test('a corrupt snapshot is moved aside with its journals and reported with both paths, not silently discarded', () => {
  const dir = freshDir();
  const state = journalled(dir, { compactBytes: 1 });
  state.set('a', 1);
  state.persistence.flush();
  state.close();
  const snapshotPath = join(dir, 'snapshot.json');
  writeFileSync(snapshotPath, '{"format":"lambda-async-demo-state", trunc');
  const persistence = new StatePersistence(dir);
  persistence.lock();
  let caught: unknown;
  assert.throws(
    () => persistence.load(),
    (error) => {
      caught = error;
      return error instanceof CorruptStateError;
    },
  );
  const error = caught as CorruptStateError;
  assert.equal(error.statePath, snapshotPath);
  assert.match(error.movedTo, /snapshot\.json\.corrupt-/);
  assert.ok(error.message.includes(snapshotPath) && error.message.includes(error.movedTo), error.message);
  assert.equal(readFileSync(error.movedTo, 'utf8'), '{"format":"lambda-async-demo-state", trunc');
  assert.equal(existsSync(snapshotPath), false);
  // The caller may continue: the next load starts empty instead of failing again.
  assert.equal(persistence.load(), undefined);
  persistence.dispose();
});

test('a crash mid-compaction (a temp snapshot left behind) leaves the previous state loadable, and the temp file is cleaned', () => {
  const dir = freshDir();
  const state = journalled(dir);
  state.set('generation', 1);
  state.close();
  const leftover = join(dir, 'snapshot.json.tmp-99999-1');
  writeFileSync(leftover, '{"format":"lambda-async-demo-state","version":2,"entities":[["generation",');
  assert.deepEqual([...reopen(dir)], [['generation', 1]]);
  assert.equal(existsSync(leftover), false);
});

test('the state directory is created 0700 and the journal and snapshot 0600', { skip: process.platform === 'win32' }, () => {
  const dir = join(freshDir(), 'nested');
  const state = journalled(dir);
  state.set('a', 1);
  state.persistence.flush();
  state.persistence.compact();
  state.close();
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'snapshot.json')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'journal-2.jsonl')).mode & 0o777, 0o600);
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
    const onDisk = readFileSync(join(stateDir, 'journal-1.jsonl'), 'utf8');
    assert.ok(onDisk.includes('/acked/before-response'));
  } finally {
    client.destroy();
    await running.close();
  }
});

test('startEmulator on a corrupt state file rejects with CorruptStateError, and starts empty when called again', async () => {
  const stateDir = freshDir();
  new StatePersistence(stateDir);
  writeFileSync(join(stateDir, 'snapshot.json'), 'not json at all');
  await assert.rejects(startEmulator({ stateDir }), CorruptStateError);
  const running = await startEmulator({ stateDir });
  await running.close();
});

/** An emulator on `stateDir` in a child process (so the test can kill -9 it); resolves once it prints its URL. */
async function childEmulator(stateDir: string, env: NodeJS.ProcessEnv = {}) {
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
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.trim());
    });
    child.once('exit', (code) => reject(new Error(`emulator child exited early (${code})`)));
  });
  return { child, url, exited };
}

test('kill -9 right after an acknowledged write loses nothing', async () => {
  const stateDir = freshDir();
  const { child, url, exited } = await childEmulator(stateDir);
  try {
    const client = logsClient(url);
    await client.send(new CreateLogGroupCommand({ logGroupName: '/acked/then-killed' }));
    child.kill('SIGKILL');
    client.destroy();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }

  const restarted = await startEmulator({ stateDir });
  try {
    assert.equal(restarted.emulator.logs.hasLogGroup('/acked/then-killed'), true);
  } finally {
    await restarted.close();
  }
});

test('a second emulator on a state directory in use is refused with who holds it, and nothing of the first is touched', async () => {
  const stateDir = freshDir();
  const first = await startEmulator({ stateDir });
  try {
    const before = readdirSync(stateDir).sort();
    await assert.rejects(startEmulator({ stateDir }), StateLockedError);
    assert.deepEqual(readdirSync(stateDir).sort(), before);
  } finally {
    await first.close();
  }
});

test('an SQS send costs one journal line of the same size with 10 or with 2,000 messages queued', async () => {
  const stateDir = freshDir();
  const running = await startEmulator({ stateDir });
  const sqs = new SQSClient({ endpoint: running.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'proportional' }));
    const journal = join(stateDir, 'journal-1.jsonl');
    const costOfOneSend = async () => {
      const before = statSync(journal).size;
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'the same body' }));
      return statSync(journal).size - before;
    };
    const send = (count: number) =>
      Promise.all(Array.from({ length: count / 10 }, () => sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: 'filler' })) }))));
    await send(10);
    const small = await costOfOneSend();
    await send(1990);
    const large = await costOfOneSend();
    assert.ok(small > 0 && small < 1000, `${small} bytes`);
    assert.equal(large, small);
  } finally {
    sqs.destroy();
    await running.close();
  }
});

/** Sends numbered messages to a child emulator until it dies; resolves with the numbers it acknowledged. */
async function sendUntilKilled(stateDir: string, env: NodeJS.ProcessEnv): Promise<number[]> {
  const { child, url, exited } = await childEmulator(stateDir, env);
  const sqs = new SQSClient({ endpoint: url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const acknowledged: number[] = [];
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'through-compaction' }));
    for (let n = 1; n <= 5000; n++) {
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `message ${n} ${'x'.repeat(200)}` }));
        acknowledged.push(n);
      } catch {
        break; // the server killed itself mid-compaction
      }
    }
  } finally {
    sqs.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
  return acknowledged;
}

for (const point of ['snapshot-written', 'snapshot-renamed']) {
  test(`kill -9 during a compaction (${point}) loses no acknowledged message`, async () => {
    const stateDir = freshDir();
    const acknowledged = await sendUntilKilled(stateDir, { LAMBDA_ASYNC_DEMO_COMPACT_BYTES: '20000', LAMBDA_ASYNC_DEMO_KILL_DURING_COMPACTION: point });
    assert.ok(acknowledged.length > 10 && acknowledged.length < 5000, `${acknowledged.length} acknowledged: the kill never came`);
    const restarted = await startEmulator({ stateDir });
    const sqs = new SQSClient({ endpoint: restarted.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'through-compaction' }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      assert.ok(Number(Attributes!.ApproximateNumberOfMessages) >= acknowledged.length, `${Attributes!.ApproximateNumberOfMessages} of ${acknowledged.length}`);
      const bodies = new Set(
        restarted.emulator.sqs
          .exportEntities()
          .map(([, value]) => (value as { Body?: string }).Body?.split(' ')[1])
          .filter((n): n is string => n !== undefined),
      );
      assert.deepEqual(acknowledged.filter((n) => !bodies.has(String(n))), []);
    } finally {
      sqs.destroy();
      await restarted.close();
    }
  });
}

/** A 256 KB tmpfs to fill up, or undefined (with why) where mounting is not allowed. */
function smallDisk(): { dir: string; unmount(): void } | string {
  const dir = join(scratch, `small-disk-${++dirCounter}`);
  mkdirSync(dir);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) return `cannot mount a small tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()})`;
  return { dir, unmount: () => spawnSync('umount', [dir]) };
}

test('a full disk: the send that cannot be written answers 500, the failure is counted and logged, and every acknowledged message survives', async (t) => {
  const disk = smallDisk();
  if (typeof disk === 'string') {
    t.skip(disk);
    return;
  }
  t.after(() => disk.unmount());
  const stateDir = join(disk.dir, 'state');
  const serverLog: string[] = [];
  const running = await startEmulator({ stateDir, log: (line) => serverLog.push(line) });
  const sqs = new SQSClient({ endpoint: running.url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const acknowledged: string[] = [];
  let refused: { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'filling' }));
    for (let n = 0; n < 1000 && !refused; n++) {
      const body = `message ${n} ${'x'.repeat(4000)}`;
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
        acknowledged.push(body);
      } catch (error) {
        refused = error as typeof refused;
      }
    }
    assert.ok(refused, 'the disk never filled');
    assert.equal(refused.$metadata?.httpStatusCode, 500);
    assert.equal(refused.name, 'InternalFailure');
    assert.equal(running.emulator.incidents.snapshot()['(server)']?.StateWriteErrors, 1);
    assert.ok(serverLog.some((line) => line.startsWith('StateWriteErrors (server): a state write failed: ENOSPC')), serverLog.join('\n'));
  } finally {
    sqs.destroy();
    await running.close().catch(() => {});
  }
  // What was acknowledged is on the full disk, whole: a new server reads every message back.
  const again = await startEmulator({ stateDir });
  try {
    const bodies = new Set(again.emulator.sqs.exportEntities().map(([, value]) => (value as { Body?: string }).Body));
    assert.deepEqual(acknowledged.filter((body) => !bodies.has(body)), []);
  } finally {
    await again.close().catch(() => {});
  }
});

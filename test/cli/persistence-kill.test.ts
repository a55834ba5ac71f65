// kill -9 of the local server mid-lesson, then a restart: nothing acknowledged is lost and a pending retry resumes with
// its remaining delay, so steps 5 and 6 still pass; and every acknowledged SendMessage survives kills at any moment.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { eventually } from '../helpers/emulator.js';
import { drainQueue, killServer, sendKillRestart, startServer } from '../helpers/kill-restart.js';
import { createSandbox } from '../helpers/local-cli.js';

/**
 * Retry 1's delay: long enough that the kill, a pause and the restart all fit inside it with room to tell "resumed
 * with what was left" from "started over", short enough for the default suite. Retry 2's delay does not matter here.
 */
const FIRST_DELAY_MS = 2_500;
const DELAYS = ['--retry-delays', '2.5,0.5'];
/** Down time between the kill and the restart. */
const PAUSE_MS = 1_000;

test('SIGKILL after step 4 with its retries pending: after a restart step 5 and step 6 pass, retry 1 kept its remaining delay', async () => {
  const sandbox = await createSandbox();
  await startServer(sandbox, DELAYS);
  for (const args of [['deploy'], ['step', '3'], ['step', '4']]) {
    const { code, stderr } = await sandbox.cli(args);
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
  }
  const state = JSON.parse(readFileSync(join(sandbox.stateDir, 'lesson-state.json'), 'utf8'));
  const { requestId, invokedAt } = (Object.values(state.lessons)[0] as { asyncFail: { requestId: string; invokedAt: number } }).asyncFail;

  // Kill between attempts: an attempt the kill cuts short is not counted and runs again after the restart (as it
  // would have to: nobody saw it finish), which would add a fourth START line for reasons of its own.
  const logs = new CloudWatchLogsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await eventually(async () => {
      const { events = [] } = await logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/SimpleFunc', filterPattern: `"REPORT RequestId: ${requestId}"` }),
      );
      return events.length > 0 ? true : undefined;
    }, 5_000);
  } finally {
    logs.destroy();
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  const killedAt = Date.now();
  await killServer(sandbox);
  assert.ok(killedAt - invokedAt < FIRST_DELAY_MS, 'killed while retry 1 was still pending');

  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  const restartOffset = Date.now() - invokedAt;
  const restart = await sandbox.cli(['local', 'start', '-d', ...DELAYS]);
  assert.equal(restart.code, 0, restart.stderr);
  assert.match(restart.stderr, /Removed a stale pid file/);

  const step5 = await sandbox.cli(['step', '5', '--json']);
  assert.equal(step5.code, 0, step5.stderr);
  const { details } = JSON.parse(step5.stdout).steps[0];
  assert.equal(details.failingRequestId, requestId);
  assert.equal(details.attempts, 3);
  const [first, retry1] = details.attemptOffsetsMs as number[];
  assert.ok(retry1! - first! >= FIRST_DELAY_MS - 100, `retry 1 came ${retry1! - first!} ms after attempt 1: not early`);
  // Had the delay started over when the restarted server read its state, retry 1 would come a full delay after the
  // restart began; it came sooner, at its original time.
  assert.ok(retry1! < restartOffset + FIRST_DELAY_MS, `retry 1 at +${retry1} ms, the restart began at +${restartOffset} ms`);

  const step6 = await sandbox.cli(['step', '6']);
  assert.equal(step6.code, 0, step6.stderr);
  assert.match(step6.stdout, /^ {2}PASS {2}6 /m);
});

test('kill -9 at different moments after SendMessage: every acknowledged message is in the queue after the restart', async () => {
  const sandbox = await createSandbox();
  await startServer(sandbox);
  const { acknowledged, queueUrl } = await sendKillRestart(sandbox, [0, 5, 30, 100, 250]);
  const held = await drainQueue(sandbox.url, queueUrl);
  const lost = [...acknowledged].filter(([messageId, body]) => held.get(messageId) !== body);
  assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged messages lost`);
  assert.ok(acknowledged.size >= 20, `only ${acknowledged.size} acknowledged`);
});

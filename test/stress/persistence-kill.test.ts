// The long kill -9 loop: three dozen kills at delays from 0 to 400 ms after the first acknowledged SendMessage, then
// every acknowledged message must be in the queue. Runs under `npm run test:stress` (or STRESS=1), skipped by `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drainQueue, sendKillRestart, startServer } from '../helpers/kill-restart.js';
import { createSandbox } from '../helpers/local-cli.js';

const enabled = process.env.npm_lifecycle_event === 'test:stress' || Boolean(process.env.STRESS);
const KILLS = Number(process.env.KILLS ?? 36);

test(
  `kill -9 ${KILLS} times while SendMessage calls stream in: no acknowledged message is ever lost`,
  { skip: enabled ? false : 'long: run it with npm run test:stress', timeout: 10 * 60_000 },
  async () => {
    const sandbox = await createSandbox();
    await startServer(sandbox);
    // Delays spread over 0-400 ms, some repeated: the kill lands before, during and after the state file's writes.
    const delays = Array.from({ length: KILLS }, (_, index) => Math.round(((index * 37) % 401) * (index % 3 === 0 ? 0.1 : 1)));
    const { acknowledged, queueUrl } = await sendKillRestart(sandbox, delays);
    const held = await drainQueue(sandbox.url, queueUrl);
    const lost = [...acknowledged].filter(([messageId, body]) => held.get(messageId) !== body);
    console.log(`${KILLS} kills, ${acknowledged.size} messages acknowledged, ${held.size} in the queue, ${lost.length} lost`);
    assert.deepEqual(lost, []);
  },
);

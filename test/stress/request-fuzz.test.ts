// Stress: at least 100,000 fuzzed requests against a detached `local start` server: it never exits, no connection
// hangs, every well-framed request is answered, and every 5xx is an InternalFailure that server.log explains.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSandbox } from '../helpers/local-cli.js';
import { fuzzRequests } from '../helpers/request-fuzz-run.js';

const CONNECTIONS = Number(process.env.REQUEST_FUZZ_CONNECTIONS ?? 70_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);

test(`${CONNECTIONS} fuzzed connections against a detached server: 0 exits, 0 hangs, 0 unanswered, 0 unexplained 5xx`, async () => {
  const sandbox = await createSandbox();
  const started = await sandbox.cli(['local', 'start', '-d']);
  assert.equal(started.code, 0, started.stderr);
  const pid = sandbox.serverPid()!;
  const tally = await fuzzRequests(sandbox.port, CONNECTIONS, SEED, 16);
  console.log(
    `# request fuzz: ${tally.connections} connections, ${tally.requests} requests, ${tally.answered} answers, ` +
      `${tally.hung.length} hung, ${tally.unanswered.length} unanswered, ${tally.internalFailures} InternalFailure`,
  );
  assert.ok(tally.requests >= 100_000 || CONNECTIONS < 70_000, `only ${tally.requests} requests`);
  assert.deepEqual(tally.hung, []);
  assert.deepEqual(tally.unanswered, []);
  assert.deepEqual(tally.unexplained, []);
  process.kill(pid, 0); // still alive: throws if the server exited
  assert.equal(sandbox.serverPid(), pid);
  const status = await sandbox.cli(['local', 'status', '--json']);
  assert.equal(JSON.parse(status.stdout).running, true);
  const log = readFileSync(join(sandbox.stateDir, 'server.log'), 'utf8');
  assert.equal(log.split('\n').filter((line) => / InternalFailure on /.test(line)).length, tally.internalFailures);
});

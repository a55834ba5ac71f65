// The README's set-up on a fresh clone: `npm install && npx lambda-async-demo run` installs without a warning, builds
// the bundle on the first run (saying so in one line), and not again while the sources are unchanged.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { copyCheckout } from '../helpers/checkout-copy.js';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

const work = mkdtempSync(join(tmpdir(), 'lambda-async-demo-clone-'));
after(() => rmSync(work, { recursive: true, force: true }));

/**
 * A user's shell: none of the npm_* settings `npm test` exports, no state dir or target of the developer's, this
 * test's Node first on PATH, and an npx cache of its own (npx runs the clone from there, as a `file:` package).
 */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && !name.startsWith('LAMBDA_ASYNC_DEMO_'))),
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  NO_COLOR: '1',
  LAMBDA_ASYNC_DEMO_STATE_DIR: join(work, 'state'),
  XDG_STATE_HOME: join(work, 'xdg'),
  npm_config_update_notifier: 'false',
};

function exec(command: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('a fresh clone: npm install prints no warning, the first npx run builds with one line, the second builds nothing', async () => {
  const clone = copyCheckout(join(work, 'clone'));

  // From the npm cache that `npm ci` filled, where it holds everything.
  const install = await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], clone);
  const log = `${install.stdout}${install.stderr}`;
  assert.equal(install.code, 0, log);
  assert.deepEqual(log.split('\n').filter((line) => /warn/i.test(line)), [], log);

  const npxEnv = { npm_config_cache: join(work, 'npm-cache') };
  const args = ['lambda-async-demo', 'run', '--retry-delays', '0.05,0.1'];
  const first = await exec('npx', args, clone, npxEnv);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr.split('\n')[0], 'Building lambda-async-demo from its sources (once per change, about a second)...');
  assert.match(first.stdout, /Lambda made 3 attempts/);

  const second = await exec('npx', args, clone, npxEnv);
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /Building/);
  assert.match(second.stdout, /Lambda made 3 attempts/);
});

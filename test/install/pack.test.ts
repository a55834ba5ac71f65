// The package as a user gets it: `npm pack`, installed into an empty directory without dev dependencies, with no
// warning printed, then `lambda-async-demo run --json` from there passes. Needs `npm run build` first (npm test runs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function npm(args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  // Inherited from `npm test`: they would make the install behave as the project's own run script, not a user's.
  for (const name of Object.keys(env)) if (name.startsWith('npm_package_') || name === 'npm_lifecycle_event') delete env[name];
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
}

test('the packed tarball installs without a warning and holds only the bundle, template, README and licence', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'lambda-async-demo-pack-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  const packed = npm(['pack', '--json', '--pack-destination', work], ROOT);
  assert.equal(packed.status, 0, packed.stderr);
  const [manifest] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const paths = manifest!.files.map((file) => file.path);
  for (const path of paths) {
    assert.match(path, /^(bin\/lambda-async-demo\.js|dist\/bundle\/[\w-]+\.js|dist\/bundle\/bootstrap\.py|templates\/LambdaAsync\.yaml|README\.md|LICENSE|package\.json)$/, path);
  }
  assert.ok(paths.includes('dist/bundle/cli.js') && paths.includes('dist/bundle/bootstrap.js') && paths.includes('LICENSE'));

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name":"an-empty-project","version":"1.0.0","private":true}\n');
  const installed = npm(['install', '--omit=dev', '--no-audit', '--no-fund', join(work, manifest!.filename)], app);
  assert.equal(installed.status, 0, installed.stderr);
  const warnings = `${installed.stdout}\n${installed.stderr}`.split('\n').filter((line) => /\bwarn/i.test(line));
  assert.deepEqual(warnings, [], 'npm printed warnings while installing the package');
  assert.ok(!readdirSync(join(app, 'node_modules')).includes('esbuild'), 'a dev dependency was installed');

  const stateDir = mkdtempSync(join(tmpdir(), 'lambda-async-demo-pack-state-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LAMBDA_ASYNC_DEMO_STATE_DIR: stateDir };
  delete env.LAMBDA_ASYNC_DEMO_TARGET;
  const run = spawnSync(join(app, 'node_modules/.bin/lambda-async-demo'), ['run', '--json', '--retry-delays', '0.05,0.1'], {
    cwd: app,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { ok: boolean; steps: Array<{ status: string }> };
  assert.equal(report.ok, true);
  assert.deepEqual(report.steps.map((step) => step.status), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
});

// The package as a user gets it: `npm pack` (whose prepack script brings dist/bundle/ up to date and removes every
// file an earlier build left there), installed into an empty directory without dev dependencies, with no warning
// printed, then `lambda-async-demo run --json` from there passes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { copyCheckout, ROOT } from '../helpers/checkout-copy.js';
// What the package holds besides the build's outputs (package.json's `files`, and what npm always adds).
const FIXED_FILES = ['LICENSE', 'README.md', 'bin/lambda-async-demo.js', 'package.json', 'templates/LambdaAsync.yaml'];

function npm(args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  // Inherited from `npm test`: they would make the install behave as the project's own run script, not a user's.
  for (const name of Object.keys(env)) if (name.startsWith('npm_package_') || name === 'npm_lifecycle_event') delete env[name];
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
}

/** `npm pack` of the checkout at `root` into `destination`: the tarball's name and the paths it holds, sorted. */
function pack(root: string, destination: string): { filename: string; paths: string[] } {
  const packed = npm(['pack', '--json', '--pack-destination', destination], root);
  assert.equal(packed.status, 0, packed.stderr);
  // Some npm versions print the prepack script's banner on stdout too: the report starts at its opening bracket.
  const [manifest] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { filename: manifest!.filename, paths: manifest!.files.map((file) => file.path).sort() };
}

/** The files the last build of the checkout at `root` wrote (its build stamp's list), as paths from root. */
function buildOutputs(root: string): string[] {
  return (JSON.parse(readFileSync(join(root, 'dist/bundle/build-stamp.json'), 'utf8')) as { outputs: string[] }).outputs;
}

test('the packed tarball installs without a warning and holds exactly the build, bin, template, README and licence', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'lambda-async-demo-pack-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  const { filename, paths } = pack(ROOT, work);
  // Read after the pack: its prepack script builds first when a source changed.
  assert.deepEqual(paths, [...buildOutputs(ROOT), ...FIXED_FILES].sort());
  assert.ok(paths.includes('dist/bundle/cli.js') && paths.includes('dist/bundle/bootstrap.js') && paths.includes('dist/bundle/bootstrap.py'));

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name":"an-empty-project","version":"1.0.0","private":true}\n');
  const installed = npm(['install', '--omit=dev', '--no-audit', '--no-fund', join(work, filename)], app);
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

test('chunks an earlier build left in dist/bundle/, however recent, are not packed; a rebuild keeps them for a running CLI', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'lambda-async-demo-pack-stale-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const clone = copyCheckout(join(work, 'clone'), { linkDependencies: true });
  const build = () => {
    const built = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: clone, encoding: 'utf8', timeout: 120_000 });
    assert.equal(built.status, 0, built.stderr);
    return buildOutputs(clone);
  };
  // A source edit that changes what many chunks hold, so their content-hashed names change.
  let edits = 0;
  const editSource = () => {
    const path = join(clone, 'src/product.ts');
    const before = readFileSync(path, 'utf8');
    edits += 1;
    const after = before.replace(/^export const BIN = '([^']*)';$/m, (_line, name: string) => `export const BIN = '${name}-edit${edits}';`);
    assert.notEqual(after, before, 'src/product.ts no longer declares BIN as the test expects');
    writeFileSync(path, after);
  };
  // Dated an hour ahead, a file counts as just written however long the test takes: a rebuild's five-minute grace
  // for a CLI still running the earlier build always keeps it.
  const justWritten = (path: string) => {
    const soon = new Date(Date.now() + 3_600_000);
    utimesSync(path, soon, soon);
  };

  const first = build();
  for (const output of first) justWritten(join(clone, output));
  editSource();
  const second = build();
  const earlier = first.filter((output) => !second.includes(output));
  assert.ok(earlier.length > 0, 'the edit changed no chunk');
  for (const output of earlier) assert.ok(existsSync(join(clone, output)), `the rebuild removed ${output} within its grace`);
  // And one the build never wrote, as recent.
  const stale = join(clone, 'dist/bundle/chunk-STALE.js');
  writeFileSync(stale, 'export const stale = true;\n');
  justWritten(stale);
  // Edited again, unbuilt: the pack's prepack builds.
  editSource();

  const { paths } = pack(clone, work);
  const third = buildOutputs(clone);
  assert.notDeepEqual(third, second, 'prepack did not rebuild the edited source');
  assert.deepEqual(paths, [...third, ...FIXED_FILES].sort());
  for (const output of [...earlier, 'dist/bundle/chunk-STALE.js']) assert.ok(!paths.includes(output), `${output} was packed`);
  assert.deepEqual(readdirSync(join(clone, 'dist/bundle')).sort(), [...third.map((output) => basename(output)), 'build-stamp.json'].sort());
});

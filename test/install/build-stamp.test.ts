// scripts/bundle.mjs on a copy of the checkout: it builds once, then only when an input changed or an output went
// missing; a rebuild leaves an earlier build's files for five minutes (a running CLI may still import them), `--pack`
// (npm's prepack) not at all; bin/ builds on a checkout's first start, and a source that does not compile fails it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { copyCheckout } from '../helpers/checkout-copy.js';

const copies: string[] = [];
after(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambda-async-demo-build-'));
  copies.push(dir);
  return copyCheckout(dir, { linkDependencies: true });
}

function node(root: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  return spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
}

/** `node scripts/bundle.mjs [args]`: true when it built, false when it found the bundle up to date. */
function bundle(root: string, args: string[] = []): boolean {
  const result = node(root, ['scripts/bundle.mjs', ...args]);
  assert.equal(result.status, 0, result.stderr);
  const said = result.stderr.split('\n')[0]!;
  if (said === 'dist/bundle is up to date') return false;
  assert.match(said, /^built dist\/bundle in \d+ ms$/);
  return true;
}

function outputs(root: string): string[] {
  return (JSON.parse(readFileSync(join(root, 'dist/bundle/build-stamp.json'), 'utf8')) as { outputs: string[] }).outputs;
}

function dated(path: string, offsetMs: number): void {
  const when = new Date(Date.now() + offsetMs);
  utimesSync(path, when, when);
}

test('built once, the bundle is up to date until a source changes, is added or removed, or an output goes missing', () => {
  const root = checkout();
  assert.equal(bundle(root), true, 'a copy never built');
  const cli = join(root, 'dist/bundle/cli.js');
  const builtAt = statSync(cli).mtimeMs;
  assert.equal(bundle(root), false);
  assert.equal(statSync(cli).mtimeMs, builtAt, 'an up-to-date bundle was written again');

  const product = join(root, 'src/product.ts');
  writeFileSync(product, readFileSync(product, 'utf8').replace("'lambda-async-demo'", "'lambda-async-demo-edited'"));
  assert.equal(bundle(root), true, 'a source edited');
  assert.equal(bundle(root), false);

  writeFileSync(join(root, 'src/extra.ts'), 'export {};\n');
  assert.equal(bundle(root), true, 'a source added');
  rmSync(join(root, 'src/extra.ts'));
  assert.equal(bundle(root), true, 'a source removed');

  const emulator = outputs(root).find((output) => output.endsWith('/emulator.js'))!;
  rmSync(join(root, emulator));
  assert.equal(bundle(root), true, 'an output missing');
  assert.ok(existsSync(join(root, emulator)));
  assert.equal(bundle(root, ['--force']), true, '--force');
});

test('a rebuild removes files of earlier builds five minutes old and keeps younger ones; --pack keeps only this build', () => {
  const root = checkout();
  bundle(root);
  const outdir = join(root, 'dist/bundle');
  // Dated, not waited for: ten minutes ago, and an hour ahead (just written, however long the test takes).
  writeFileSync(join(outdir, 'chunk-OLD.js'), 'export {};\n');
  dated(join(outdir, 'chunk-OLD.js'), -10 * 60_000);
  writeFileSync(join(outdir, 'chunk-YOUNG.js'), 'export {};\n');
  dated(join(outdir, 'chunk-YOUNG.js'), 60 * 60_000);

  bundle(root, ['--force']);
  const names = (build: string[]) => [...build.map((output) => basename(output)), 'build-stamp.json'].sort();
  assert.deepEqual(readdirSync(outdir).sort(), [...names(outputs(root)), 'chunk-YOUNG.js'].sort());

  const packing = node(root, ['scripts/bundle.mjs', '--pack']);
  assert.equal(packing.status, 0, packing.stderr);
  assert.equal(packing.stderr, `dist/bundle is up to date\ndist/bundle holds this build alone: ${outputs(root).length} files\n`);
  assert.deepEqual(readdirSync(outdir).sort(), names(outputs(root)));
});

test("bin/ builds on a checkout's first start with one line; a source that does not compile fails it with a hint", () => {
  const root = checkout();
  const first = node(root, ['bin/lambda-async-demo.js', '--help']);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stderr.split('\n')[0], 'Building lambda-async-demo from its sources (once per change, about a second)...');
  assert.match(first.stdout, /Usage: lambda-async-demo/);
  const second = node(root, ['bin/lambda-async-demo.js', '--help']);
  assert.equal(second.status, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /Building/);

  const built = readFileSync(join(root, 'dist/bundle/cli.js'), 'utf8');
  writeFileSync(join(root, 'src/product.ts'), 'export const BIN: string = ;\n');
  const broken = node(root, ['bin/lambda-async-demo.js', '--help']);
  assert.equal(broken.status, 3, broken.stderr);
  assert.match(broken.stderr, /^Error: could not build lambda-async-demo from its sources: Build failed with 1 error:\nsrc\/product\.ts:1:\d+: ERROR: /m);
  assert.match(broken.stderr, /\nHint: fix the source error above in .+ \(or set the change aside with "git stash"\), then run the command again\.\n$/);
  assert.equal(readFileSync(join(root, 'dist/bundle/cli.js'), 'utf8'), built, 'the last build was overwritten');
  // Still stale: the next start tries again.
  assert.notEqual(node(root, ['scripts/bundle.mjs']).status, 0);
});

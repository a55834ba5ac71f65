// The built bin, spawned as a user runs it (NO_COLOR=1, pipes, not a TTY): exit codes, stdout vs stderr, no noise.
// Needs `npm run build` first (the test script runs it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { isolatedStateDir } from '../helpers/capture-io.js';

const BIN = fileURLToPath(new URL('../../bin/lambda-async-demo.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/bundle/cli.js', import.meta.url));
const FAST = ['--retry-delays', '0.05,0.1'];
const ANSI = /\u001b\[/;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin from a directory outside the package, as `npx` would, with colour off and no TTY. */
function cli(args: string[], options: { interruptWhen?: (stderr: string) => boolean } = {}): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LAMBDA_ASYNC_DEMO_STATE_DIR: isolatedStateDir() };
  delete env.FORCE_COLOR;
  delete env.LAMBDA_ASYNC_DEMO_TARGET;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!interrupted && options.interruptWhen?.(stderr)) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('the CLI is built', () => {
  assert.ok(existsSync(BUILT), 'run `npm run build` before these tests (npm test does)');
});

test('run passes all six steps: exit 0, six PASS rows on stdout, progress on stderr, no colour, no SDK warning', async () => {
  const { code, stdout, stderr } = await cli(['run', ...FAST]);
  assert.equal(code, 0, stderr);
  const rows = stdout.split('\n').filter((line) => /^ {2}PASS {2}\d {2}\S/.test(line));
  assert.deepEqual(rows.map((row) => row.slice(8, 9)), ['1', '2', '3', '4', '5', '6'], stdout);
  assert.doesNotMatch(stdout, /FAIL/);
  assert.match(stdout, /Async timeline/);
  assert.match(stdout, /Lambda made 3 attempts \(1 \+ 2 retries\)/);
  assert.match(stderr, /✔ 6\/6 Failed event in the dead-letter queue: PASS/);
  assert.doesNotMatch(stdout, /6\/6/, 'progress stays off stdout');
  assert.doesNotMatch(stdout + stderr, ANSI);
  assert.doesNotMatch(stderr, /NodeVersionSupportWarning|ExperimentalWarning|\(node:\d+\)/);
});

test('run --json prints only the JSON report on stdout; everything else goes to stderr', async () => {
  const { code, stdout, stderr } = await cli(['run', '--json', '--max-retries', '1', ...FAST]);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.equal(report.ok, true);
  assert.equal(report.target, 'local');
  assert.equal(report.stack, 'LambdaAsync');
  assert.deepEqual(report.steps.map((step: { status: string }) => step.status), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
  assert.deepEqual(report.timeline.failing.attempts.map((attempt: { label: string }) => attempt.label), ['attempt 1', 'retry 1']);
  assert.match(stderr, /1\/6 Synchronous invoke with a name: PASS/);
  assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
});

test('an unknown option exits 2 with one sentence and a hint', async () => {
  const { code, stdout, stderr } = await cli(['run', '--jsonn']);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr, `Error: Unknown option '--jsonn': did you mean --json?\nHint: Run "lambda-async-demo run --help" for its options.\n`);
});

test('--retry-delays x exits 2 with one sentence and a hint', async () => {
  const { code, stdout, stderr } = await cli(['run', '--retry-delays', 'x']);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.match(stderr, /^Error: --retry-delays must be two non-negative numbers of seconds, not 'x'\.\nHint: .+\n$/);
});

test('--help exits 0 and lists the commands', async () => {
  const { code, stdout } = await cli(['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /Usage: lambda-async-demo \[options\] \[command\]/);
  assert.match(stdout, /Commands:\n\s+run \[options\]/);
});

test('Ctrl-C during the lesson exits 130 and says what is left to tear down', async () => {
  const { code, stderr } = await cli(['run'], { interruptWhen: (stderr) => stderr.includes('4/6') });
  assert.equal(code, 130, stderr);
  assert.match(stderr, /✖ Interrupted\.\n {2}Hint: Nothing is left behind: the local emulator lived inside this run/);
});

test('a reader that closes the pipe early (run --json | head) ends the output without a crash or a stack trace', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LAMBDA_ASYNC_DEMO_STATE_DIR: isolatedStateDir() };
  delete env.LAMBDA_ASYNC_DEMO_TARGET;
  const child = spawn(process.execPath, [BIN, 'run', '--json', ...FAST], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Read the first bytes, then hang up, as `head -c 20` does.
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Unexpected error|\n\s+at /);
});

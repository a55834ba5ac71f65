// The CLI on a real pseudo-terminal (util-linux `script`), as a person sees it: spinners in every glyph mode
// (Unicode, the Linux console's ASCII, no colour), never a crash, nothing wider than the terminal at 60, 80 and 100
// columns, and a step's time the same in its spinner line and in the summary.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { test } from 'node:test';
import { BIN, createSandbox, type Sandbox } from '../helpers/local-cli.js';

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const SKIP = !hasScript() && 'util-linux `script` is not installed, so there is no pseudo-terminal to test on';

interface Screen {
  code: number | null;
  /** Everything written, control sequences included. */
  raw: string;
  /** What was written between cursor moves, one segment a row: each must fit the terminal. */
  segments: string[];
}

/** Runs the CLI on a pseudo-terminal of `columns` columns with the sandbox's state dir and port. */
function onTerminal(sandbox: Sandbox, args: string[], columns: number, env: NodeJS.ProcessEnv): Promise<Screen> {
  const command = `stty cols ${columns} rows 60; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.join(' ')}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: { ...sandbox.env, NO_COLOR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let raw = '';
  child.stdout.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = raw
        .replace(/\u001b\[[0-9;?]*[GKABJH]/g, '\n')
        .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
      resolve({ code, raw, segments: text.split(/[\r\n]/) });
    });
  });
}

const MODES: Array<{ name: string; env: NodeJS.ProcessEnv; ascii: boolean }> = [
  { name: 'Unicode (xterm-256color)', env: { TERM: 'xterm-256color' }, ascii: false },
  { name: 'ASCII (TERM=linux)', env: { TERM: 'linux' }, ascii: true },
  { name: 'ASCII without colour (TERM=linux, NO_COLOR)', env: { TERM: 'linux', NO_COLOR: '1' }, ascii: true },
];

for (const mode of MODES) {
  for (const columns of [60, 80, 100]) {
    test(`run on a ${columns}-column terminal in ${mode.name}: passes, never crashes, nothing wider than the terminal`, { skip: SKIP }, async () => {
      const sandbox = await createSandbox();
      const screen = await onTerminal(sandbox, ['run', '--retry-delays', '0.2,0.4'], columns, mode.env);
      assert.equal(screen.code, 0, screen.raw.slice(-2000));
      assert.doesNotMatch(screen.raw, /RangeError|Maximum call stack/);
      assert.match(screen.raw, /An async invoke answers 202 even when the function fails/);
      const tooWide = screen.segments.filter((segment) => [...segment].length > columns);
      // Every spinner frame carries its label from the first one on.
      assert.deepEqual(screen.segments.filter((segment) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏|/\\-]\s*$/.test(segment)), [], 'a spinner without a label');
      assert.deepEqual(tooWide, [], `wider than ${columns} columns`);
      if (mode.ascii) assert.deepEqual([...new Set(screen.raw.replace(/[\u0000-\u007f]/g, ''))], [], 'non-ASCII characters on the Linux console');
      // A step's time: the same number in its spinner line and in the summary.
      for (const step of [1, 2, 3, 4, 5, 6]) {
        const spinnerTime = new RegExp(`${step}/6 [^\\n]*?: PASS \\((\\d+\\.\\d\\d) s\\)`).exec(screen.segments.join('\n'))?.[1];
        const summaryTime = new RegExp(`PASS\\s+${step}\\s+[^\\n]*?(\\d+\\.\\d\\d) s`).exec(screen.segments.join('\n'))?.[1];
        assert.ok(spinnerTime && summaryTime, `step ${step}: no time found`);
        assert.equal(spinnerTime, summaryTime, `step ${step}`);
      }
    });
  }
}

test('deploy, a step and teardown on the Linux console: no crash, and teardown leaves no server behind', { skip: SKIP }, async () => {
  const sandbox = await createSandbox();
  const env = { TERM: 'linux' };
  for (const args of [['deploy'], ['step', '1'], ['teardown', '--yes']]) {
    const screen = await onTerminal(sandbox, args, 80, env);
    assert.equal(screen.code, 0, `${args.join(' ')}: ${screen.raw.slice(-1500)}`);
    assert.doesNotMatch(screen.raw, /RangeError|Maximum call stack/);
  }
  assert.equal(sandbox.serverPid(), undefined, 'teardown stopped the server it started');
});

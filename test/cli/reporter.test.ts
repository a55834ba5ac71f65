// The reporter's written-down policy: colour per stream (NO_COLOR, --no-color, FORCE_COLOR, TTY), spinners, width.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorLevel, fitToTerminal, isInteractive, outputWidth, Reporter, supportsUnicode } from '../../src/cli/reporter.js';
import { DemoError } from '../../src/errors.js';

const tty = { write: () => true, isTTY: true, columns: 100 };
const pipe = { write: () => true };

test('a terminal gets colour; a pipe or a file does not', () => {
  assert.equal(colorLevel(tty, {}, false, 2), 2);
  assert.equal(colorLevel(pipe, {}, false, 2), 0);
  assert.equal(colorLevel(tty, { TERM: 'dumb' }, false, 2), 0);
});

test('NO_COLOR with any non-empty value turns colour off; an empty NO_COLOR does not', () => {
  assert.equal(colorLevel(tty, { NO_COLOR: '1' }, false, 2), 0);
  assert.equal(colorLevel(tty, { NO_COLOR: 'false' }, false, 2), 0);
  assert.equal(colorLevel(tty, { NO_COLOR: '' }, false, 2), 2);
});

test('--no-color wins over everything, FORCE_COLOR over NO_COLOR and over a pipe', () => {
  assert.equal(colorLevel(tty, { FORCE_COLOR: '3' }, true, 2), 0);
  assert.equal(colorLevel(pipe, { FORCE_COLOR: '1' }, false), 1);
  assert.equal(colorLevel(pipe, { FORCE_COLOR: '' }, false), 1);
  assert.equal(colorLevel(pipe, { FORCE_COLOR: 'true', NO_COLOR: '1' }, false), 1);
  assert.equal(colorLevel(tty, { FORCE_COLOR: '0' }, false, 2), 0);
  assert.equal(colorLevel(tty, { FORCE_COLOR: 'false' }, false, 2), 0);
});

test('spinners only on a TTY outside CI', () => {
  assert.equal(isInteractive(tty, {}), true);
  assert.equal(isInteractive(tty, { CI: 'true' }), false);
  assert.equal(isInteractive(tty, { CI: '1' }), false);
  assert.equal(isInteractive(tty, { CI: 'false' }), true);
  assert.equal(isInteractive(pipe, {}), false);
  assert.equal(isInteractive(tty, { TERM: 'dumb' }), false);
  assert.equal(isInteractive({ ...tty, columns: 0 }, {}), false);
});

test("output is laid out for the terminal's width (40 to 120 columns), and for 80 when it is not a terminal", () => {
  assert.equal(outputWidth(pipe), 80);
  assert.equal(outputWidth({ ...tty, columns: 60 }), 60);
  assert.equal(outputWidth({ ...tty, columns: 20 }), 40);
  assert.equal(outputWidth(tty), 100);
  assert.equal(outputWidth({ ...tty, columns: 300 }), 120);
});

test('prose wraps between words to the terminal width, keeping its indent, and passes unchanged when piped', () => {
  const hint = '  Hint: stop it with "lambda-async-demo local stop --state-dir /tmp/a/rather/long/state/directory" first.';
  const narrow = { ...tty, columns: 60 };
  const lines = fitToTerminal(hint, narrow).split('\n');
  assert.ok(lines.length > 1);
  for (const line of lines) assert.ok(line.length <= 60, line);
  assert.ok(lines.slice(1).every((line) => line.startsWith('    ')), lines.join('\n'));
  assert.ok(fitToTerminal(hint, narrow).includes('"lambda-async-demo'), 'the command name is not cut inside');
  assert.equal(fitToTerminal(hint, pipe), hint);
});

test('the Linux console falls back to ASCII, other Unix terminals get Unicode', () => {
  assert.equal(supportsUnicode({ TERM: 'linux' }, 'linux'), false);
  assert.equal(supportsUnicode({ TERM: 'xterm-256color' }, 'linux'), true);
  assert.equal(supportsUnicode({}, 'win32'), false);
  assert.equal(supportsUnicode({ WT_SESSION: '1' }, 'win32'), true);
});

test('plain progress is one line per activity on stderr, and an error is a sentence and a hint without stack', () => {
  let out = '';
  let err = '';
  const reporter = new Reporter({ write: (text: string) => (out += text) }, { write: (text: string) => (err += text) }, {}, {
    noColor: false,
    verbose: false,
  });
  const activity = reporter.begin('Deploy stack LambdaAsync');
  activity.update('CREATE_IN_PROGRESS');
  activity.done('created (CREATE_COMPLETE)');
  reporter.failure(new DemoError('environment', 'Cannot reach http://127.0.0.1:9 (ECONNREFUSED).', 'Check the endpoint.', { cause: new Error('deep') }));
  reporter.result(['summary']);
  assert.equal(out, 'summary\n');
  const lines = err.trimEnd().split('\n');
  assert.match(lines[0]!, /^✔ Deploy stack LambdaAsync: created \(CREATE_COMPLETE\) \(\d+\.\d\d s\)$/);
  assert.equal(lines[1], '✖ Cannot reach http://127.0.0.1:9 (ECONNREFUSED).');
  assert.equal(lines[2], '  Hint: Check the endpoint.');
  assert.equal(lines.length, 3, 'no stack trace without --verbose');
  assert.doesNotMatch(err, /\u001b\[/);
});

test('a terminal without Unicode gets ASCII stand-ins for every character it would show as a box, results and progress alike', () => {
  let out = '';
  let err = '';
  const reporter = new Reporter(
    { write: (text: string) => (out += text) },
    { write: (text: string) => (err += text) },
    { TERM: 'linux', NO_COLOR: '1' },
    { noColor: false, verbose: false },
  );
  reporter.result(['RequestId 2708bb75… ● ╰─ 1.0 s ≈ 1 min ─● ◆ → DLQ']);
  reporter.info('the function’s log group');
  assert.equal(out, "RequestId 2708bb75... o `- 1.0 s ~ 1 min -o # -> DLQ\n");
  assert.equal(err, "i the function's log group\n");
  assert.equal(supportsUnicode({ TERM: 'rxvt-unicode-256color' }, 'win32'), true, 'as is-unicode-supported 2.1 says');
});

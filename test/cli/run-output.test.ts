// The human output of `run` as a user reads it: a snapshot of its stable lines (colour off), its timeline checked
// against the numbers of the same run, and the colour/JSON policy on pipes. UPDATE_SNAPSHOTS=1 rewrites the snapshot.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { RunReport } from '../../src/lesson/report.js';
import { plainPaint, unicodeGlyphs } from '../../src/lesson/paint.js';
import { formatSeconds, renderTimeline } from '../../src/lesson/timeline.js';
import { captureIo as captureTo } from '../helpers/capture-io.js';

const SNAPSHOT = fileURLToPath(new URL('./__snapshots__/run-output.txt', import.meta.url));
// Wide enough apart that the gap labels have room and the marks land in distinct columns; short enough to stay quick.
const DELAYS = ['--retry-delays', '0.3,0.6', '--state-dir', '/nonexistent/lambda-async-demo-run-output'];
const ANSI = /\u001b\[/;

const captureIo = (env: NodeJS.ProcessEnv) => captureTo(env);

async function runCli(args: string[], env: NodeJS.ProcessEnv) {
  const io = captureIo(env);
  const code = await main(['run', ...DELAYS, ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** The run's lines with what changes between runs replaced: ids, times, and where each timeline mark falls. */
function stableLines(stdout: string): string[] {
  return stdout
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\b[0-9a-f]{8}…/g, '<id>…')
    .replace(/[+-]?\d+\.\d+ s\b/g, '<t>')
    // The gap label's AWS wording is the longest that fits, which depends on where the marks fell.
    .replace(/<t> ≈ \d min( on AWS)?/g, '<t>')
    .split('\n')
        // Columns move with the timing: runs of spaces and lines count once, and the scale's indent (where 0 s falls) too.
    .map((line) => line.replace(/─+/g, '─').replace(/(\S) +/g, '$1 ').replace(/^ +(?=0 s )/, '  ').trimEnd());
}

const human = await runCli([], { NO_COLOR: '1' });
const json = await runCli(['--json'], {});

test('run prints its stable lines as the snapshot: summary rows, symbols, the timeline shape, the conclusion', () => {
  assert.equal(human.code, 0, human.stderr);
  const lines = stableLines(human.stdout);
  // In CI a missing snapshot is a failure: writing one there would make the comparison pass by construction.
  if (!existsSync(SNAPSHOT) && process.env.CI) assert.fail(`${SNAPSHOT} is missing: run the test locally (UPDATE_SNAPSHOTS=1) and commit it`);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(SNAPSHOT)) writeFileSync(SNAPSHOT, `${lines.join('\n')}\n`);
  assert.deepEqual(lines, readFileSync(SNAPSHOT, 'utf8').replace(/\n$/, '').split('\n'));
});

/** Each row of the step-4 part of a timeline: its label, the mark's column, and the offset on the right. */
function timelineRows(lines: string[]) {
  const rows = new Map<string, { column: number; offset: string; gap?: string }>();
  const start = lines.findIndex((line) => line.includes('step 4, fails'));
  for (const line of lines.slice(start + 1)) {
    const match = /^ {4}(attempt 1|retry \d|→ DLQ)\s.*?([●◆])\s+([+-][\d.]+ s)$/.exec(line);
    if (!match) break;
    rows.set(match[1]!, { column: line.indexOf(match[2]!), offset: match[3]!, gap: /─ ([\d.]+ s)/.exec(line)?.[1] });
  }
  return rows;
}

test("the human timeline marks each attempt at the offsets the same run's summary observed, gaps labelled by their difference", () => {
  const lines = human.stdout.split('\n');
  const observed = /observed 3 for step 4's \(at ([^)]+)\)/.exec(human.stdout.replace(/\s+/g, ' '))?.[1]?.split(', ');
  assert.ok(observed, human.stdout);
  const rows = timelineRows(lines);
  assert.deepEqual([...rows.keys()], ['attempt 1', 'retry 1', 'retry 2', '→ DLQ']);
  assert.deepEqual(['attempt 1', 'retry 1', 'retry 2'].map((label) => rows.get(label)!.offset), observed);
  const seconds = (text: string) => Number.parseFloat(text);
  for (const [label, before] of [['retry 1', 'attempt 1'], ['retry 2', 'retry 1']] as const) {
    const gap = seconds(rows.get(label)!.offset) - seconds(rows.get(before)!.offset);
    assert.ok(Math.abs(seconds(rows.get(label)!.gap!) - gap) <= 0.011, `${label}: gap ${rows.get(label)!.gap} vs ${gap}`);
    assert.ok(rows.get(label)!.column > rows.get(before)!.column, 'later attempts sit further right');
  }
  assert.ok(rows.get('→ DLQ')!.column >= rows.get('retry 2')!.column, 'the DLQ arrival comes after the last attempt');
});

test("the --json run's timeline, drawn, puts each mark where its report's offsets say", () => {
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as RunReport;
  const failing = report.timeline.failing!;
  assert.deepEqual(failing.attempts.map((attempt) => attempt.label), ['attempt 1', 'retry 1', 'retry 2']);
  const lines = renderTimeline(report.timeline, { width: 80, glyphs: unicodeGlyphs, paint: plainPaint });
  assert.ok(lines.every((line) => [...line].length <= 80), 'fits 80 columns');
  const rows = timelineRows(lines);
  const offsetText = (ms: number) => `${ms > -5 ? '+' : ''}${formatSeconds(ms)}`;
  for (const attempt of failing.attempts) assert.equal(rows.get(attempt.label)!.offset, offsetText(attempt.offsetMs));
  assert.equal(rows.get('→ DLQ')!.offset, offsetText(failing.dlqOffsetMs!));
  const gaps = failing.attempts.slice(1).map((attempt, index) => attempt.offsetMs - failing.attempts[index]!.offsetMs);
  assert.deepEqual([rows.get('retry 1')!.gap, rows.get('retry 2')!.gap], gaps.map((gap) => formatSeconds(gap)));
  // Columns are proportional to time: each gap is drawn as gap × k columns, give or take the one column each rounded
  // mark may move, whatever the gaps were in this run (a busy machine stretches them). With c = g·k + e, |e| ≤ 1:
  // |c1·g0 − c0·g1| = |e1·g0 − e0·g1| ≤ g0 + g1.
  const [first, second] = [rows.get('retry 1')!.column - rows.get('attempt 1')!.column, rows.get('retry 2')!.column - rows.get('retry 1')!.column];
  const [g0, g1] = gaps as [number, number];
  assert.ok(Math.abs(second * g0 - first * g1) <= g0 + g1, `${first} and ${second} columns for ${gaps.join(' and ')} ms`);
});

test('--json: stdout is exactly one JSON document; progress and explanations are on stderr', () => {
  assert.doesNotThrow(() => JSON.parse(json.stdout));
  assert.match(json.stdout, /^\{\n[\s\S]*\n\}\n$/);
  assert.match(json.stderr, /Deploy stack LambdaAsync: created/);
  assert.match(json.stderr, /6\/6 Failed event in the dead-letter queue: PASS/);
  assert.doesNotMatch(json.stdout, /PASS|Deploy stack/);
});

test('no ANSI codes with NO_COLOR=1, nor on a pipe without it; FORCE_COLOR=1 colours a pipe', async () => {
  assert.doesNotMatch(human.stdout + human.stderr, ANSI, 'NO_COLOR=1');
  assert.doesNotMatch(json.stdout + json.stderr, ANSI, 'a pipe, no colour variable');
  const forced = await runCli([], { FORCE_COLOR: '1' });
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, ANSI);
  assert.match(forced.stderr, ANSI);
  const noColorFlag = await runCli(['--no-color'], { FORCE_COLOR: '1' });
  assert.doesNotMatch(noColorFlag.stdout + noColorFlag.stderr, ANSI, '--no-color wins over FORCE_COLOR');
});

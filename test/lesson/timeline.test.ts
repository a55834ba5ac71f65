// The async timeline: data built from a step record, and the picture drawn from it (marks, gap labels, width, colour).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chalk } from 'chalk';
import { asciiGlyphs, plainPaint, unicodeGlyphs, type Paint } from '../../src/lesson/paint.js';
import { buildTimeline, formatSeconds, renderTimeline, visibleLength, type TimelineData } from '../../src/lesson/timeline.js';

const FAILING_ID = '8f14e45f-ceea-467f-a0e6-1d2c3b4a5f60';
const SUCCEEDING_ID = '1b2c3d4e-0000-4000-8000-000000000001';

function localRun(overrides: Partial<TimelineData> = {}): TimelineData {
  return {
    origin: "step 4's invoke",
    target: 'local',
    retryDelaysMs: [1000, 2000],
    failing: {
      requestId: FAILING_ID,
      attempts: [
        { label: 'attempt 1', offsetMs: 14 },
        { label: 'retry 1', offsetMs: 1042 },
        { label: 'retry 2', offsetMs: 3071 },
      ],
      dlqOffsetMs: 3090,
    },
    succeeding: { requestId: SUCCEEDING_ID, attempts: [{ label: 'attempt 1', offsetMs: -31 }] },
    ...overrides,
  };
}

const awsRun = localRun({
  target: 'aws',
  retryDelaysMs: null,
  failing: {
    requestId: FAILING_ID,
    attempts: [
      { label: 'attempt 1', offsetMs: 800 },
      { label: 'retry 1', offsetMs: 64_000 },
      { label: 'retry 2', offsetMs: 190_000 },
    ],
    dlqOffsetMs: 190_500,
  },
});

const noRetries = localRun({
  failing: { requestId: FAILING_ID, attempts: [{ label: 'attempt 1', offsetMs: 12 }], dlqOffsetMs: 40 },
});

const plain = { width: 80, glyphs: unicodeGlyphs, paint: plainPaint };
const ANSI = /\u001b\[/;

function rowOf(lines: string[], name: string): string {
  const row = lines.find((line) => line.trimStart().startsWith(name));
  assert.ok(row, `no row for ${name} in:\n${lines.join('\n')}`);
  return row;
}

test('each attempt of step 4 gets its own row and mark: attempt 1, retry 1, retry 2, then the DLQ', () => {
  const lines = renderTimeline(localRun(), plain);
  const columns = ['attempt 1', 'retry 1', 'retry 2'].map((name) => rowOf(lines, name).indexOf('●'));
  assert.ok(columns.every((column) => column > 0), 'every attempt row has a mark');
  assert.ok(columns[0]! < columns[1]! && columns[1]! < columns[2]!, `marks move right in time: ${columns}`);
  const dlqColumn = rowOf(lines, '→ DLQ').indexOf('◆');
  assert.ok(dlqColumn >= columns[2]!, 'the DLQ arrives after the last retry');
  // On one axis: retry 1 at ~1/3 of the span, as 1.04 s of 3.12 s.
  const span = dlqColumn - rowOf(lines, 'attempt 1').indexOf('●');
  assert.ok(Math.abs((columns[1]! - columns[0]!) / span - 1 / 3) < 0.1, 'marks are placed in proportion to time');
});

test('gaps show the real seconds and the AWS minutes they stand for, with the default local delays', () => {
  const lines = renderTimeline(localRun(), plain);
  assert.ok(lines.some((line) => line.includes('1 s here = 1 min on AWS')));
  assert.match(rowOf(lines, 'retry 1'), /╰─+ 1\.0 s ≈ 1 min ─+●/);
  assert.match(rowOf(lines, 'retry 2'), /╰─+ 2\.0 s ≈ 2 min ─+●/);
  assert.match(rowOf(lines, 'retry 2'), /\+3\.07 s$/);
});

test('step 3 has a single attempt on its own row, marked as succeeding without retry', () => {
  const lines = renderTimeline(localRun(), plain);
  const heading = lines.findIndex((line) => line.includes('step 3, succeeds'));
  assert.ok(heading > lines.findIndex((line) => line.includes('→ DLQ')));
  assert.ok(lines[heading]!.includes(SUCCEEDING_ID));
  assert.match(lines[heading + 1]!, /attempt 1 +● succeeded: no retry +-0\.03 s$/);
});

test('on AWS the gaps are labelled in minutes and no scaling is claimed', () => {
  const lines = renderTimeline(awsRun, plain);
  assert.ok(lines.some((line) => line.includes('real AWS timing')));
  assert.ok(!lines.some((line) => line.includes('1 s here')));
  assert.match(rowOf(lines, 'retry 1'), / 1 min 3 s /);
  assert.match(rowOf(lines, 'retry 2'), /\+3 min 10 s$/);
});

test('custom local delays are stated, since one second no longer stands for one minute', () => {
  const lines = renderTimeline(localRun({ retryDelaysMs: [50, 100] }), plain);
  assert.ok(lines.some((line) => line.includes('retry delays here 0.05 s and 0.10 s; on AWS about 1 min and 2 min')));
  assert.ok(!lines.some((line) => line.includes('1 s here')));
});

test('with no retries the picture has attempt 1 and the DLQ only', () => {
  const lines = renderTimeline(noRetries, plain);
  assert.ok(rowOf(lines, 'attempt 1').includes('●'));
  assert.ok(rowOf(lines, '→ DLQ').includes('◆'));
  assert.ok(!lines.some((line) => line.includes('retry 1')));
  assert.ok(lines.some((line) => line.includes('no retry: the event went to the DLQ after its first attempt')));
});

test('every line fits 80 columns, and a wider terminal gets a longer axis', () => {
  for (const data of [localRun(), awsRun, noRetries, localRun({ retryDelaysMs: [50, 100] })]) {
    for (const glyphs of [unicodeGlyphs, asciiGlyphs]) {
      for (const line of renderTimeline(data, { width: 80, glyphs, paint: plainPaint })) {
        assert.ok(visibleLength(line) <= 80, `too wide (${visibleLength(line)}): ${line}`);
      }
    }
  }
  const wide = renderTimeline(localRun(), { ...plain, width: 120 });
  assert.ok(wide.every((line) => visibleLength(line) <= 120));
  assert.ok(wide.some((line) => visibleLength(line) > 100), 'the axis grows with the width');
  assert.match(rowOf(wide, 'retry 1'), /1\.0 s ≈ 1 min on AWS/);
});

test('without colour the lines hold no ANSI codes; with colour they do, and still fit', () => {
  assert.ok(renderTimeline(localRun(), plain).every((line) => !ANSI.test(line)));
  const chalk = new Chalk({ level: 1 });
  const coloured: Paint = {
    ...plainPaint,
    attempt: (text) => chalk.red(text),
    dlq: (text) => chalk.magenta(text),
    gap: (text) => chalk.cyan(text),
    dim: (text) => chalk.dim(text),
  };
  const lines = renderTimeline(localRun(), { ...plain, paint: coloured });
  assert.ok(lines.some((line) => ANSI.test(line)));
  assert.ok(lines.every((line) => visibleLength(line) <= 80));
  assert.ok(rowOf(lines, 'retry 1').includes(chalk.red('●')));
});

test('the ASCII fallback draws with ASCII only', () => {
  const lines = renderTimeline(localRun(), { ...plain, glyphs: asciiGlyphs });
  for (const line of lines) assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII in: ${line}`);
  assert.match(rowOf(lines, 'retry 1'), /`-+ 1\.0 s ~ 1 min -+o/);
  assert.ok(rowOf(lines, '-> DLQ').includes('#'));
});

test('without step 4 there is no timeline to draw, and it says so', () => {
  const lines = renderTimeline(localRun({ failing: null }), plain);
  assert.ok(lines.some((line) => line.includes('step 4 did not record an invoke')));
});

test('the timeline data counts every offset from step 4\'s invoke and labels the attempts', () => {
  const invokedAt = 1_700_000_000_000;
  const data = buildTimeline(
    {
      asyncOk: { requestId: SUCCEEDING_ID, invokedAt: invokedAt - 40, payload: '{}' },
      asyncFail: { requestId: FAILING_ID, invokedAt, payload: '{}' },
      startLines: { failing: [invokedAt + 10, invokedAt + 1010, invokedAt + 3020], succeeding: [invokedAt - 30] },
      dlqSentAt: invokedAt + 3030,
    },
    'local',
    [1000, 2000],
  );
  assert.deepEqual(data.failing, {
    requestId: FAILING_ID,
    attempts: [
      { label: 'attempt 1', offsetMs: 10 },
      { label: 'retry 1', offsetMs: 1010 },
      { label: 'retry 2', offsetMs: 3020 },
    ],
    dlqOffsetMs: 3030,
  });
  assert.deepEqual(data.succeeding, { requestId: SUCCEEDING_ID, attempts: [{ label: 'attempt 1', offsetMs: -30 }] });
  assert.equal(data.origin, "step 4's invoke");
});

test('durations read as seconds when short and as minutes when long', () => {
  assert.equal(formatSeconds(50), '0.05 s');
  assert.equal(formatSeconds(3071), '3.07 s');
  assert.equal(formatSeconds(12_340), '12.3 s');
  assert.equal(formatSeconds(64_000), '1 min 4 s');
  assert.equal(formatSeconds(120_000), '2 min');
  assert.equal(formatSeconds(-31), '-0.03 s');
});

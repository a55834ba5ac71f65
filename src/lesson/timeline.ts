// The async timeline: its JSON data built from what the steps recorded, and a pure drawing of it as terminal lines.
import type { Target } from '../aws/clients.js';
import type { LessonRecord } from './context.js';
import type { Glyphs, Paint } from './paint.js';

interface TimelineAttempt {
  /** "attempt 1", "retry 1", "retry 2" */
  label: string;
  /** Milliseconds from step 4's invoke (negative: before it). */
  offsetMs: number;
}

export interface TimelineData {
  /** Every offset is counted from this moment. */
  origin: "step 4's invoke";
  target: Target;
  /** The retry delays the in-process emulator used; null when AWS (or another endpoint) chose them. */
  retryDelaysMs: [number, number] | null;
  /** Step 4's event: every attempt of its RequestId, then its arrival in the dead-letter queue. */
  failing: { requestId: string; attempts: TimelineAttempt[]; dlqOffsetMs: number | null } | null;
  /** Step 3's event: its single attempt. */
  succeeding: { requestId: string; attempts: TimelineAttempt[] } | null;
}

/** AWS waits about 1 minute before retry 1 and 2 minutes before retry 2 (docs/aws-semantics.md §2). */
const AWS_RETRY_DELAY_MINUTES = [1, 2];
/** The local default: AWS's 1:2 shape, 60x faster, so one local second stands for one AWS minute. */
const DEFAULT_LOCAL_RETRY_DELAYS_MS: [number, number] = [1000, 2000];

export function attemptLabel(index: number): string {
  return index === 0 ? 'attempt 1' : `retry ${index}`;
}

export function buildTimeline(
  record: LessonRecord,
  target: Target,
  retryDelaysMs: [number, number] | null,
): TimelineData {
  const { asyncFail, asyncOk, startLines } = record;
  const origin = asyncFail?.invokedAt;
  const offsets = (timestamps: number[] = []) =>
    origin === undefined ? [] : timestamps.map((timestamp, index) => ({ label: attemptLabel(index), offsetMs: timestamp - origin }));
  return {
    origin: "step 4's invoke",
    target,
    retryDelaysMs,
    failing: asyncFail
      ? {
          requestId: asyncFail.requestId,
          attempts: offsets(startLines?.failing),
          dlqOffsetMs: record.dlqSentAt !== undefined ? record.dlqSentAt - asyncFail.invokedAt : null,
        }
      : null,
    succeeding: asyncOk ? { requestId: asyncOk.requestId, attempts: offsets(startLines?.succeeding) } : null,
  };
}

/** "0.05 s", "3.04 s", "12.3 s", "1 min 4 s": precise where the lesson is fast, readable where it is slow. */
export function formatSeconds(ms: number): string {
  const sign = ms <= -5 ? '-' : ''; // -0.004 s shows as 0.00 s, not -0.00 s
  const abs = Math.abs(ms);
  if (abs < 10_000) return `${sign}${(abs / 1000).toFixed(2)} s`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(abs / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${sign}${minutes} min${seconds ? ` ${seconds} s` : ''}`;
}

export interface TimelineStyle {
  /** Columns available; the picture never exceeds it. */
  width: number;
  glyphs: Glyphs;
  paint: Paint;
  /** What the DLQ row says when no message was seen; `step 5` alone has not looked yet. */
  dlqNotSeen?: string;
}

type Style = keyof Paint;
const NAME_WIDTH = 14;
const MIN_AXIS = 20;

/** One row of the axis area: a cell per column, each with its own style, painted in runs. */
class Row {
  private readonly cells: Array<{ text: string; style?: Style }>;
  constructor(readonly width: number) {
    this.cells = Array.from({ length: width }, () => ({ text: ' ' }));
  }
  put(column: number, text: string, style?: Style): void {
    [...text].forEach((char, offset) => {
      const cell = this.cells[column + offset];
      if (cell) Object.assign(cell, { text: char, style });
    });
  }
  render(paint: Paint): string {
    let out = '';
    let run = '';
    let runStyle: Style | undefined;
    const flush = () => {
      out += runStyle ? paint[runStyle](run) : run;
      run = '';
    };
    for (const cell of this.cells) {
      if (cell.style !== runStyle) flush();
      runStyle = cell.style;
      run += cell.text;
    }
    flush();
    return out.replace(/\s+$/, '');
  }
}

function scaleNote(data: TimelineData): string {
  if (data.failing?.attempts.length === 1 && data.failing.dlqOffsetMs !== null) {
    return 'no retry: the event went to the DLQ after its first attempt';
  }
  const delays = data.retryDelaysMs;
  if (!delays) return data.target === 'aws' ? 'real AWS timing' : 'timing as the endpoint ran it';
  if (delays[0] === DEFAULT_LOCAL_RETRY_DELAYS_MS[0] && delays[1] === DEFAULT_LOCAL_RETRY_DELAYS_MS[1]) {
    return '1 s here = 1 min on AWS';
  }
  return `retry delays here ${formatSeconds(delays[0])} and ${formatSeconds(delays[1])}; on AWS about 1 min and 2 min`;
}

/** Labels for the gap before retry `index`, longest first; the drawing uses the longest that fits. */
function gapLabels(data: TimelineData, index: number, gapMs: number, glyphs: Glyphs): string[] {
  const measured = gapMs >= 1000 && gapMs < 10_000 ? `${(gapMs / 1000).toFixed(1)} s` : formatSeconds(gapMs);
  const awsMinutes = AWS_RETRY_DELAY_MINUTES[index - 1];
  if (!data.retryDelaysMs || awsMinutes === undefined) return [measured];
  return [
    `${measured} ${glyphs.approx} ${awsMinutes} min on AWS`,
    `${measured} ${glyphs.approx} ${awsMinutes} min`,
    measured,
  ];
}

/**
 * Draws the timeline: a row per attempt of step 4's event (attempt 1, retry 1, retry 2), each retry joined to the
 * attempt before it by a line labelled with the gap, then the DLQ arrival, then step 3's single attempt; one time axis
 * for all, and each row's offset on the right. Pure: the same data and style always give the same lines.
 */
export function renderTimeline(data: TimelineData, style: TimelineStyle): string[] {
  const { glyphs, paint } = style;
  const failing = data.failing;
  const header = [
    `${paint.heading('Async timeline')} ${paint.dim(`${glyphs.separator} t = 0 at step 4's invoke`)}`,
    `  ${paint.dim(scaleNote(data))}`,
  ];
  if (!failing) return [...header, paint.dim('  (no timeline: step 4 did not record an invoke)')];

  const succeeding = data.succeeding?.attempts ?? [];
  const offsets = [
    0,
    ...failing.attempts.map((attempt) => attempt.offsetMs),
    ...(failing.dlqOffsetMs !== null ? [failing.dlqOffsetMs] : []),
    ...succeeding.map((attempt) => attempt.offsetMs),
  ];
  const start = Math.min(...offsets);
  const end = Math.max(...offsets, start + 1);
  const timeText = (offsetMs: number) => `${offsetMs > -5 ? '+' : ''}${formatSeconds(offsetMs)}`;
  const timeWidth = 2 + Math.max(...offsets.map((offset) => timeText(offset).length));
  const axisWidth = Math.max(MIN_AXIS, style.width - NAME_WIDTH - timeWidth);
  const column = (offsetMs: number) => Math.round(((offsetMs - start) / (end - start)) * (axisWidth - 1));

  const line = (name: string, row: Row, offsetMs?: number) => {
    const nameColumn = name.padEnd(NAME_WIDTH);
    const body = row.render(paint);
    if (offsetMs === undefined) return `${nameColumn}${body}`.replace(/\s+$/, '');
    const padding = ' '.repeat(Math.max(0, axisWidth - visibleLength(body)));
    return `${nameColumn}${body}${padding}${paint.dim(timeText(offsetMs).padStart(timeWidth))}`;
  };

  // A step's heading with its RequestId, or the RequestId on a line of its own where both do not fit (60 columns).
  const heading = (label: string, requestId: string) =>
    `  ${label}  RequestId ${requestId}`.length <= style.width
      ? [paint.label(`  ${label}`) + paint.dim(`  RequestId ${requestId}`)]
      : [paint.label(`  ${label}`), paint.dim(`    RequestId ${requestId}`)];
  const lines = [...header, ''];
  lines.push(...heading('step 4, fails', failing.requestId));
  if (failing.attempts.length === 0) lines.push(line('    attempts', textRow(axisWidth, '(no START line seen)', 'dim')));
  // Every gap gets the same wording: the longest variant that fits inside all of the lines.
  const gaps = failing.attempts.slice(1).map((attempt, index) => ({
    span: column(attempt.offsetMs) - column(failing.attempts[index]!.offsetMs) - 1,
    labels: gapLabels(data, index + 1, attempt.offsetMs - failing.attempts[index]!.offsetMs, glyphs),
  }));
  const variants = Math.max(1, ...gaps.map((gap) => gap.labels.length));
  const variant = [...Array(variants).keys()].find((candidate) =>
    gaps.every((gap) => fitsInside(gap.labels[Math.min(candidate, gap.labels.length - 1)]!, gap.span)),
  );
  failing.attempts.forEach((attempt, index) => {
    const row = new Row(axisWidth);
    const here = column(attempt.offsetMs);
    if (index > 0) {
      const previous = failing.attempts[index - 1]!;
      const labels = gaps[index - 1]!.labels;
      const preferred = variant === undefined ? labels : labels.slice(Math.min(variant, labels.length - 1));
      drawGap(row, column(previous.offsetMs), here, preferred, glyphs);
    }
    row.put(here, glyphs.mark, 'attempt');
    lines.push(line(`    ${attempt.label}`, row, attempt.offsetMs));
  });
  if (failing.dlqOffsetMs !== null) {
    const row = new Row(axisWidth);
    row.put(column(failing.dlqOffsetMs), glyphs.dlqMark, 'dlq');
    lines.push(line(`    ${glyphs.arrow} DLQ`, row, failing.dlqOffsetMs));
  } else {
    lines.push(line(`    ${glyphs.arrow} DLQ`, textRow(axisWidth, style.dlqNotSeen ?? '(no message seen)', 'dim')));
  }

  if (data.succeeding) {
    lines.push(...heading('step 3, succeeds', data.succeeding.requestId));
    if (succeeding.length === 0) lines.push(line('    attempts', textRow(axisWidth, '(no START line seen)', 'dim')));
    succeeding.forEach((attempt) => {
      const row = new Row(axisWidth);
      const here = column(attempt.offsetMs);
      row.put(here, glyphs.mark, 'success');
      const note = succeeding.length === 1 ? 'succeeded: no retry' : `${succeeding.length} attempts`;
      if (here + 2 + note.length <= axisWidth) row.put(here + 2, note, 'dim');
      lines.push(line(`    ${attempt.label}`, row, attempt.offsetMs));
    });
  }

  const axis = new Row(axisWidth);
  axis.put(0, glyphs.tickLeft + glyphs.line.repeat(axisWidth - 2) + glyphs.tickRight, 'dim');
  lines.push(line('', axis));
  const scale = new Row(axisWidth);
  const endLabel = formatSeconds(end);
  scale.put(column(0), '0 s', 'dim');
  scale.put(axisWidth - endLabel.length, endLabel, 'dim');
  lines.push(line('', scale));
  return lines;
}

function textRow(width: number, text: string, style: Style): Row {
  const row = new Row(width);
  row.put(0, text, style);
  return row;
}

/** A label fits inside a gap line when a space and a line character stay on each side of it. */
function fitsInside(label: string, span: number): boolean {
  return label.length + 4 <= span;
}

/** A line from the previous attempt's column to this one, with the longest gap label that fits inside it. */
function drawGap(row: Row, from: number, to: number, labels: string[], glyphs: Glyphs): void {
  if (to <= from) {
    // Too close to draw a line: say the gap after the mark instead, if there is room.
    const label = labels.find((text) => to + 2 + text.length <= row.width);
    if (label) row.put(to + 2, label, 'gap');
    return;
  }
  row.put(from, glyphs.elbow, 'dim');
  row.put(from + 1, glyphs.line.repeat(Math.max(0, to - from - 1)), 'dim');
  const span = to - from - 1;
  const label = labels.find((text) => fitsInside(text, span));
  if (label) row.put(from + 1 + Math.floor((span - label.length - 2) / 2), ` ${label} `, 'gap');
  else if (labels.length && to + 2 + labels[labels.length - 1]!.length <= row.width) {
    row.put(to + 2, labels[labels.length - 1]!, 'gap');
  }
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Length as the terminal shows it: without colour codes, one column per code point. */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

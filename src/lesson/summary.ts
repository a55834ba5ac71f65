// The summary a person reads after a run: a row per step (PASS/FAIL, expected, observed) and the two-line conclusion.
import type { Paint } from './paint.js';
import type { RunReport, StepReport } from './report.js';
import { formatSeconds, visibleLength } from './timeline.js';

const STATUS_WORDS = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;
const INDENT = 9;
const FIELD = 9;

/** Greedy word wrap to lines of at most `width` columns (a longer single word keeps its own line). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  // A unit stays with its number ("3.07 s") and a step with its number ("step 3").
  for (const word of text.split(/(?<!\bstep)\s+(?!(?:s|min)(?:[^\w]|$))/).filter(Boolean)) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && visibleLength(candidate) > width) {
      lines.push(current);
      current = word;
    } else {
      current = candidate;
    }
  }
  lines.push(current);
  return lines;
}

function statusWord(step: StepReport, paint: Paint): string {
  return paint[step.status](STATUS_WORDS[step.status]);
}

function fieldLines(name: string, text: string, width: number, paint: Paint): string[] {
  const prefix = ' '.repeat(INDENT) + name.padEnd(FIELD);
  const [first = '', ...rest] = wrap(text, width - prefix.length);
  return [paint.dim(prefix) + first, ...rest.map((line) => ' '.repeat(prefix.length) + line)];
}

export function summaryLines(report: RunReport, width: number, paint: Paint): string[] {
  const lines = [paint.heading('Summary')];
  for (const step of report.steps) {
    const time = formatSeconds(step.durationMs);
    const title = `  ${statusWord(step, paint)}  ${step.id}  ${paint.label(step.title)}`;
    const padding = Math.max(1, width - visibleLength(title) - time.length);
    lines.push(title + ' '.repeat(padding) + paint.dim(time));
    lines.push(...fieldLines('expected', step.expected, width, paint));
    lines.push(...fieldLines('observed', step.observed, width, paint));
  }
  return lines;
}

/** The lesson in two lines when every check passed; otherwise what failed and what to try. */
export function conclusionLines(report: RunReport, maxRetries: number, width: number, paint: Paint): string[] {
  const paragraph = (text: string, style: (line: string) => string) =>
    wrap(text, width - 2).map((line) => `  ${style(line)}`);
  const failed = report.steps.filter((step) => step.status !== 'pass');
  if (failed.length > 0) {
    const which = failed.map((step) => step.id).join(', ');
    return [
      ...paragraph(`${failed.length} of ${report.steps.length} checks did not pass (step ${which}).`, paint.fail),
      ...paragraph('Run again with --verbose for details, or raise --timeout if AWS was slow to retry.', paint.dim),
    ];
  }
  const attempts = 1 + maxRetries;
  const retries = maxRetries === 0 ? 'no retry' : `1 + ${maxRetries} ${maxRetries === 1 ? 'retry' : 'retries'}`;
  return [
    ...paragraph('An async invoke answers 202 even when the function fails.', paint.pass),
    ...paragraph(
      `Lambda made ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'} (${retries}), then put the event in the DLQ.`,
      paint.label,
    ),
  ];
}

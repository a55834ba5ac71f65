// The live countdown of a waiting step: which attempt (or the DLQ message) is expected next, when, and when the wait ends.
import type { LessonContext } from './context.js';
import { attemptLabel, formatSeconds } from './timeline.js';

/** AWS waits about 1 minute before retry 1 and 2 minutes before retry 2 (docs/aws-semantics.md §2), often longer. */
export const AWS_RETRY_DELAYS_MS: [number, number] = [60_000, 120_000];
const DEFAULT_LINE_MS = 30_000;
/** The spinner's countdown moves once a second, between the step's own polls. */
const TICK_MS = 1_000;

export function expectedRetryDelays(ctx: Pick<LessonContext, 'timing'>): [number, number] {
  return ctx.timing.expectedRetryDelaysMs ?? AWS_RETRY_DELAYS_MS;
}

/** The next attempt of step 4's event and when it is due, from the START times seen so far; undefined once all are in. */
export function nextAttempt(
  seen: readonly number[],
  invokedAt: number,
  wanted: number,
  delays: readonly [number, number],
): { label: string; dueAt: number } | undefined {
  const count = seen.length;
  if (count >= wanted) return undefined;
  if (count === 0) return { label: attemptLabel(0), dueAt: invokedAt };
  return { label: attemptLabel(count), dueAt: seen[count - 1]! + (delays[count - 1] ?? delays[delays.length - 1]!) };
}

/** "retry 1 expected in 42.0 s", or, once due, "retry 1 expected any moment (due 12.0 s ago; AWS is often late)". */
export function dueText(what: string, dueAt: number, now: number, onAws: boolean): string {
  const left = dueAt - now;
  if (left > 0) return `${what} expected in ${formatSeconds(left)}`;
  return `${what} expected any moment (due ${formatSeconds(-left)} ago${onAws ? '; AWS is often late' : ''})`;
}

/**
 * Shows a waiting step's countdown: live as the spinner's text, and in plain output as a line every `countdownLineMs`,
 * or at once when a new wait begins that is longer than that (so a CI log says what it is waiting for).
 */
export class Countdown {
  private render: () => { text: string; dueAt?: number } = () => ({ text: '' });
  private milestone: string | undefined;
  private lastLineAt: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly ctx: Pick<LessonContext, 'progress' | 'note' | 'timing'>,
    private readonly deadline: number,
  ) {
    this.lastLineAt = Date.now();
  }

  private get lineMs(): number {
    return this.ctx.timing.countdownLineMs ?? DEFAULT_LINE_MS;
  }

  /** What the countdown says, recomputed on every tick; `milestone` names what is awaited (a new one may print a line). */
  show(milestone: string, render: () => { text: string; dueAt?: number }): void {
    const changed = milestone !== this.milestone;
    this.milestone = milestone;
    this.render = render;
    this.refresh(changed);
    if (!this.timer) {
      this.timer = setInterval(() => this.refresh(false), Math.min(TICK_MS, this.lineMs));
      this.timer.unref();
    }
  }

  private refresh(milestoneChanged: boolean): void {
    const now = Date.now();
    const { text, dueAt } = this.render();
    const line = `${text} · gives up in ${formatSeconds(Math.max(0, this.deadline - now))}`;
    this.ctx.progress(line);
    const longWait = dueAt !== undefined && dueAt - now > this.lineMs;
    if (now - this.lastLineAt >= this.lineMs || (milestoneChanged && longWait)) {
      this.ctx.note?.(line);
      this.lastLineAt = now;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

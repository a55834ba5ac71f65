// The run's report: one plain object, printed as JSON by `run --json` and drawn as the summary otherwise.
import type { Target } from '../aws/clients.js';
import type { StepStatus } from './context.js';
import type { StepResult } from './steps.js';
import type { TimelineData } from './timeline.js';

export interface StepReport {
  id: number;
  title: string;
  status: StepStatus;
  expected: string;
  observed: string;
  durationMs: number;
  /** RequestIds, attempt counts, DLQ attributes: the facts behind `observed`. */
  details?: Record<string, unknown>;
}

/** DESIGN §3's JSON report, plus the run id and each step's details. */
export interface RunReport {
  ok: boolean;
  target: Target;
  region: string;
  stack: string;
  /** Tagged on every payload of this run. */
  runId: string;
  steps: StepReport[];
  timeline: TimelineData;
  durationMs: number;
}

export function buildReport(input: {
  target: Target;
  region: string;
  stack: string;
  runId: string;
  results: StepResult[];
  timeline: TimelineData;
  startedAt: number;
}): RunReport {
  const steps = input.results.map(({ id, title, status, expected, observed, durationMs, details }) => ({
    id,
    title,
    status,
    expected,
    observed,
    durationMs,
    ...(details ? { details } : {}),
  }));
  return {
    ok: steps.length > 0 && steps.every((step) => step.status === 'pass'),
    target: input.target,
    region: input.region,
    stack: input.stack,
    runId: input.runId,
    steps,
    timeline: input.timeline,
    durationMs: Date.now() - input.startedAt,
  };
}

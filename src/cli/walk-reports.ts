// What `deploy`, `outputs` and `step` return, printed: the outputs table or JSON, a step's summary and timeline, and
// what to run next.
import type { Output } from '@aws-sdk/client-cloudformation';
import { commandLine } from '../commands/command-line.js';
import type { DeployReport } from '../commands/deploy.js';
import type { OutputsResult } from '../commands/outputs.js';
import type { CommandOptions } from '../commands/session.js';
import type { StepReport } from '../commands/step.js';
import { renderOutputsTable } from '../lesson/deploy-progress.js';
import { summaryLines } from '../lesson/summary.js';
import { renderTimeline } from '../lesson/timeline.js';
import type { CommandOutput } from '../commands/activity.js';

/** The outputs table `deploy` and `outputs` print on stdout: the same table as `run`'s, with a title and descriptions. */
function printOutputs(reporter: CommandOutput, stackName: string, outputs: Output[]): void {
  const rows = outputs.filter((output) => output.OutputKey);
  if (rows.length === 0) {
    reporter.result([`The stack ${stackName} has no outputs.`]);
    return;
  }
  const values = Object.fromEntries(rows.map((output) => [output.OutputKey!, output.OutputValue ?? '']));
  const descriptions = Object.fromEntries(rows.filter((output) => output.Description).map((output) => [output.OutputKey!, output.Description!]));
  reporter.result(renderOutputsTable(values, reporter.outPaint, { title: `Outputs of ${stackName}`, descriptions, width: reporter.width }));
}

export function printDeploy(reporter: CommandOutput, deployed: DeployReport, json: boolean, options: CommandOptions, env: NodeJS.ProcessEnv): void {
  if (json) {
    reporter.result([
      JSON.stringify(
        {
          ok: true,
          stack: deployed.stackName,
          action: deployed.action,
          stackStatus: deployed.stackStatus,
          outputs: Object.fromEntries(deployed.outputs.map((output) => [output.OutputKey, output.OutputValue])),
        },
        null,
        2,
      ),
    ]);
  } else {
    printOutputs(reporter, deployed.stackName, deployed.outputs);
    reporter.info(`Next: ${commandLine('step 1', options, env)} (then 2 to 6, one at a time).`);
  }
}

export function printStackOutputs(reporter: CommandOutput, found: OutputsResult, json: boolean): void {
  if (json) {
    const byKey = Object.fromEntries(found.outputs.map((output) => [output.OutputKey, output.OutputValue]));
    reporter.result([JSON.stringify(byKey, null, 2)]);
  } else {
    printOutputs(reporter, found.stackName, found.outputs);
  }
}

/** What to try after this step, in one line. */
function nextHint(stepId: number, passed: boolean, options: CommandOptions, env: NodeJS.ProcessEnv): string | undefined {
  const next = (id: number) => commandLine(`step ${id}`, options, env);
  if (stepId === 4) return `Next: ${next(5)} finds its retries in the logs, ${next(6)} its event in the DLQ (after the last retry).`;
  if (stepId === 6) return `Done: ${commandLine('logs', options, env)} shows every attempt; ${commandLine('teardown', options, env)} removes the stack.`;
  if (!passed && stepId === 5) return `Retries take time (1 + 2 minutes on AWS): run ${next(5)} again, or raise --timeout.`;
  return stepId < 6 ? `Next: ${next(stepId + 1)}` : undefined;
}

/** One step's summary (JSON: the one-step report), the timeline of step 4's event after 5 or 6, and what is next. */
export function printStep(reporter: CommandOutput, stepped: StepReport, json: boolean, options: CommandOptions, env: NodeJS.ProcessEnv): void {
  const { report, timeline, stepId, status } = stepped;
  if (json) {
    const { timeline: _timeline, ...withoutTimeline } = report;
    reporter.result([JSON.stringify(timeline ? report : withoutTimeline, null, 2)]);
    return;
  }
  reporter.result(summaryLines(report, reporter.width, reporter.outPaint).slice(1));
  if (timeline) {
    const { width, glyphs, outPaint: paint } = reporter;
    const dlqNotSeen = stepId === 5 ? '(not looked at yet: step 6 does)' : undefined;
    reporter.result(['', ...renderTimeline(timeline, { width, glyphs, paint, dlqNotSeen })]);
  }
  if (status === 'skip') {
    // Steps 5 and 6 skip only without step 4's request: waiting longer cannot help, running step 4 does.
    reporter.info(`Step ${stepId} looks for step 4's request: run ${commandLine('step 4', options, env)} first.`);
  }
  const hint = status === 'skip' ? undefined : nextHint(stepId, status === 'pass', options, env);
  if (hint) reporter.info(hint);
}

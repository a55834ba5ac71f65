// `outputs`: the stack's outputs (QueueUrl, QueueArn, FunctionName, LogGroupName) as a table, or as JSON.
import type { Output } from '@aws-sdk/client-cloudformation';
import type { CommandOutput } from './activity.js';
import type { Outcome } from './outcome.js';
import { renderOutputsTable } from '../lesson/deploy-progress.js';
import { requireStack, withSession, type CommandDeps, type CommandOptions } from './session.js';

/** The outputs table `deploy` and `outputs` print on stdout: the same table as `run`'s, with a title and descriptions. */
export function printOutputs(reporter: CommandOutput, stackName: string, outputs: Output[]): void {
  const rows = outputs.filter((output) => output.OutputKey);
  if (rows.length === 0) {
    reporter.result([`The stack ${stackName} has no outputs.`]);
    return;
  }
  const values = Object.fromEntries(rows.map((output) => [output.OutputKey!, output.OutputValue ?? '']));
  const descriptions = Object.fromEntries(rows.filter((output) => output.Description).map((output) => [output.OutputKey!, output.Description!]));
  reporter.result(renderOutputsTable(values, reporter.outPaint, { title: `Outputs of ${stackName}`, descriptions, width: reporter.width }));
}

export async function outputs(options: CommandOptions, deps: CommandDeps): Promise<Outcome> {
  const { reporter } = deps;
  return withSession(options, deps, async (session): Promise<Outcome> => {
    const deployed = await requireStack(session, options, deps.env);
    if (deps.json) {
      const byKey = Object.fromEntries(deployed.outputs.map((output) => [output.OutputKey, output.OutputValue]));
      reporter.result([JSON.stringify(byKey, null, 2)]);
    } else {
      printOutputs(reporter, options.stackName, deployed.outputs);
    }
    return 'ok';
  });
}

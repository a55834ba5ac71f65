// `outputs`: the stack's outputs (QueueUrl, QueueArn, FunctionName, LogGroupName) as a table, or as JSON.
import type { Output } from '@aws-sdk/client-cloudformation';
import type { Paint } from '../lesson/paint.js';
import { wrap } from '../lesson/summary.js';
import { requireStack, withSession, type CommandDeps, type CommandOptions } from './session.js';

/** Key and value in two columns, each description dimmed under its value; values are never cut (they get copied). */
export function outputsTable(stackName: string, outputs: Output[], width: number, paint: Paint): string[] {
  const rows = outputs.filter((output) => output.OutputKey);
  if (rows.length === 0) return [`The stack ${stackName} has no outputs.`];
  const keyWidth = Math.max(3, ...rows.map((output) => output.OutputKey!.length));
  const indent = 2 + keyWidth + 2;
  const lines = [paint.heading(`Outputs of ${stackName}`), `  ${paint.dim('Key'.padEnd(keyWidth))}  ${paint.dim('Value')}`];
  for (const output of rows) {
    lines.push(`  ${paint.label(output.OutputKey!.padEnd(keyWidth))}  ${output.OutputValue ?? ''}`);
    if (output.Description) {
      for (const line of wrap(output.Description, Math.max(20, width - indent))) lines.push(' '.repeat(indent) + paint.dim(line));
    }
  }
  return lines;
}

export async function outputs(options: CommandOptions, deps: CommandDeps): Promise<number> {
  const { reporter } = deps;
  return withSession(options, deps, async (session) => {
    const deployed = await requireStack(session, options, deps.env);
    if (deps.json) {
      const byKey = Object.fromEntries(deployed.outputs.map((output) => [output.OutputKey, output.OutputValue]));
      reporter.result([JSON.stringify(byKey, null, 2)]);
    } else {
      reporter.result(outputsTable(options.stackName, deployed.outputs, reporter.width, reporter.outPaint));
    }
    return 0;
  });
}

// `outputs`: the stack's outputs (QueueUrl, QueueArn, FunctionName, LogGroupName), for the CLI to show as a table or
// as JSON.
import type { Output } from '@aws-sdk/client-cloudformation';
import type { Finished } from './outcome.js';
import { requireStack, withSession, type CommandDeps, type CommandOptions } from './session.js';

/** The deployed stack's outputs, in its order. */
export interface OutputsResult extends Finished {
  stackName: string;
  outputs: Output[];
}

export async function outputs(options: CommandOptions, deps: CommandDeps): Promise<OutputsResult> {
  const { value: deployed, notes } = await withSession(options, deps, (session) => requireStack(session, options, deps.env));
  return { outcome: 'ok', stackName: options.stackName, outputs: deployed.outputs, notes };
}

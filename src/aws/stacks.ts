// Looking a stack up, where "not there" is an answer and not a failure.
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { CloudFormationApi } from './clients.js';

/** docs/aws-semantics.md §6.2: a missing stack is ValidationError "Stack with id <name> does not exist". */
export function isMissingStack(error: unknown): boolean {
  return (error as { name?: string }).name === 'ValidationError' && /does not exist/.test((error as Error).message);
}

/** The stack as DescribeStacks reports it (a deleted one too, when asked by its id), or undefined when there is none. */
export async function describeStack(cfn: CloudFormationApi, stackNameOrId: string): Promise<Stack | undefined> {
  try {
    const { Stacks = [] } = await cfn.describeStacks({ StackName: stackNameOrId });
    return Stacks[0];
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

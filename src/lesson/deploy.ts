// The setup step: validate the template, then create or update the stack through a change set and read its outputs.
import type { Parameter, Stack } from '@aws-sdk/client-cloudformation';
import type { CloudFormationApi } from '../aws/clients.js';
import { waitForChangeSet, waitForStackToSettle, type PollPlan } from '../aws/wait.js';
import { environmentError } from '../cli/errors.js';
import { outputsByKey } from './names.js';

export interface DeployRequest {
  stackName: string;
  templateBody: string;
  parameters: Record<string, string>;
  /** Pause between status polls: short locally, a few seconds on AWS. */
  pollIntervalMs: number;
  /** Longest wait for the change set and for the stack, each. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Hears each stack status as it changes, e.g. CREATE_IN_PROGRESS. */
  onStatus?: (status: string) => void;
}

export interface DeployResult {
  action: 'created' | 'updated' | 'unchanged';
  stackStatus: string;
  outputs: Record<string, string>;
}

const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);
/** States from which CloudFormation accepts no update (aws-semantics.md §6.4): only a delete helps. */
const DELETE_ONLY = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED', 'DELETE_FAILED', 'UPDATE_ROLLBACK_FAILED']);

export async function validateTemplate(cfn: CloudFormationApi, templateBody: string): Promise<void> {
  try {
    await cfn.validateTemplate({ TemplateBody: templateBody });
  } catch (error) {
    if ((error as { name?: string }).name !== 'ValidationError') throw error;
    throw environmentError(
      `CloudFormation rejected the template: ${(error as Error).message}`,
      'The template ships with the tool; if you edited templates/LambdaAsync.yaml, check it with cfn-lint.',
      error,
    );
  }
}

async function findStack(cfn: CloudFormationApi, stackName: string): Promise<Stack | undefined> {
  try {
    const { Stacks = [] } = await cfn.describeStacks({ StackName: stackName });
    return Stacks[0];
  } catch (error) {
    // reference/aws-semantics.md §6.2: a missing stack is ValidationError "Stack with id <name> does not exist".
    if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      return undefined;
    }
    throw error;
  }
}

/** The first failure CloudFormation recorded for this stack operation, for a one-sentence explanation. */
async function failureReason(cfn: CloudFormationApi, stackName: string): Promise<string | undefined> {
  try {
    const { StackEvents = [] } = await cfn.describeStackEvents({ StackName: stackName });
    const failures = StackEvents.filter(
      (event) => event.ResourceStatus?.endsWith('_FAILED') && event.ResourceStatusReason && event.LogicalResourceId !== stackName,
    );
    const first = failures[failures.length - 1]; // events are newest first
    return first ? `${first.LogicalResourceId}: ${first.ResourceStatusReason}` : undefined;
  } catch {
    return undefined;
  }
}

export async function deployStack(cfn: CloudFormationApi, request: DeployRequest): Promise<DeployResult> {
  const { stackName } = request;
  const plan = (): PollPlan => ({
    intervalMs: request.pollIntervalMs,
    deadline: Date.now() + request.timeoutMs,
    signal: request.signal,
  });
  const deleteHint = `Delete it first: aws cloudformation delete-stack --stack-name ${stackName}`;

  let existing = await findStack(cfn, stackName);
  if (existing?.StackStatus?.endsWith('_IN_PROGRESS') && existing.StackStatus !== 'REVIEW_IN_PROGRESS') {
    // Another deploy (or a delete) is still running: let it finish rather than fail on "is in ... state".
    existing = await waitForStackToSettle(cfn, stackName, plan(), request.onStatus);
    if (existing.StackStatus === 'DELETE_COMPLETE') existing = undefined;
  }
  if (existing?.StackStatus && DELETE_ONLY.has(existing.StackStatus)) {
    throw environmentError(`The stack ${stackName} is in ${existing.StackStatus} and cannot be updated.`, deleteHint);
  }
  // Like `aws cloudformation deploy`: a stack still in REVIEW_IN_PROGRESS never got created, so create it.
  const changeSetType = existing && existing.StackStatus !== 'REVIEW_IN_PROGRESS' ? 'UPDATE' : 'CREATE';

  const parameters: Parameter[] = Object.entries(request.parameters).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
  const { Id: changeSetId } = await cfn.createChangeSet({
    StackName: stackName,
    ChangeSetName: `lambda-async-demo-${Date.now()}`,
    ChangeSetType: changeSetType,
    TemplateBody: request.templateBody,
    Parameters: parameters,
    Capabilities: ['CAPABILITY_IAM'],
    Description: 'Created by lambda-async-demo',
  });
  if (!changeSetId) throw environmentError(`CloudFormation created no change set for ${stackName}.`, 'Run again with --verbose.');

  const state = await waitForChangeSet(cfn, { stackName, changeSetId }, plan());
  if (state === 'no-changes') {
    // Nothing to do counts as success; the empty change set would only clutter the console, so it goes.
    await cfn.deleteChangeSet({ StackName: stackName, ChangeSetName: changeSetId }).catch(() => undefined);
    const stack = await findStack(cfn, stackName);
    return { action: 'unchanged', stackStatus: stack?.StackStatus ?? 'UNKNOWN', outputs: outputsByKey(stack?.Outputs) };
  }

  await cfn.executeChangeSet({ StackName: stackName, ChangeSetName: changeSetId });
  const stack = await waitForStackToSettle(cfn, stackName, plan(), request.onStatus);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!SUCCESS.has(status)) {
    const reason = await failureReason(cfn, stackName);
    throw environmentError(
      `The stack ${stackName} failed to deploy (${status})${reason ? `: ${reason}` : '.'}`,
      `See every event with: aws cloudformation describe-stack-events --stack-name ${stackName}`,
    );
  }
  return { action: changeSetType === 'CREATE' ? 'created' : 'updated', stackStatus: status, outputs: outputsByKey(stack.Outputs) };
}

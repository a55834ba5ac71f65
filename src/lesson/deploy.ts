// The setup step: validate the template, then create or update the stack through a change set and read its outputs.
import { randomUUID } from 'node:crypto';
import type { Parameter, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import type { CloudFormationApi, Target } from '../aws/clients.js';
import { deniedAction } from '../aws/errors.js';
import { StackEventFeed } from '../aws/stack-events.js';
import { describeStack } from '../aws/stacks.js';
import { waitForChangeSet, waitForStackToSettle, type PollPlan } from '../aws/wait.js';
import { environmentError } from '../errors.js';
import { DeployBoard, type ResourceRow } from './deploy-progress.js';
import { outputsByKey } from './names.js';
import { BIN } from '../product.js';

export interface DeployRequest {
  stackName: string;
  templateBody: string;
  parameters: Record<string, string>;
  /** Pause between status and event polls: ~100 ms locally, 1-2 s on AWS. */
  pollIntervalMs: number;
  /** Longest wait for the change set and for the stack, each. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Hears each stack status as it changes, e.g. CREATE_IN_PROGRESS. */
  onStatus?: (status: string) => void;
  /** Hears this deploy's stack events as CloudFormation records them: oldest first, each once. */
  onEvents?: (events: StackEvent[]) => void;
  /**
   * How the user deletes the stack (the hint for a stack that can only be deleted); default: the AWS CLI command;
   * null: nothing to delete (the in-process emulator vanishes with the run).
   */
  cleanupCommand?: string | null;
}

export interface DeployResult {
  action: 'created' | 'updated' | 'unchanged';
  stackStatus: string;
  outputs: Record<string, string>;
}

const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);
/** States from which CloudFormation accepts no update (docs/aws-semantics.md §6.4): only a delete helps. */
const DELETE_ONLY = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED', 'DELETE_FAILED', 'UPDATE_ROLLBACK_FAILED']);


/** Where a stack lives, as the commands that delete it need to be told. */
export interface StackLocation {
  target: Target;
  stackName: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** The local server (`local start`) holds the stack: teardown finds it by itself, the AWS CLI needs its URL. */
  localServerUrl?: string;
}

/** The two ways to delete the stack: this tool's teardown (which also checks nothing is left) and the AWS CLI's. */
export function teardownCommands(where: StackLocation): { teardown: string; deleteStack: string } {
  const region = where.region ? [`--region ${where.region}`] : [];
  const profile = where.profile ? [`--profile ${where.profile}`] : [];
  const endpoint = where.endpointUrl ? [`--endpoint-url ${where.endpointUrl}`] : [];
  const rawEndpoint = where.localServerUrl ? [`--endpoint-url ${where.localServerUrl}`] : endpoint;
  return {
    teardown: [
      `${BIN} teardown`,
      ...(where.target === 'aws' ? ['--target aws'] : []),
      ...endpoint,
      ...region,
      ...profile,
      `--stack-name ${where.stackName}`,
    ].join(' '),
    deleteStack: ['aws cloudformation delete-stack', `--stack-name ${where.stackName}`, ...region, ...profile, ...rawEndpoint].join(' '),
  };
}

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


/** The failure CloudFormation recorded last time (events are newest first), for a stack this deploy did not touch. */
async function earlierFailure(cfn: CloudFormationApi, stackName: string, statusPattern: RegExp): Promise<ResourceRow | undefined> {
  try {
    const { StackEvents = [] } = await cfn.describeStackEvents({ StackName: stackName });
    const board = new DeployBoard(stackName);
    board.apply(StackEvents.filter((event) => statusPattern.test(event.ResourceStatus ?? '')).reverse());
    return board.rootFailure();
  } catch {
    return undefined;
  }
}

/** The resources a failed delete left behind, with CloudFormation's reason for each. */
async function stuckResources(cfn: CloudFormationApi, stackName: string): Promise<ResourceRow[]> {
  try {
    const { StackResources = [] } = await cfn.describeStackResources({ StackName: stackName });
    const stuck = StackResources.filter((resource) => resource.ResourceStatus === 'DELETE_FAILED').map((resource) => ({
      logicalId: resource.LogicalResourceId ?? '?',
      type: resource.ResourceType ?? '',
      status: 'DELETE_FAILED',
      ...(resource.ResourceStatusReason ? { reason: resource.ResourceStatusReason } : {}),
      isStack: false,
    }));
    if (stuck.length > 0) return stuck;
  } catch {
    // fall back to the events
  }
  const fromEvents = await earlierFailure(cfn, stackName, /^DELETE_FAILED$/);
  return fromEvents ? [fromEvents] : [];
}

function describeRow(row: ResourceRow): string {
  return `${row.logicalId}${row.type ? ` (${row.type})` : ''}${row.reason ? `: ${row.reason}` : ''}`;
}

/** "Your identity lacks iam:CreateRole ..." when CloudFormation failed a resource for want of a permission. */
function permissionHint(row: ResourceRow | undefined): string {
  const denied = row?.reason ? deniedAction(row.reason) : undefined;
  return denied
    ? `Your identity lacks ${denied.action}: add it to your IAM policy (the README section "Running against your AWS account" lists every permission). `
    : '';
}

/** Explains a stack that no update can touch, before a change set is even tried. */
async function refuseDeleteOnly(cfn: CloudFormationApi, stack: Stack, stackName: string, cleanup: string): Promise<never> {
  const status = stack.StackStatus!;
  if (status === 'DELETE_FAILED') {
    const stuck = await stuckResources(cfn, stackName);
    const names = stuck.map((row) => row.logicalId);
    throw environmentError(
      stuck.length > 0
        ? `The stack ${stackName} is in DELETE_FAILED: CloudFormation could not delete ${stuck.map(describeRow).join('; ')}`
        : `The stack ${stackName} is in DELETE_FAILED: an earlier delete left resources behind.`,
      `${permissionHint(stuck[0])}Remove ${names.length > 0 ? names.join(', ') : 'the stuck resources'} by hand (or keep ${names.length === 1 ? 'it' : 'them'}: ` +
        `aws cloudformation delete-stack --stack-name ${stackName} --retain-resources ${names.join(' ') || '<LogicalId>'}), then delete the stack again: ${cleanup}`,
    );
  }
  if (status === 'UPDATE_ROLLBACK_FAILED') {
    throw environmentError(
      `The stack ${stackName} is in UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback.`,
      `Finish the rollback with: aws cloudformation continue-update-rollback --stack-name ${stackName}; or delete the stack: ${cleanup}`,
    );
  }
  const failure = await earlierFailure(cfn, stackName, /_FAILED$/);
  const why = status === 'ROLLBACK_COMPLETE' ? 'its first deploy failed and was rolled back, so CloudFormation can only delete it' : 'CloudFormation can only delete it';
  throw environmentError(
    `The stack ${stackName} is in ${status}: ${why}${failure ? ` (it failed on ${describeRow(failure)})` : ''}.`,
    `${permissionHint(failure)}Delete it, then run again: ${cleanup}`,
  );
}

export async function deployStack(cfn: CloudFormationApi, request: DeployRequest): Promise<DeployResult> {
  const { stackName } = request;
  const startedAt = Date.now();
  const plan = (): PollPlan => ({
    intervalMs: request.pollIntervalMs,
    deadline: Date.now() + request.timeoutMs,
    signal: request.signal,
  });
  const cleanup =
    request.cleanupCommand === null ? undefined : (request.cleanupCommand ?? `aws cloudformation delete-stack --stack-name ${stackName}`);

  let existing = await describeStack(cfn, stackName);
  if (existing?.StackStatus?.endsWith('_IN_PROGRESS') && existing.StackStatus !== 'REVIEW_IN_PROGRESS') {
    // Another deploy (or a delete) is still running: let it finish rather than fail on "is in ... state".
    existing = await waitForStackToSettle(cfn, stackName, plan(), request.onStatus);
    if (existing.StackStatus === 'DELETE_COMPLETE') existing = undefined;
  }
  if (existing?.StackStatus && DELETE_ONLY.has(existing.StackStatus)) {
    await refuseDeleteOnly(cfn, existing, stackName, cleanup ?? `aws cloudformation delete-stack --stack-name ${stackName}`);
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
    const stack = await describeStack(cfn, stackName);
    return { action: 'unchanged', stackStatus: stack?.StackStatus ?? 'UNKNOWN', outputs: outputsByKey(stack?.Outputs) };
  }

  // Every event of this execution carries the token: the feed shows them and nothing older.
  const clientRequestToken = `lambda-async-demo-${randomUUID()}`;
  await cfn.executeChangeSet({ StackName: stackName, ChangeSetName: changeSetId, ClientRequestToken: clientRequestToken });
  const feed = new StackEventFeed(cfn, { stackName, clientRequestToken, since: startedAt });
  const board = new DeployBoard(stackName);
  const readEvents = async () => {
    const events = await feed.next();
    if (events.length === 0) return;
    board.apply(events);
    request.onEvents?.(events);
  };
  const stack = await waitForStackToSettle(cfn, stackName, plan(), request.onStatus, readEvents);
  await readEvents(); // the events written between the last read and the final status

  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!SUCCESS.has(status)) {
    const failure = board.rootFailure() ?? (await earlierFailure(cfn, stackName, /_FAILED$/));
    const events = `Every event: aws cloudformation describe-stack-events --stack-name ${stackName}`;
    const next =
      status === 'UPDATE_ROLLBACK_COMPLETE'
        ? 'The stack is back as it was and still usable: fix the cause and run again.'
        : DELETE_ONLY.has(status) && cleanup
          ? `A stack in ${status} can only be deleted: ${cleanup}, then run again.`
          : '';
    throw environmentError(
      `The stack ${stackName} failed to deploy (${status})${failure ? `: ${failure.logicalId}: ${failure.reason ?? failure.status}` : '.'}`,
      `${permissionHint(failure)}${next ? `${next} ` : ''}${events}`,
    );
  }
  return { action: changeSetType === 'CREATE' ? 'created' : 'updated', stackStatus: status, outputs: outputsByKey(stack.Outputs) };
}

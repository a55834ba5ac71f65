// Polling with a deadline and Ctrl-C, and the two CloudFormation waits a deploy needs: change set ready, stack settled.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { environmentError, InterruptedError } from '../cli/errors.js';
import type { CloudFormationApi } from './clients.js';

/** Resolves after `ms`, or rejects with InterruptedError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new InterruptedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface PollPlan {
  intervalMs: number;
  /** Epoch ms after which polling gives up. */
  deadline: number;
  signal?: AbortSignal;
}

/**
 * Calls `probe` at once and then every `intervalMs` until it returns a value; undefined when the deadline passes.
 * The last probe runs at the deadline, so a result that arrives just in time still counts.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, plan: PollPlan): Promise<T | undefined> {
  for (;;) {
    if (plan.signal?.aborted) throw new InterruptedError();
    const value = await probe();
    if (value !== undefined) return value;
    const remaining = plan.deadline - Date.now();
    if (remaining <= 0) return undefined;
    await sleep(Math.min(plan.intervalMs, remaining), plan.signal);
  }
}

// reference/aws-semantics.md §6.2: an empty change set FAILS with one of these reasons; deploy tools treat it as success.
const NO_CHANGES = [/didn't contain changes/, /No updates are to be performed/];

export type ChangeSetState = 'ready' | 'no-changes';

/** Waits until CloudFormation has computed the change set (CREATE_COMPLETE), or says it holds no changes. */
export async function waitForChangeSet(
  cfn: CloudFormationApi,
  target: { stackName: string; changeSetId: string },
  plan: PollPlan,
): Promise<ChangeSetState> {
  const state = await pollUntil(async () => {
    const changeSet = await cfn.describeChangeSet({ StackName: target.stackName, ChangeSetName: target.changeSetId });
    if (changeSet.Status === 'CREATE_COMPLETE') return 'ready' as const;
    if (changeSet.Status === 'FAILED') {
      const reason = changeSet.StatusReason ?? 'no reason given';
      if (NO_CHANGES.some((pattern) => pattern.test(reason))) return 'no-changes' as const;
      throw environmentError(
        `CloudFormation could not create the change set for ${target.stackName}: ${reason}`,
        `See it with: aws cloudformation describe-change-set --stack-name ${target.stackName} --change-set-name ${target.changeSetId}`,
      );
    }
    return undefined;
  }, plan);
  if (!state) {
    throw environmentError(
      `The change set for ${target.stackName} was still not ready when the wait timed out.`,
      'CloudFormation may be slow right now: run again, or raise --timeout.',
    );
  }
  return state;
}

/** Waits until the stack leaves every *_IN_PROGRESS status and returns it; `onStatus` hears each new status. */
export async function waitForStackToSettle(
  cfn: CloudFormationApi,
  stackName: string,
  plan: PollPlan,
  onStatus: (status: string) => void = () => {},
): Promise<Stack> {
  let lastStatus: string | undefined;
  const stack = await pollUntil(async () => {
    const { Stacks = [] } = await cfn.describeStacks({ StackName: stackName });
    const current = Stacks[0];
    const status = current?.StackStatus ?? 'UNKNOWN';
    if (status !== lastStatus) onStatus(status);
    lastStatus = status;
    return current && !status.endsWith('_IN_PROGRESS') ? current : undefined;
  }, plan);
  if (!stack) {
    throw environmentError(
      `The stack ${stackName} was still ${lastStatus ?? 'unknown'} when the wait timed out.`,
      `Watch it with: aws cloudformation describe-stack-events --stack-name ${stackName}`,
    );
  }
  return stack;
}

// Polling with a deadline and Ctrl-C, backing off when AWS throttles, and the two CloudFormation waits of a deploy.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { environmentError, InterruptedError } from '../errors.js';
import type { CloudFormationApi } from './clients.js';
import { isThrottling } from './errors.js';

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

export interface BackoffPlan {
  /** The first wait after a throttled call; each further one doubles it. */
  baseMs: number;
  /** The longest single wait. */
  capMs: number;
  /** Epoch ms: past it a throttled call is not tried again and its error goes to the caller. */
  deadline?: number;
  signal?: AbortSignal;
  /** Hears each wait before it starts (for a progress line). */
  onThrottled?: (delayMs: number, attempt: number) => void;
}

/**
 * Calls `call`, and when AWS answers with a throttling error (after the SDK's own retries) waits base·2^n, capped,
 * with jitter so that several pollers do not hit the quota in step, and calls again, until the deadline.
 */
export async function retryWhenThrottled<T>(call: () => Promise<T>, plan: BackoffPlan): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error)) throw error;
      const ceiling = Math.min(plan.capMs, plan.baseMs * 2 ** attempt);
      const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      if (plan.deadline !== undefined && Date.now() + delayMs > plan.deadline) throw error;
      plan.onThrottled?.(delayMs, attempt + 1);
      await sleep(delayMs, plan.signal);
    }
  }
}

/** Spaces calls at least `minSpacingMs` apart, to stay inside a per-second quota (FilterLogEvents: 5 per second). */
export class CallPacer {
  private lastCallAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly minSpacingMs: number) {}

  async next(signal?: AbortSignal): Promise<void> {
    const wait = this.lastCallAt + this.minSpacingMs - Date.now();
    if (wait > 0) await sleep(wait, signal);
    this.lastCallAt = Date.now();
  }
}

// docs/aws-semantics.md §6.2: an empty change set FAILS with one of these reasons; deploy tools treat it as success.
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

/**
 * Waits until the stack leaves every *_IN_PROGRESS status and returns it; `onStatus` hears each new status, and
 * `eachPoll` runs before every status poll (the deploy reads the stack's new events there).
 */
export async function waitForStackToSettle(
  cfn: CloudFormationApi,
  stackName: string,
  plan: PollPlan,
  onStatus: (status: string) => void = () => {},
  eachPoll: () => Promise<void> = async () => {},
): Promise<Stack> {
  let lastStatus: string | undefined;
  const stack = await pollUntil(async () => {
    await eachPoll();
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

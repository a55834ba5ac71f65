// `teardown [--yes]`: delete the stack, wait for DELETE_COMPLETE, check nothing is left, stop a server the tool started.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { isMissingStack } from '../aws/stacks.js';
import { pollUntil } from '../aws/wait.js';
import { environmentError, usageError } from '../errors.js';
import { outputsByKey } from '../lesson/names.js';
import { LessonState } from '../local/lesson-state.js';
import { removeServerRecord } from '../local/pid-file.js';
import { findServer, hasSavedState, stopServer } from '../local/server.js';
import { tracked } from './activity.js';
import { commandLine } from './command-line.js';
import type { Finished } from './outcome.js';
import { findStack, withSession, type CommandDeps, type CommandOptions, type Session } from './session.js';
import { stackWait } from '../lesson/timing.js';
import { stackHostOf } from './connection.js';

export interface TeardownOptions extends CommandOptions {
  /** Delete on AWS without asking. */
  yes: boolean;
}

/** Something the stack should have taken with it, and how to remove it by hand. */
export interface Leftover {
  what: string;
  removeWith: string;
  /** Removes it, when this tool may offer to (asked on a terminal, done with --yes). */
  remove?: () => Promise<void>;
}

/** The resources teardown checks for after the stack is gone: the function's log group and the DLQ. */
export interface TeardownTargets {
  logGroupName: string;
  queueUrl?: string;
}

/**
 * A check run after DELETE_COMPLETE; each returns what it found left behind. This is the seam for more: on AWS,
 * Lambda writes a late retry's logs into a new log group after the stack deleted its own, so a check may also
 * offer to delete that group (the AWS target's helper adds it here).
 */
export type LeftoverCheck = (session: Session, targets: TeardownTargets) => Promise<Leftover[]>;

/** `--region R --endpoint-url U --profile P` for an AWS CLI command aimed where this session works. */
function awsCliFlags(session: Session): string {
  const { region, endpoint, profile } = session.clients;
  return [`--region ${region}`, ...(endpoint ? [`--endpoint-url ${endpoint}`] : []), ...(profile ? [`--profile ${profile}`] : [])].join(' ');
}

/**
 * The function's log group outliving the stack: a deploy from before the template owned the group, or Lambda writing
 * a late retry's logs after the stack deleted it, recreates it on its own (docs/aws-semantics.md §4).
 */
const logGroupLeftover: LeftoverCheck = async (session, { logGroupName }) => {
  const { logGroups = [] } = await session.clients.logs.describeLogGroups({ logGroupNamePrefix: logGroupName });
  if (!logGroups.some((group) => group.logGroupName === logGroupName)) return [];
  return [
    {
      what: `the log group ${logGroupName}`,
      removeWith: `aws logs delete-log-group --log-group-name ${logGroupName} ${awsCliFlags(session)}`,
      remove: async () => {
        try {
          await session.clients.logs.deleteLogGroup({ logGroupName });
        } catch (error) {
          // Gone in the meantime: what was wanted.
          if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
        }
      },
    },
  ];
};

const queueLeftover: LeftoverCheck = async (session, { queueUrl }) => {
  if (!queueUrl) return [];
  try {
    await session.clients.sqs.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] });
  } catch (error) {
    const name = (error as { name?: string; Code?: string }).name ?? '';
    // JSON protocol: QueueDoesNotExist; query protocol: AWS.SimpleQueueService.NonExistentQueue.
    if (/QueueDoesNotExist|NonExistentQueue/.test(name)) return [];
    throw error;
  }
  return [{ what: `the queue ${queueUrl}`, removeWith: `aws sqs delete-queue --queue-url ${queueUrl} ${awsCliFlags(session)}` }];
};

export const leftoverChecks: LeftoverCheck[] = [logGroupLeftover, queueLeftover];

async function confirmOnAws(options: TeardownOptions, deps: CommandDeps, session: Session): Promise<boolean> {
  const question = `Delete the stack ${options.stackName} and everything in it from ${session.where}? [y/N] `;
  if (!deps.confirm) {
    throw usageError(
      `Refusing to delete the stack ${options.stackName} from ${session.where} without confirmation: there is no terminal to ask on.`,
      `Add --yes to delete it without asking: ${commandLine('teardown', options, deps.env)} --yes`,
    );
  }
  return deps.confirm(question);
}

/**
 * Whether to remove a leftover: yes with --yes; asked on a terminal; never without one (the caller then prints the
 * command that removes it, and teardown ends `left-behind`).
 */
async function mayRemove(leftover: Leftover, options: TeardownOptions, deps: CommandDeps): Promise<boolean> {
  if (options.yes) return true;
  if (!deps.confirm) return false;
  return deps.confirm(`The stack is gone but ${leftover.what} is left behind. Delete it? [y/N] `);
}

/** DeleteStack, then DescribeStacks by the stack's ARN (a deleted stack stays findable by it) until DELETE_COMPLETE. */
async function deleteAndWait(session: Session, stack: Stack, options: TeardownOptions, deps: CommandDeps, onStatus: (status: string) => void): Promise<void> {
  const cfn = session.clients.cloudFormation;
  const stackId = stack.StackId ?? options.stackName;
  await cfn.deleteStack({ StackName: stackId });
  const wait = stackWait(stackHostOf(session.kind), 'delete', options.timeoutMs);
  let lastStatus: string | undefined = stack.StackStatus;
  const finished = await pollUntil(
    async () => {
      let status: string | undefined;
      try {
        const { Stacks = [] } = await cfn.describeStacks({ StackName: stackId });
        status = Stacks[0]?.StackStatus;
      } catch (error) {
        // By name, a deleted stack "does not exist": that is done too (docs/aws-semantics.md §6.2).
        if (isMissingStack(error)) return 'DELETE_COMPLETE';
        throw error;
      }
      if (status && status !== lastStatus) onStatus(status);
      lastStatus = status;
      if (!status || status === 'DELETE_COMPLETE') return 'DELETE_COMPLETE';
      if (status === 'DELETE_FAILED') return status;
      return undefined;
    },
    { intervalMs: wait.pollMs, deadline: Date.now() + wait.timeoutMs, signal: deps.signal },
  );
  if (!finished) {
    throw environmentError(
      `The stack ${options.stackName} was still ${lastStatus ?? 'being deleted'} when the wait timed out.`,
      `Watch it with: aws cloudformation describe-stack-events --stack-name ${stackId}`,
    );
  }
  if (finished === 'DELETE_FAILED') {
    const { StackEvents = [] } = await cfn.describeStackEvents({ StackName: stackId }).catch(() => ({ StackEvents: [] }));
    const failure = StackEvents.find((event) => event.ResourceStatus === 'DELETE_FAILED' && event.LogicalResourceId !== options.stackName);
    throw environmentError(
      `The stack ${options.stackName} failed to delete${failure ? `: ${failure.LogicalResourceId}: ${failure.ResourceStatusReason}` : '.'}`,
      `Fix what blocks it, then run ${commandLine('teardown', options, deps.env)} again.`,
    );
  }
}

export async function teardown(options: TeardownOptions, deps: CommandDeps): Promise<Finished> {
  const { reporter } = deps;
  const local = options.target === 'local' && !options.endpointUrl;
  if (local) {
    // No server and nothing saved: no stack can exist, so there is no point starting a server to look.
    const status = await findServer(options.local.stateDir);
    if (status.state !== 'running' && status.state !== 'unresponsive' && !hasSavedState(options.local.stateDir)) {
      if (status.state === 'stale') removeServerRecord(options.local.stateDir, status.record.pid);
      reporter.result([`Stack ${options.stackName}: nothing to delete (the local emulator holds no state).`]);
      return { outcome: 'ok', notes: [] };
    }
  }

  const leftovers: Leftover[] = [];
  let declined = false;
  const { value: session, notes } = await withSession(options, deps, async (session) => {
    const stack = await findStack(session, options.stackName);
    const outputs = outputsByKey(stack?.Outputs);
    const targets: TeardownTargets = {
      logGroupName: outputs.LogGroupName ?? `/aws/lambda/${options.functionName}`,
      queueUrl: outputs.QueueUrl,
    };
    if (!stack) {
      reporter.result([`Stack ${options.stackName}: nothing to delete on ${session.where}.`]);
    } else {
      if (options.target === 'aws' && !options.yes && !(await confirmOnAws(options, deps, session))) {
        declined = true;
        return session;
      }
      await tracked(
        reporter,
        `Delete stack ${options.stackName}`,
        (activity) => deleteAndWait(session, stack, options, deps, (status) => activity.update(status)),
        () => 'DELETE_COMPLETE',
      );
    }
    for (const check of leftoverChecks) {
      for (const leftover of await check(session, targets)) {
        if (leftover.remove && (await mayRemove(leftover, options, deps))) {
          await tracked(reporter, `Delete ${leftover.what}, left behind`, () => leftover.remove!(), () => 'deleted');
        } else leftovers.push(leftover);
      }
    }
    // Its RequestIds name a function that no longer exists.
    new LessonState(options.local.stateDir).forget(session.lessonPlace);
    if (stack && leftovers.length === 0) {
      reporter.result([`Deleted the stack ${options.stackName}: its function, queue, role and log group ${targets.logGroupName} are gone.`]);
    }
    return session;
  }, { temporaryServer: true });

  if (declined) {
    reporter.result(['Nothing deleted.']);
    return { outcome: 'ok', notes };
  }
  for (const leftover of leftovers) {
    const again = leftover.remove ? ` (or: ${commandLine('teardown', options, deps.env)} --yes)` : '';
    reporter.failure({ message: `Left behind: ${leftover.what}.`, hint: `Remove it with: ${leftover.removeWith}${again}` });
  }

  // The server goes only if this tool started it; one the user started is theirs to stop.
  const server = session.server;
  if (server?.startedBy === 'auto') {
    const outcome = await stopServer(options.local.stateDir);
    if (outcome.state === 'stopped') reporter.info(`Stopped the local emulator this tool had started (pid ${server.pid}).`);
  } else if (server) {
    reporter.info(`The local emulator at ${server.url} keeps running, since you started it: "${commandLine('local stop', options, deps.env)}" stops it.`);
  }
  return { outcome: leftovers.length > 0 ? 'left-behind' : 'ok', notes };
}

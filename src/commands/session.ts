// What every per-step command shares: its options, the clients for the target (starting the local server when none
// runs), the stack it works on.
import type { Output, Stack } from '@aws-sdk/client-cloudformation';
import type { CommandOutput } from './activity.js';
import { configuredRegion, LOCAL_REGION, type Target } from '../aws/clients.js';
import { explainAwsFailure, isAbort } from '../aws/errors.js';
import { callerIdentity, identityLine } from '../aws/identity.js';
import { describeStack } from '../aws/stacks.js';
import { DemoError, environmentError } from '../errors.js';
import { BIN } from '../product.js';
import { namesFromOutputs, outputsByKey, type LessonNames } from '../lesson/names.js';
import { familyOf, type RuntimeFamily } from '../lesson/runtime-family.js';
import { formatSeconds } from '../lesson/timeline.js';
import type { LessonPlace } from '../local/lesson-state.js';
import { removeServerRecord, type ServerRecord } from '../local/pid-file.js';
import { findServer, startDetached, stopServer } from '../local/server.js';
import { tracked } from './activity.js';
import { connect, type Connection } from './connection.js';
import { commandLine } from './command-line.js';
import type { LocalSettings } from '../local/settings.js';

/** The options every per-step command takes (the common options that apply to them). */
export interface CommandOptions {
  target: Target;
  endpointUrl?: string;
  region?: string;
  profile?: string;
  stackName: string;
  functionName: string;
  /** The command's own wait (the stack for deploy and teardown, the retries for steps 5 and 6); undefined: its default. */
  timeoutMs?: number;
  /** Where the local server is found, or started. */
  local: LocalSettings;
}


export interface CommandDeps {
  reporter: CommandOutput;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** --json: one JSON document on stdout, nothing else. */
  json: boolean;
  /**
   * Asks a yes/no question on the terminal (teardown on AWS); absent without one (pipes, CI, tests), where a command
   * that needs an answer refuses instead.
   */
  confirm?: (question: string) => Promise<boolean>;
}

/** A per-step command's session: its connection, and what the command needs to know about where it works. */
export interface Session extends Connection {
  /** Where the command works, in a sentence: "the local emulator at http://127.0.0.1:4577", "AWS (eu-west-1)". */
  where: string;
  /** Key of the recorded lesson state. */
  lessonPlace: LessonPlace;
  /** Set on the local target (no --endpoint-url): the server used, and whether this command started it. */
  server?: ServerRecord;
  serverStartedNow: boolean;
}

function usesLocalServer(options: CommandOptions): boolean {
  return options.target === 'local' && !options.endpointUrl;
}


/**
 * The local server for the per-step commands: the one running, else one started now, detached (startedBy "auto"),
 * and said so, with how to stop it.
 */
async function ensureLocalServer(
  options: CommandOptions,
  deps: CommandDeps,
): Promise<{ record: ServerRecord; startedNow: boolean }> {
  const { local } = options;
  const { reporter } = deps;
  const status = await findServer(local.stateDir);
  if (status.state === 'running') {
    const [first, second] = status.record.retryDelaysMs;
    if (local.retryDelaysExplicit && (first !== local.retryDelaysMs[0] || second !== local.retryDelaysMs[1])) {
      reporter.info(
        `The running local emulator keeps its retry delays (${formatSeconds(first)} and ${formatSeconds(second)}); ` +
          `--retry-delays applies when a server starts ("${BIN} local stop" first to change them).`,
      );
    }
    return { record: status.record, startedNow: false };
  }
  if (status.state === 'unresponsive') {
    throw environmentError(
      `The local emulator (pid ${status.record.pid}) does not answer at ${status.record.url}.`,
      `Stop it with "${commandLine('local stop', options, deps.env)}" and try again; its log: ${status.record.logPath}`,
    );
  }
  if (status.state === 'stale') removeServerRecord(local.stateDir, status.record.pid);

  const region = configuredRegion(options.region, deps.env) ?? LOCAL_REGION;
  const start = async (): Promise<ServerRecord> => {
    try {
      return await startDetached(
        { stateDir: local.stateDir, host: local.host, port: local.port, region, retryDelaysMs: local.retryDelaysMs, startedBy: 'auto' },
        deps.signal,
      );
    } catch (error) {
      // Two commands starting it at once: the one that lost the port race uses the winner's server.
      const again = await findServer(local.stateDir);
      if (again.state === 'running') return again.record;
      throw error;
    }
  };
  const record = await tracked(
    reporter,
    'Start the local emulator',
    start,
    (started) => `${started.url}, pid ${started.pid}, retry delays ${started.retryDelaysMs.map(formatSeconds).join(' and ')}`,
  );
  for (const notice of record.notices) reporter.info(notice);
  return { record, startedNow: true };
}

export interface SessionSettings {
  /** The command stops a server it had to start before it ends (teardown): no "it keeps running" note. */
  temporaryServer?: boolean;
}

async function openSession(options: CommandOptions, deps: CommandDeps): Promise<Session> {
  const { env } = deps;
  let server: { record: ServerRecord; startedNow: boolean } | undefined;
  if (usesLocalServer(options)) server = await ensureLocalServer(options, deps);
  const { kind, clients, place } = await connect(server ? 'local-server' : options.endpointUrl ? 'endpoint' : 'aws', {
    target: options.target,
    endpoint: server?.record.url ?? options.endpointUrl,
    // The local server was started in a region and names its ARNs after it: talk to it in that one.
    region: server?.record.region ?? options.region,
    profile: options.profile,
    signal: deps.signal,
    env,
  });
  const where = server
    ? `the local emulator at ${server.record.url}`
    : clients.endpoint
      ? `${clients.endpoint} (${clients.region})`
      : `AWS (${clients.region})`;
  return {
    kind,
    clients,
    place: { ...place, profile: options.profile },
    where,
    lessonPlace: { target: options.target, endpoint: clients.endpoint, region: clients.region, stackName: options.stackName },
    server: server?.record,
    serverStartedNow: server?.startedNow ?? false,
  };
}

/** What `work` returned, and the notes for after the command's result (said by the CLI once it printed it). */
export interface SessionEnd<T> {
  value: T;
  notes: string[];
}

/**
 * Opens a session, runs `work` with it, and turns an SDK or network failure into one sentence and a hint (an
 * `environment` failure).
 * Ctrl-C passes through untouched, for the CLI to report.
 */
export async function withSession<T>(
  options: CommandOptions,
  deps: CommandDeps,
  work: (session: Session) => Promise<T>,
  settings: SessionSettings = {},
): Promise<SessionEnd<T>> {
  const session = await openSession(options, deps);
  try {
    if (!session.server) {
      // Before anything changes: whose account, as whom, where (as `run` says it). An odd answer stops here.
      deps.reporter.info(identityLine(session.clients, await callerIdentity(session.clients.sts)));
    }
    const value = await work(session);
    const notes: string[] = [];
    if (session.serverStartedNow && !settings.temporaryServer) {
      notes.push(
        `The local emulator keeps running for the next commands: "${commandLine('teardown', options, deps.env)}" stops it ` +
          `with the stack, "${commandLine('local stop', options, deps.env)}" stops it now.`,
      );
    }
    return { value, notes };
  } catch (error) {
    // A command that found nothing to work on leaves nothing behind: not even the server it started to look.
    if (session.serverStartedNow && error instanceof NothingToDoError) {
      await stopServer(options.local.stateDir);
      deps.reporter.info('Stopped the local emulator this command had started: there was nothing for it to work on.');
    }
    if (isAbort(error) || deps.signal.aborted) throw error;
    throw explainAwsFailure(error, { ...session.place, profile: session.clients.profile }) ?? error;
  } finally {
    session.clients.destroy();
  }
}

/** The stack, or undefined when it does not exist (or only its DELETE_COMPLETE record is left). */
export async function findStack(session: Session, stackName: string): Promise<Stack | undefined> {
  const stack = await describeStack(session.clients.cloudFormation, stackName);
  return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
}

/** A command found nothing to work on (no stack): the server it may have started for it is stopped again. */
export class NothingToDoError extends DemoError {}

function missingStackError(session: Session, options: CommandOptions, env: NodeJS.ProcessEnv): DemoError {
  return new NothingToDoError(
    'environment',
    `There is no stack ${options.stackName} on ${session.where}.`,
    `Deploy it first: ${commandLine('deploy', options, env)}`,
  );
}

export interface DeployedLesson {
  stack: Stack;
  outputs: Output[];
  names: LessonNames;
  /** The MaximumRetryAttempts the stack was deployed with: steps 5 and 6 expect 1 + this many attempts. */
  maxRetries: number;
  /** The function's language the stack was deployed with. */
  runtime: RuntimeFamily;
}

/** The deployed stack and the names the steps address; a clear error suggesting `deploy` when there is none. */
export async function requireStack(session: Session, options: CommandOptions, env: NodeJS.ProcessEnv): Promise<DeployedLesson> {
  const stack = await findStack(session, options.stackName);
  if (!stack) throw missingStackError(session, options, env);
  if (!stack.StackStatus || !/_COMPLETE$/.test(stack.StackStatus) || /ROLLBACK|DELETE/.test(stack.StackStatus)) {
    throw environmentError(
      `The stack ${options.stackName} on ${session.where} is ${stack.StackStatus ?? 'in an unknown state'}, not deployed.`,
      `Deploy it again: ${commandLine('deploy', options, env)} (or remove it: ${commandLine('teardown', options, env)})`,
    );
  }
  const parameter = stack.Parameters?.find((candidate) => candidate.ParameterKey === 'MaximumRetryAttempts')?.ParameterValue;
  const maxRetries = parameter !== undefined && /^[0-2]$/.test(parameter) ? Number(parameter) : 2;
  const outputs = stack.Outputs ?? [];
  const runtime = familyOf(stack.Parameters?.find((candidate) => candidate.ParameterKey === 'Runtime')?.ParameterValue);
  return { stack, outputs, names: namesFromOutputs(options.stackName, outputsByKey(outputs)), maxRetries, runtime };
}

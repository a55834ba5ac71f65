// `run`: validate and deploy the stack, run the six steps, and return the report (the CLI prints it).
import { randomUUID } from 'node:crypto';
import { configuredRegion, LOCAL_REGION, type AwsClients, type Target } from '../aws/clients.js';
import { explainAwsFailure, isAbort, type Place } from '../aws/errors.js';
import { templateRuntime } from '../lesson/runtime.js';
import type { RuntimeFamily } from '../lesson/runtime-family.js';
import { callerIdentity, identityLine } from '../aws/identity.js';
import { DemoError, environmentError } from '../errors.js';
import type { LessonRecord, LessonTiming } from '../lesson/context.js';
import { deployStack, teardownCommands, validateTemplate, type DeployResult, type StackLocation } from '../lesson/deploy.js';
import { namesFromOutputs } from '../lesson/names.js';
import { buildReport, type RunReport } from '../lesson/report.js';
import { lessonSteps, runLesson, type StepHooks } from '../lesson/steps.js';
import { buildTimeline, formatSeconds } from '../lesson/timeline.js';
import { readTemplate, TEMPLATE_PATH } from '../lesson/template.js';
import { lessonTiming, stackWait } from '../lesson/timing.js';
import { tracked as trackedActivity, type Activity, type DeploymentView } from './activity.js';
import { BIN } from '../product.js';
import { connect, stackHostOf, type Connection, type SessionKind } from './connection.js';

/** The template ships inside the package: found next to the code, wherever the user runs the command from. */

export interface RunOptions {
  target: Target;
  endpointUrl?: string;
  region?: string;
  profile?: string;
  stackName: string;
  functionName: string;
  /** MaximumRetryAttempts, 0-2: a template parameter; steps 5 and 6 expect 1 + this many attempts. */
  maxRetries: number;
  /** The in-process emulator's waits before retry 1 and retry 2. */
  retryDelaysMs: [number, number];
  /** How long steps 5 and 6 wait, from step 4's invoke; undefined picks the target's default. */
  timeoutMs?: number;
  /** The in-process emulator's port (--port); 0 or undefined picks a free one. */
  port?: number;
  /** The function's language (--runtime); Node.js when not given. */
  runtime?: RuntimeFamily;
}

export interface RunProgress {
  /** A note worth a line of its own, such as where the lesson runs. */
  info(text: string): void;
  begin(title: string): Activity;
  lesson(total: number): StepHooks;
  /** The deploy's live view; without it the deploy is one plain activity. */
  deployment?(title: string): DeploymentView;
}

/** A local server (`local start`) found running: `run` uses it instead of an in-process emulator. */
export interface LocalServerInUse {
  url: string;
  pid: number;
  region: string;
  retryDelaysMs: [number, number];
}

export interface RunDependencies {
  progress: RunProgress;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  templatePath?: string;
  /** On the local target, the running local server to use; undefined runs an emulator inside this process. */
  localServer?: LocalServerInUse;
  /** Shrinks or stretches the waits (tests exercise AWS's pacing in seconds instead of minutes). */
  timing?: TimingOverrides;
}

export interface TimingOverrides {
  /** Pause between the deploy's polls of stack events and status. */
  deployPollMs?: number;
  /** Longest wait for the change set and for the stack, each. */
  deployTimeoutMs?: number;
  lesson?: Partial<LessonTiming>;
}


export async function run(options: RunOptions, deps: RunDependencies): Promise<RunReport> {
  const startedAt = Date.now();
  const { progress, signal } = deps;
  const env = deps.env ?? process.env;
  const server = options.target === 'local' && !options.endpointUrl ? deps.localServer : undefined;
  const inProcess = options.target === 'local' && !options.endpointUrl && !server;
  /** The emulator's retry delays, when this tool knows them: its own in-process emulator's, or the local server's. */
  const localDelays = inProcess ? options.retryDelaysMs : (server?.retryDelaysMs ?? null);
  // The emulator and the SDK start loading together: one module's file reads overlap the other's compiling, and the
  // SDK is in memory by the time the emulator answers (createClients' own import() then finds it loaded).
  const emulatorModule = inProcess ? import('../emulator/index.js') : undefined;
  emulatorModule?.catch(() => {});
  import('../aws/sdk.js').catch(() => {});
  const templateBody = await readTemplate(deps.templatePath ?? TEMPLATE_PATH);
  const region =
    server?.region ?? configuredRegion(options.region, env) ?? (inProcess ? LOCAL_REGION : undefined);

  let emulator: { url: string; close(): Promise<void> } | undefined;
  let clients: AwsClients | undefined;
  let connection: Connection | undefined;
  /** Set once the deploy may have created something: from then on Ctrl-C says how to remove it. */
  let deployBegan = false;
  const tracked = <T>(title: string, work: (activity: Activity) => Promise<T>, outcome: (value: T) => string) =>
    trackedActivity(progress, title, work, outcome);

  try {
    if (inProcess) {
      const [first, second] = options.retryDelaysMs;
      emulator = await tracked(
        'Start the local emulator',
        async () => {
          const { startEmulator } = await emulatorModule!;
          const started = await startEmulator({ port: options.port ?? 0, host: '127.0.0.1', region, retryDelaysMs: options.retryDelaysMs }).catch(
            (error: NodeJS.ErrnoException) => {
              if (error.code !== 'EADDRINUSE') throw error;
              throw environmentError(
                `Port ${options.port} on 127.0.0.1 is already in use, by something that is not a local emulator server.`,
                'Pick another --port, or leave it out: the run then takes a free one.',
                error,
              );
            },
          );
          // Step 1 is a cold start: the runtime process boots now, on the other core, while the SDK loads and deploys.
          started.emulator.lambda.prewarmRuntime();
          return started;
        },
        (started) => `${started.url}, retry delays ${formatSeconds(first)} and ${formatSeconds(second)}`,
      );
    }
    const kind: SessionKind = inProcess ? 'in-process' : server ? 'local-server' : options.endpointUrl ? 'endpoint' : 'aws';
    const connectNow = async () => {
      connection = await connect(kind, {
        target: options.target,
        endpoint: emulator?.url ?? server?.url ?? options.endpointUrl,
        region,
        profile: options.profile,
        signal,
        env,
      });
      clients = connection.clients;
      return clients;
    };
    if (server) {
      await connectNow();
      progress.info(
        `Using the local server at ${server.url} (pid ${server.pid}): the stack stays there for exploring; ` +
          `"${BIN} teardown" removes it.`,
      );
    } else if (!inProcess) {
      // Before anything changes: whose account, as whom, where. An odd answer stops the run here, and an endpoint that
      // never answers is told within seconds, with a spinner meanwhile.
      const identity = await tracked(
        `Connect to ${options.endpointUrl ?? 'AWS'}`,
        async () => callerIdentity((await connectNow()).sts),
        () => 'answering',
      );
      progress.info(identityLine(clients!, identity));
    } else {
      await connectNow();
    }
    if (!clients) throw new Error('unreachable: every branch above connects');
    const cfn = clients.cloudFormation;
    const where = stackLocation(options, clients.region, server);

    await tracked('Validate templates/LambdaAsync.yaml', () => validateTemplate(cfn, templateBody), () => 'valid');
    const wait = stackWait(stackHostOf(kind), 'deploy', deps.timing?.deployTimeoutMs);
    const deployTitle = `Deploy stack ${options.stackName}`;
    const view = progress.deployment?.(deployTitle);
    const activity = view ?? progress.begin(deployTitle);
    deployBegan = true;
    let deployed: DeployResult;
    try {
      deployed = await deployStack(cfn, {
        stackName: options.stackName,
        templateBody,
        parameters: {
          FunctionName: options.functionName,
          MaximumRetryAttempts: String(options.maxRetries),
          Runtime: templateRuntime(options.runtime ?? 'nodejs', localDelays !== null),
        },
        pollIntervalMs: deps.timing?.deployPollMs ?? wait.pollMs,
        timeoutMs: wait.timeoutMs,
        signal,
        onStatus: (status) => activity.update(status),
        onEvents: (events) => view?.events(events),
        cleanupCommand: inProcess ? null : teardownCommands(where).teardown,
      });
    } catch (error) {
      activity.fail();
      throw error;
    }
    const outcome = `${deployed.action} (${deployed.stackStatus})`;
    if (view) view.done(outcome, deployed.outputs);
    else activity.done(outcome);

    const names = namesFromOutputs(options.stackName, deployed.outputs);
    const runId = randomUUID();
    const record: LessonRecord = {};
    const results = await runLesson(
      {
        lambda: clients.lambda,
        logs: clients.logs,
        sqs: clients.sqs,
        names,
        target: options.target,
        runId,
        maxRetries: options.maxRetries,
        runtime: options.runtime ?? 'nodejs',
        timing: { ...lessonTiming(options.timeoutMs, localDelays), ...deps.timing?.lesson },
        record,
        signal,
      },
      progress.lesson(lessonSteps.length),
    );
    return buildReport({
      target: options.target,
      region: clients.region,
      stack: options.stackName,
      runId,
      results,
      timeline: buildTimeline(record, options.target, localDelays),
      startedAt,
    });
  } catch (error) {
    if (isAbort(error) || signal?.aborted) {
      throw interrupted({ inProcess, deployBegan, where: stackLocation(options, clients?.region ?? region, server) });
    }
    const place: Place = connection
      ? connection.place
      : { endpoint: options.endpointUrl, region: region ?? 'your region', profile: options.profile || env.AWS_PROFILE || undefined };
    throw explainAwsFailure(error, place) ?? error;
  } finally {
    clients?.destroy();
    await emulator?.close();
  }
}

/** Where the stack lives, as the teardown commands need it: the local server is found by `teardown` on its own. */
function stackLocation(options: RunOptions, region: string | undefined, server: LocalServerInUse | undefined): StackLocation {
  if (server) return { target: 'local', stackName: options.stackName, localServerUrl: server.url };
  return { target: options.target, stackName: options.stackName, region, profile: options.profile, endpointUrl: options.endpointUrl };
}

/** Ctrl-C (an `interrupted` failure), and what to run so that nothing this run created is left in the account. */
function interrupted(state: { inProcess: boolean; deployBegan: boolean; where: StackLocation }): DemoError {
  if (state.inProcess) {
    return new DemoError('interrupted', 'Interrupted.', 'Nothing is left behind: the local emulator lived inside this run and stopped with it.');
  }
  if (!state.deployBegan) {
    return new DemoError('interrupted', 'Interrupted before the deploy began.', 'This run changed nothing: there is nothing to clean up.');
  }
  const { teardown, deleteStack } = teardownCommands(state.where);
  return new DemoError(
    'interrupted',
    `Interrupted: the stack ${state.where.stackName} may be left deployed (or half-deployed).`,
    `Remove it with: ${teardown} (or: ${deleteStack})`,
  );
}

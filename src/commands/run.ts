// `run`: validate and deploy the stack, run the six steps, and return the report (the CLI prints it).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createClients, LOCAL_REGION, type AwsClients, type Target } from '../aws/clients.js';
import { explainAwsFailure, isAbort, type Place } from '../aws/errors.js';
import { environmentError } from '../cli/errors.js';
import type { LessonRecord, LessonTiming } from '../lesson/context.js';
import { deployStack, validateTemplate } from '../lesson/deploy.js';
import { namesFromOutputs } from '../lesson/names.js';
import { buildReport, type RunReport } from '../lesson/report.js';
import { lessonSteps, runLesson, type StepHooks } from '../lesson/steps.js';
import { buildTimeline, formatSeconds } from '../lesson/timeline.js';

/** The template ships inside the package: found next to the code, wherever the user runs the command from. */
export const TEMPLATE_PATH = fileURLToPath(new URL('../../templates/LambdaAsync.yaml', import.meta.url));

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
}

/** A unit of progress the user watches: a spinner on a terminal, one line otherwise. */
export interface Activity {
  update(text: string): void;
  done(text?: string): void;
  fail(text?: string): void;
}

export interface RunProgress {
  /** A note worth a line of its own, such as where the lesson runs. */
  info(text: string): void;
  begin(title: string): Activity;
  lesson(total: number): StepHooks;
}

export interface RunDependencies {
  progress: RunProgress;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  templatePath?: string;
}

/** Slack on top of the local retry delays for cold starts, the runs themselves and a slow machine. */
const LOCAL_WAIT_SLACK_MS = 10_000;
/** AWS is often late with retries; LocalStack's own AWS-validated test waits this long too (anchors.md §7). */
const AWS_WAIT_MS = 6 * 60_000;

function timingFor(options: RunOptions, inProcess: boolean): LessonTiming {
  if (inProcess) {
    const [first, second] = options.retryDelaysMs;
    return {
      waitMs: options.timeoutMs ?? first + second + LOCAL_WAIT_SLACK_MS,
      pollMs: 250,
      receiveWaitSeconds: 1,
      drainWaitSeconds: 0,
    };
  }
  // FilterLogEvents allows 5 calls per second per account (aws-semantics.md §4): one every 3 s leaves room for others.
  return { waitMs: options.timeoutMs ?? AWS_WAIT_MS, pollMs: 3_000, receiveWaitSeconds: 20, drainWaitSeconds: 1 };
}

function placeOf(clients: AwsClients, inProcess: boolean): Place {
  return { endpoint: clients.endpoint, region: clients.region, label: inProcess ? 'the local emulator' : undefined };
}

async function readTemplate(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw environmentError(`Cannot read the lesson's template at ${path}.`, 'Reinstall the package (npm install).', error);
  }
}

export async function run(options: RunOptions, deps: RunDependencies): Promise<RunReport> {
  const startedAt = Date.now();
  const { progress, signal } = deps;
  const env = deps.env ?? process.env;
  const inProcess = options.target === 'local' && !options.endpointUrl;
  const templateBody = await readTemplate(deps.templatePath ?? TEMPLATE_PATH);
  const region = options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || (inProcess ? LOCAL_REGION : undefined);

  let emulator: { url: string; close(): Promise<void> } | undefined;
  let clients: AwsClients | undefined;
  /** Runs one piece of setup under its own spinner (or line), marked failed if it throws. */
  const tracked = async <T>(title: string, work: (activity: Activity) => Promise<T>, outcome: (value: T) => string) => {
    const activity = progress.begin(title);
    try {
      const value = await work(activity);
      activity.done(outcome(value));
      return value;
    } catch (error) {
      activity.fail();
      throw error;
    }
  };

  try {
    if (inProcess) {
      const [first, second] = options.retryDelaysMs;
      emulator = await tracked(
        'Start the local emulator',
        async () => {
          const { startEmulator } = await import('../emulator/index.js');
          return startEmulator({ port: 0, host: '127.0.0.1', region, retryDelaysMs: options.retryDelaysMs });
        },
        (started) => `${started.url}, retry delays ${formatSeconds(first)} and ${formatSeconds(second)}`,
      );
    }
    clients = await createClients({
      target: options.target,
      endpoint: emulator?.url ?? options.endpointUrl,
      region,
      profile: options.profile,
      signal,
      env,
    });
    if (!inProcess) progress.info(`Target: ${clients.endpoint ?? 'AWS'}, region ${clients.region}`);
    const cfn = clients.cloudFormation;

    await tracked('Validate templates/LambdaAsync.yaml', () => validateTemplate(cfn, templateBody), () => 'valid');
    const deployed = await tracked(
      `Deploy stack ${options.stackName}`,
      (activity) =>
        deployStack(cfn, {
          stackName: options.stackName,
          templateBody,
          parameters: { FunctionName: options.functionName, MaximumRetryAttempts: String(options.maxRetries) },
          pollIntervalMs: inProcess ? 100 : 2_000,
          timeoutMs: inProcess ? 60_000 : 30 * 60_000,
          signal,
          onStatus: (status) => activity.update(status),
        }),
      (result) => `${result.action} (${result.stackStatus})`,
    );

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
        timing: timingFor(options, inProcess),
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
      timeline: buildTimeline(record, options.target, inProcess ? options.retryDelaysMs : null),
      startedAt,
    });
  } catch (error) {
    if (isAbort(error) || signal?.aborted) throw error;
    throw (clients && explainAwsFailure(error, placeOf(clients, inProcess))) ?? error;
  } finally {
    clients?.destroy();
    await emulator?.close();
  }
}

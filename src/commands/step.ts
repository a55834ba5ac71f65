// `step <1-6>`: one lesson step on its own; steps 3 and 4 record their request so a later `step 5` or `step 6` checks it.
import { randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type { LessonRecord, Step, StepStatus } from '../lesson/context.js';
import { shortId } from '../lesson/invoke.js';
import { buildReport, type RunReport } from '../lesson/report.js';
import { lessonSteps, runLesson } from '../lesson/steps.js';
import { buildTimeline, formatSeconds, type TimelineData } from '../lesson/timeline.js';
import { LessonState } from '../local/lesson-state.js';
import { readLogLines } from '../lesson/log-lines.js';
import { lessonTiming } from '../lesson/timing.js';
import type { Finished } from './outcome.js';
import { requireStack, withSession, type CommandDeps, type CommandOptions, type Session } from './session.js';
import { startedRequestId } from '../lesson/log-lines.js';

export interface StepOptions extends CommandOptions {
  /** 1-6, checked by the command line. */
  stepId: number;
}


/**
 * Step 5 when no step 4 was recorded here (another machine, another tool, the AWS CLI): read the whole log group as a
 * person would, and report every RequestId that started more than once, which is what a retry looks like.
 */
const retriesAsLogged: Step = {
  id: 5,
  title: 'Retries in CloudWatch Logs (every RequestId logged more than once)',
  explain:
    'No step 4 was recorded here, so this reads the whole log group as a person would: a RequestId with more than one ' +
    'START line is an event Lambda retried, once per attempt. Run step 3 and step 4 first to check a known request.',
  async run(ctx) {
    const starts = new Map<string, number[]>();
    for (const line of await readLogLines(ctx.logs, ctx.names.logGroupName, undefined, ctx.signal)) {
      const requestId = startedRequestId(line.message);
      if (requestId) starts.set(requestId, [...(starts.get(requestId) ?? []), line.timestamp]);
    }
    const retried = [...starts].filter(([, times]) => times.length > 1);
    const once = starts.size - retried.length;
    const expected = 'some RequestId with more than one START line: one per attempt, the same id each time';
    const describe = ([requestId, times]: [string, number[]]) =>
      `${requestId} ${times.length} times (${times.slice(1).map((time, index) => `+${formatSeconds(time - times[index]!)}`).join(', ')} apart)`;
    return {
      status: retried.length > 0 ? 'pass' : 'fail',
      expected,
      observed:
        retried.length > 0
          ? `${retried.map(describe).join('; ')}; ${once} other RequestId${once === 1 ? '' : 's'} once`
          : `no RequestId logged more than once (${starts.size} started once)`,
      details: {
        retried: retried.map(([requestId, times]) => ({ requestId, attempts: times.length, startTimestamps: times })),
        startedOnce: once,
      },
    };
  },
};

/** Step 6 when no step 4 was recorded here: what the DLQ holds, looked at and left in place (visibility timeout 0). */
const dlqAsItIs: Step = {
  id: 6,
  title: 'Failed events in the dead-letter queue (whatever it holds)',
  explain:
    'No step 4 was recorded here, so this looks at what the DLQ holds without taking anything: each failed event Lambda ' +
    'gave up on, with its RequestID, ErrorCode and ErrorMessage attributes. Run step 4 first to check a known request.',
  async run(ctx) {
    const { Attributes = {} } = await ctx.sqs.getQueueAttributes({
      QueueUrl: ctx.names.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    });
    // VisibilityTimeout 0: the messages stay visible to the next reader, so looking takes nothing away.
    const { Messages = [] } = await ctx.sqs.receiveMessage({
      QueueUrl: ctx.names.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0,
      MessageAttributeNames: ['All'],
    });
    const fromLambda = (message: Message) => {
      const attributes = message.MessageAttributes ?? {};
      return Boolean(attributes.RequestID?.StringValue && attributes.ErrorCode && attributes.ErrorMessage);
    };
    const describe = (message: Message) => {
      const attributes = message.MessageAttributes ?? {};
      return fromLambda(message)
        ? `RequestID ${shortId(attributes.RequestID?.StringValue)} (ErrorCode ${attributes.ErrorCode?.StringValue}, ErrorMessage "${attributes.ErrorMessage?.StringValue}") body ${message.Body}`
        : `a message without Lambda's attributes, body ${message.Body}`;
    };
    const visible = Number(Attributes.ApproximateNumberOfMessages ?? Messages.length);
    const hidden = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
    const failed = Messages.filter(fromLambda);
    return {
      status: failed.length > 0 ? 'pass' : 'fail',
      expected: "at least one failed event, unchanged, with Lambda's RequestID, ErrorCode and ErrorMessage attributes",
      observed:
        Messages.length > 0
          ? `${visible} message${visible === 1 ? '' : 's'}${hidden ? ` (+${hidden} in flight)` : ''}: ${Messages.map(describe).join('; ')}`
          : `the DLQ is empty${hidden ? ` (${hidden} message${hidden === 1 ? '' : 's'} in flight, held by another reader)` : ''}`,
      details: {
        messages: Messages.map((message) => ({
          body: message.Body,
          attributes: Object.fromEntries(
            Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, { DataType: value.DataType, StringValue: value.StringValue }]),
          ),
        })),
        approximateNumberOfMessages: visible,
        approximateNumberOfMessagesNotVisible: hidden,
      },
    };
  },
};

/**
 * The timeline of the recorded steps 3 and 4. Step 5 has just read the START lines; step 6 has not, so they are read
 * here (one FilterLogEvents pass from step 3's or 4's invoke), after the step, so its own checks stay as they are.
 */
async function stepTimeline(
  record: LessonRecord,
  session: Session,
  logGroupName: string,
  options: StepOptions,
  signal: AbortSignal,
): Promise<TimelineData | undefined> {
  const { asyncFail, asyncOk } = record;
  if (!asyncFail) return undefined;
  if (!record.startLines) {
    const since = Math.min(asyncFail.invokedAt, asyncOk?.invokedAt ?? asyncFail.invokedAt) - 1_000;
    const starts = new Map<string, number[]>();
    try {
      for (const line of await readLogLines(session.clients.logs, logGroupName, since, signal)) {
        const requestId = startedRequestId(line.message);
        if (requestId) starts.set(requestId, [...(starts.get(requestId) ?? []), line.timestamp]);
      }
    } catch (error) {
      // A timeline is a picture of what happened: a log group that cannot be read leaves its rows empty.
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
    record.startLines = { failing: starts.get(asyncFail.requestId) ?? [], succeeding: asyncOk ? (starts.get(asyncOk.requestId) ?? []) : [] };
  }
  // The local server's delays are known (and scale to AWS minutes); elsewhere the gaps are what AWS took.
  return buildTimeline(record, options.target, session.server?.retryDelaysMs ?? null);
}

/** The step's result as a one-step report, for the CLI to show; with the timeline of step 4's event after 5 or 6. */
export interface StepReport extends Finished {
  stepId: number;
  status: StepStatus;
  /** Its `timeline` is a placeholder when `timeline` below is undefined (JSON then leaves it out). */
  report: RunReport;
  timeline?: TimelineData;
}

export async function step(options: StepOptions, deps: CommandDeps): Promise<StepReport> {
  const { reporter } = deps;
  const lessonStep = lessonSteps.find((candidate) => candidate.id === options.stepId);
  if (!lessonStep) throw new Error(`no step ${options.stepId}`); // the command line admits 1-6 only
  const { value, notes } = await withSession(options, deps, async (session) => {
    const deployed = await requireStack(session, options, deps.env);
    const state = new LessonState(options.local.stateDir);
    const recorded = state.get(session.lessonPlace);
    const record: LessonRecord = { asyncOk: recorded?.asyncOk, asyncFail: recorded?.asyncFail };
    /** One id for the whole walk, so every payload of steps 1-4 carries the same one, as in `run`. */
    const runId = recorded?.runId ?? randomUUID();

    let chosen = lessonStep;
    if (options.stepId === 5 || options.stepId === 6) {
      if (!record.asyncFail) chosen = options.stepId === 5 ? retriesAsLogged : dlqAsItIs;
      else {
        const ago = formatSeconds(Date.now() - record.asyncFail.invokedAt);
        reporter.info(`Checking step 4's request ${record.asyncFail.requestId}, invoked ${ago} ago.`);
      }
    }

    const startedAt = Date.now();
    const [result] = await runLesson(
      {
        lambda: session.clients.lambda,
        logs: session.clients.logs,
        sqs: session.clients.sqs,
        names: deployed.names,
        target: options.target,
        runId,
        maxRetries: deployed.maxRetries,
        runtime: deployed.runtime,
        timing: lessonTiming(options.timeoutMs, session.server?.retryDelaysMs ?? null),
        record,
        signal: deps.signal,
      },
      reporter.lesson(lessonSteps.length),
      [chosen],
    );
    if (!result) throw new Error('the step returned no result');

    // Steps 3 and 4 hand their invoke to later processes: saved atomically, keyed by where the lesson runs.
    if (options.stepId === 3 && record.asyncOk && record.asyncOk !== recorded?.asyncOk) {
      const asyncOk = record.asyncOk;
      state.update(session.lessonPlace, runId, (lesson) => (lesson.asyncOk = asyncOk));
    }
    if (options.stepId === 4 && record.asyncFail && record.asyncFail !== recorded?.asyncFail) {
      const asyncFail = record.asyncFail;
      state.update(session.lessonPlace, runId, (lesson) => (lesson.asyncFail = asyncFail));
    }

    // Steps 5 and 6 end, as `run` does, with the picture of step 4's event: its attempts, the gaps, the DLQ.
    const timeline = chosen === lessonStep && (options.stepId === 5 || options.stepId === 6)
      ? await stepTimeline(record, session, deployed.names.logGroupName, options, deps.signal)
      : undefined;
    const report = buildReport({
      target: options.target,
      region: session.clients.region,
      stack: options.stackName,
      runId,
      results: [result],
      timeline: timeline ?? { origin: "step 4's invoke", target: options.target, retryDelaysMs: null, failing: null, succeeding: null },
      startedAt,
    });
    return { status: result.status, report, timeline };
  });
  return { outcome: value.status === 'pass' ? 'ok' : 'checks-failed', stepId: options.stepId, ...value, notes };
}

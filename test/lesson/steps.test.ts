// The whole lesson in-process against the emulator (retry delays 50/100 ms): deploy, six steps, the facts they record.
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { TEMPLATE_PATH } from '../../src/lesson/template.js';
import type { LessonRecord, LessonTiming, Step } from '../../src/lesson/context.js';
import { deployStack } from '../../src/lesson/deploy.js';
import { namesFromOutputs } from '../../src/lesson/names.js';
import { lessonSteps, runLesson, type StepResult } from '../../src/lesson/steps.js';
import { buildTimeline } from '../../src/lesson/timeline.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const TIMING: LessonTiming = { waitMs: 10_000, pollMs: 50, receiveWaitSeconds: 1, drainWaitSeconds: 0 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const emulator: TestEmulator = await startTestEmulator();
const clients: AwsClients = await createClients({ target: 'local', endpoint: emulator.url });
const templateBody = await readFile(TEMPLATE_PATH, 'utf8');
after(() => clients.destroy());

async function deploy(stackName: string, functionName: string, maxRetries: number) {
  return deployStack(clients.cloudFormation, {
    stackName,
    templateBody,
    parameters: { FunctionName: functionName, MaximumRetryAttempts: String(maxRetries) },
    pollIntervalMs: 20,
    timeoutMs: 30_000,
  });
}

async function runSteps(stackName: string, outputs: Record<string, string>, maxRetries: number) {
  const record: LessonRecord = {};
  const seen: string[] = [];
  const results: StepResult[] = await runLesson(
    {
      lambda: clients.lambda,
      logs: clients.logs,
      sqs: clients.sqs,
      names: namesFromOutputs(stackName, outputs),
      target: 'local',
      runId: crypto.randomUUID(),
      maxRetries,
      runtime: 'nodejs',
      timing: TIMING,
      record,
    },
    {
      started: (step: Step) => {
        seen.push(`start ${step.id}`);
        return () => {};
      },
      finished: (step: Step, result: StepResult) => seen.push(`${result.status} ${step.id}`),
    },
  );
  return { results, record, seen };
}

function explain(results: StepResult[]): string {
  return results.map((result) => `${result.id} ${result.status}: ${result.observed}`).join('\n');
}

test('the template deploys through a change set, and the stack outputs name the lesson resources', async () => {
  const deployed = await deploy('LambdaAsync', 'SimpleFunc', 2);
  assert.equal(deployed.action, 'created');
  assert.equal(deployed.stackStatus, 'CREATE_COMPLETE');
  const names = namesFromOutputs('LambdaAsync', deployed.outputs);
  assert.equal(names.functionName, 'SimpleFunc');
  assert.equal(names.logGroupName, '/aws/lambda/SimpleFunc');
  assert.match(names.queueArn, /^arn:aws:sqs:us-east-1:\d{12}:/);
  assert.ok(names.queueUrl.startsWith(emulator.url), 'the queue URL points at the emulator');
});

test('all six steps pass, with the RequestIds, 3 attempts and the DLQ attributes in their details', async () => {
  const deployed = await deploy('LambdaAsync', 'SimpleFunc', 2);
  assert.equal(deployed.action, 'unchanged', 'a second deploy of the same template and parameters changes nothing');
  const { results, record, seen } = await runSteps('LambdaAsync', deployed.outputs, 2);

  assert.deepEqual(results.map((result) => result.status), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass'], explain(results));
  assert.deepEqual(results.map((result) => result.id), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(seen.slice(0, 4), ['start 1', 'pass 1', 'start 2', 'pass 2'], 'steps run one after the other');
  const [syncOk, syncFail, asyncOk, asyncFail, logs, dlq] = results as [StepResult, StepResult, StepResult, StepResult, StepResult, StepResult];

  assert.equal(syncOk.details?.statusCode, 200);
  assert.equal(syncOk.details?.functionError, null);
  assert.equal(syncFail.details?.statusCode, 200);
  assert.equal(syncFail.details?.functionError, 'Unhandled');
  assert.equal(syncFail.details?.errorType, 'Error');

  assert.equal(asyncOk.details?.statusCode, 202);
  assert.equal(asyncFail.details?.statusCode, 202);
  assert.match(String(asyncOk.details?.requestId), UUID);
  assert.match(String(asyncFail.details?.requestId), UUID);
  assert.notEqual(asyncOk.details?.requestId, asyncFail.details?.requestId);
  assert.equal(record.asyncFail?.payload, asyncFail.details?.payload);
  assert.deepEqual(JSON.parse(record.asyncFail!.payload), { from: 'async', name: '', runId: JSON.parse(record.asyncOk!.payload).runId });

  assert.equal(logs.details?.failingRequestId, record.asyncFail?.requestId);
  assert.equal(logs.details?.attempts, 3);
  assert.equal(logs.details?.succeedingAttempts, 1);
  const offsets = logs.details?.attemptOffsetsMs as number[];
  assert.ok(offsets[1]! - offsets[0]! >= 50 && offsets[2]! - offsets[1]! >= 100, `the retries wait the configured delays: ${offsets}`);

  assert.equal(dlq.details?.requestId, record.asyncFail?.requestId);
  assert.equal(dlq.details?.body, record.asyncFail?.payload, 'the DLQ body is step 4\'s payload byte for byte');
  const attributes = dlq.details?.attributes as Record<string, { DataType: string; StringValue: string }>;
  assert.deepEqual(attributes.RequestID, { DataType: 'String', StringValue: record.asyncFail?.requestId });
  assert.deepEqual(attributes.ErrorCode, { DataType: 'Number', StringValue: '200' });
  assert.equal(attributes.ErrorMessage?.DataType, 'String');
  assert.ok(attributes.ErrorMessage?.StringValue);
  assert.equal(dlq.details?.messagesForStep3, 0);

  const timeline = buildTimeline(record, 'local', [50, 100]);
  assert.deepEqual(timeline.failing?.attempts.map((attempt) => attempt.label), ['attempt 1', 'retry 1', 'retry 2']);
  assert.ok(timeline.failing!.dlqOffsetMs! >= timeline.failing!.attempts[2]!.offsetMs, 'the DLQ message follows the last attempt');
  assert.equal(timeline.succeeding?.attempts.length, 1);
});

test('a later run ignores earlier runs: their START lines do not count and their DLQ messages stay queued', async () => {
  const deployed = await deploy('LambdaAsync', 'SimpleFunc', 2);
  const names = namesFromOutputs('LambdaAsync', deployed.outputs);
  // Eleven failed events of interrupted earlier runs, still in the DLQ: more than one receive can return.
  const earlierBodies = Array.from({ length: 11 }, (_, index) => `{"from":"async","name":"","runId":"earlier-${index}"}`);
  for (const [index, body] of earlierBodies.entries()) {
    await emulator.sqs.send(
      new SendMessageCommand({
        QueueUrl: names.queueUrl,
        MessageBody: body,
        MessageAttributes: {
          RequestID: { DataType: 'String', StringValue: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}` },
          ErrorCode: { DataType: 'Number', StringValue: '200' },
          ErrorMessage: { DataType: 'String', StringValue: 'earlier failure' },
        },
      }),
    );
  }

  const { results } = await runSteps('LambdaAsync', deployed.outputs, 2);
  assert.ok(results.every((result) => result.status === 'pass'), explain(results));
  assert.equal(results[4]!.details?.attempts, 3, 'only this run\'s RequestId is counted');
  assert.equal(results[5]!.details?.otherRunsMessagesLeft, 11);

  // The earlier runs' messages are visible again at once, untouched; this run's message is gone.
  const bodies: string[] = [];
  for (let round = 0; round < 3; round += 1) {
    const { Messages = [] } = await emulator.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: names.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    bodies.push(...Messages.map((message) => message.Body ?? ''));
  }
  assert.deepEqual(bodies.sort(), [...earlierBodies].sort());
});

test('with MaximumRetryAttempts 0, step 4\'s event is tried once and goes straight to the DLQ', async () => {
  const deployed = await deploy('LambdaAsyncNoRetry', 'SimpleFuncNoRetry', 0);
  assert.equal(deployed.action, 'created');
  const { results, record } = await runSteps('LambdaAsyncNoRetry', deployed.outputs, 0);
  assert.ok(results.every((result) => result.status === 'pass'), explain(results));
  assert.equal(results[4]!.details?.attempts, 1);
  assert.match(results[4]!.expected, /^1 START line for step 4's RequestId \(no retry\)/);
  assert.equal((results[5]!.details?.attributes as Record<string, { StringValue: string }> | undefined)?.RequestID?.StringValue, record.asyncFail?.requestId);
});

test('a step the AWS answer breaks fails on its own, and the steps that need it are skipped', async () => {
  const deployed = await deploy('LambdaAsync', 'SimpleFunc', 2);
  const { results } = await runSteps('LambdaAsync', { ...deployed.outputs, FunctionName: 'NoSuchFunction' }, 2);
  assert.deepEqual(results.map((result) => result.status), ['fail', 'fail', 'fail', 'fail', 'skip', 'skip']);
  assert.match(results[0]!.observed, /ResourceNotFoundException/);
  assert.match(results[4]!.observed, /step 4 recorded no RequestId/);
});

test('the steps are the six of the lesson, in teaching order, each with a title and an explanation', () => {
  assert.deepEqual(lessonSteps.map((step) => step.id), [1, 2, 3, 4, 5, 6]);
  for (const step of lessonSteps) {
    assert.ok(step.title.length > 0 && step.title.length <= 45, `short title: ${step.title}`);
    assert.ok(step.explain.length > 40, `step ${step.id} explains itself`);
  }
  assert.match(lessonSteps[3]!.explain, /202/);
});

// The whole lesson through the SDK clients: deploy the template by change set, four invokes, the START lines per
// attempt and the one DLQ message; a server that survived abuse must still pass it.
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eventually, type TestEmulator } from './emulator.js';

export const LESSON_TEMPLATE = readFileSync(new URL('../../templates/LambdaAsync.yaml', import.meta.url), 'utf8');

export interface LessonCheckOptions {
  stackName?: string;
  functionName?: string;
  /** How long the retries may take to show up in the logs and the DLQ. */
  timeoutMs?: number;
}

export interface LessonCheckResult {
  outputs: Record<string, string>;
  failedRequestId: string;
  succeededRequestId: string;
  /** START lines per RequestId of the two async invokes. */
  startLines: { failed: number; succeeded: number };
}

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

/** Runs the six lesson steps against the emulator and asserts each one; resolves with what it observed. */
export async function runLessonCheck(env: Pick<TestEmulator, 'cfn' | 'lambda' | 'sqs' | 'logs'>, options: LessonCheckOptions = {}): Promise<LessonCheckResult> {
  const stackName = options.stackName ?? 'LambdaAsync';
  const functionName = options.functionName ?? 'SimpleFunc';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const runId = `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  // Setup: the change-set path `deploy` takes.
  const changeSet = await env.cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: `lesson-${runId}`,
      ChangeSetType: 'CREATE',
      TemplateBody: LESSON_TEMPLATE,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'FunctionName', ParameterValue: functionName }],
    }),
  );
  await eventually(async () => {
    const described = await env.cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSet.Id }));
    assert.notEqual(described.Status, 'FAILED', `change set failed: ${described.StatusReason}`);
    return described.Status === 'CREATE_COMPLETE' ? true : undefined;
  }, timeoutMs);
  await env.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.Id }));
  const stack = await eventually(async () => {
    const { Stacks = [] } = await env.cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const status = Stacks[0]?.StackStatus ?? '';
    assert.doesNotMatch(status, /FAILED|ROLLBACK/, `stack ${stackName} ended ${status}`);
    return status === 'CREATE_COMPLETE' ? Stacks[0] : undefined;
  }, timeoutMs);
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey!, output.OutputValue!]));
  assert.equal(outputs.FunctionName, functionName);

  // Step 1: sync, good name.
  const syncGood = await env.lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: encode({ from: 'sync', name: 'chucks', runId }) }),
  );
  assert.equal(syncGood.StatusCode, 200);
  assert.equal(syncGood.FunctionError, undefined);
  assert.equal(decode(syncGood.Payload).statusCode, 200);

  // Step 2: sync, empty name: still HTTP 200, with FunctionError.
  const syncBad = await env.lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: encode({ from: 'sync', name: '', runId }) }),
  );
  assert.equal(syncBad.StatusCode, 200);
  assert.equal(syncBad.FunctionError, 'Unhandled');
  const syncError = decode(syncBad.Payload);
  assert.equal(typeof syncError.errorType, 'string');
  assert.equal(typeof syncError.errorMessage, 'string');

  // Steps 3 and 4: async, indistinguishable answers.
  const asyncGood = await env.lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: encode({ from: 'async', name: 'chucks', runId }) }),
  );
  const failedPayload = JSON.stringify({ from: 'async', name: '', runId });
  const asyncBad = await env.lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(failedPayload) }),
  );
  for (const answer of [asyncGood, asyncBad]) {
    assert.equal(answer.StatusCode, 202);
    assert.equal(answer.Payload?.length ?? 0, 0);
  }
  const succeededRequestId = asyncGood.$metadata.requestId!;
  const failedRequestId = asyncBad.$metadata.requestId!;

  // Step 6 first: the DLQ message arrives after the last attempt, so once it is there step 5's lines are complete.
  const message = await eventually(async () => {
    const { Messages = [] } = await env.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: outputs.QueueUrl, MessageAttributeNames: ['All'], MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    return Messages.find((candidate) => candidate.Body === failedPayload);
  }, timeoutMs);
  assert.deepEqual(message.MessageAttributes?.RequestID, { DataType: 'String', StringValue: failedRequestId });
  assert.deepEqual(message.MessageAttributes?.ErrorCode, { DataType: 'Number', StringValue: '200' });
  assert.equal(message.MessageAttributes?.ErrorMessage?.DataType, 'String');
  await env.sqs.send(new DeleteMessageCommand({ QueueUrl: outputs.QueueUrl, ReceiptHandle: message.ReceiptHandle }));

  // Step 5: one START per attempt, 1 + MaximumRetryAttempts (2) for the failing event, one for the good one.
  const countStarts = async (requestId: string): Promise<number> => {
    const { events = [] } = await env.logs.send(
      new FilterLogEventsCommand({ logGroupName: outputs.LogGroupName, filterPattern: `"START RequestId: ${requestId}"` }),
    );
    return events.length;
  };
  const startLines = await eventually(async () => {
    const counts = { failed: await countStarts(failedRequestId), succeeded: await countStarts(succeededRequestId) };
    return counts.failed >= 3 && counts.succeeded >= 1 ? counts : undefined;
  }, timeoutMs);
  assert.deepEqual(startLines, { failed: 3, succeeded: 1 });

  // And nothing in the DLQ for the good event.
  const { Messages: rest = [] } = await env.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: outputs.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  assert.ok(!rest.some((candidate) => candidate.Body?.includes('"name":"chucks"')), 'the succeeded event reached the DLQ');

  return { outputs, failedRequestId, succeededRequestId, startLines };
}

// Event invocations: 202 at once, retries with the same RequestId, then the DLQ and destinations; persistence of retries.
import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeAsyncCommand, InvokeCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { createAsyncFunction } from '../helpers/functions.js';
import { eventually, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

// The lesson's handler (templates/LambdaAsync.yaml).
const LESSON_HANDLER = `exports.handler = async (event) => {
  console.log('EVENT', JSON.stringify(event));
  const name = event == null ? undefined : event.name;
  if (name === undefined || name === null || name === '') {
    throw new Error('The event has no name: "name" is missing, null or empty');
  }
  return { statusCode: 200, body: \`Hello, \${name}!\` };
};
`;
const ERROR_MESSAGE = 'The event has no name: "name" is missing, null or empty';

const env: TestEmulator = await startTestEmulator();


/** A function with its own DLQ (and an extra queue for destinations), whose role may send to both. */
const createFunction = (emulator: Emulator, code = LESSON_HANDLER) => createAsyncFunction(emulator, 'async', code);

async function invokeEvent(client: TestEmulator, functionName: string, payload: string) {
  const output = await client.lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(payload) }),
  );
  return { output, requestId: output.$metadata.requestId! };
}

async function startLines(logs: CloudWatchLogsClient, functionName: string, requestId: string) {
  const output = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` })).catch(() => ({ events: [] }));
  return (output.events ?? []).filter((event) => event.message === `START RequestId: ${requestId} Version: $LATEST\n`);
}

async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const output = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
  );
  return output.Messages ?? [];
}

function settled(emulator: Emulator, requestId: string): boolean {
  return !emulator.lambda.pendingEvents().some((event) => event.requestId === requestId);
}

test('an Event invoke answers 202 with an empty body, no ExecutedVersion, and its RequestId is the one in the START line', async () => {
  const { name } = createFunction(env.running.emulator);
  const { output, requestId } = await invokeEvent(env, name, '{"name":"chucks"}');
  assert.equal(output.StatusCode, 202);
  assert.equal(output.Payload?.length ?? 0, 0);
  assert.equal(output.ExecutedVersion, undefined);
  assert.equal(output.FunctionError, undefined);
  await eventually(async () => ((await startLines(env.logs, name, requestId)).length === 1 ? true : undefined));
});

test('the deprecated InvokeAsync answers 202 and queues the event like an Event invoke', async () => {
  const { name } = createFunction(env.running.emulator);
  const output = await env.lambda.send(new InvokeAsyncCommand({ FunctionName: name, InvokeArgs: new TextEncoder().encode('{"name":"old"}') }));
  assert.equal(output.Status, 202);
  const requestId = output.$metadata.requestId!;
  await eventually(async () => ((await startLines(env.logs, name, requestId)).length === 1 ? true : undefined));
});

test('a failing Event gets exactly 3 attempts with one RequestId, then exactly one DLQ message with the unchanged body', async () => {
  const { name, dlq } = createFunction(env.running.emulator);
  // Odd spacing on purpose: the DLQ body must be these bytes, not a re-serialisation.
  const payload = '{ "from": "async",  "name": "" , "run": "r-1" }';
  const { requestId } = await invokeEvent(env, name, payload);

  await eventually(async () => (settled(env.running.emulator, requestId) ? true : undefined));
  const starts = await startLines(env.logs, name, requestId);
  assert.equal(starts.length, 3);
  // Retry 1 waits retryDelaysMs[0] (50 ms) and retry 2 retryDelaysMs[1] (100 ms) after the failure before them.
  const times = starts.map((event) => event.timestamp!);
  assert.ok(times[1]! - times[0]! >= 50, `retry 1 after ${times[1]! - times[0]!} ms`);
  assert.ok(times[2]! - times[1]! >= 100, `retry 2 after ${times[2]! - times[1]!} ms`);

  const messages = await eventually(async () => {
    const received = await receiveAll(env.sqs, dlq.QueueUrl);
    return received.length > 0 ? received : undefined;
  });
  assert.equal(messages.length, 1);
  const [message] = messages as [Message];
  assert.equal(message.Body, payload);
  assert.deepEqual(message.MessageAttributes, {
    RequestID: { DataType: 'String', StringValue: requestId },
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    ErrorMessage: { DataType: 'String', StringValue: ERROR_MESSAGE },
  });
  // Nothing further arrives: no fourth attempt, no second message.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal((await startLines(env.logs, name, requestId)).length, 3);
  assert.equal((await receiveAll(env.sqs, dlq.QueueUrl)).length, 0);
});

test('MaximumRetryAttempts 0 gives exactly one attempt before the DLQ', async () => {
  const { name, dlq } = createFunction(env.running.emulator);
  await env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 0 }));
  const { requestId } = await invokeEvent(env, name, '{"name":null}');
  const messages = await eventually(async () => {
    const received = await receiveAll(env.sqs, dlq.QueueUrl);
    return received.length > 0 ? received : undefined;
  });
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.MessageAttributes?.RequestID?.StringValue, requestId);
  assert.equal((await startLines(env.logs, name, requestId)).length, 1);
});

test('a succeeding Event gets one attempt and no DLQ message', async () => {
  const { name, dlq } = createFunction(env.running.emulator);
  const { requestId } = await invokeEvent(env, name, '{"name":"chucks"}');
  await eventually(async () => (settled(env.running.emulator, requestId) ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal((await startLines(env.logs, name, requestId)).length, 1);
  assert.equal((await receiveAll(env.sqs, dlq.QueueUrl)).length, 0);
});

test('a crashing function is retried like a throwing one and its DLQ message carries the runtime exit error', async () => {
  const { name, dlq } = createFunction(env.running.emulator, 'exports.handler = async () => { process.exit(1); };');
  const { requestId } = await invokeEvent(env, name, '{}');
  const messages = await eventually(async () => {
    const received = await receiveAll(env.sqs, dlq.QueueUrl);
    return received.length > 0 ? received : undefined;
  }, 20_000);
  assert.equal(messages.length, 1);
  assert.equal(
    messages[0]!.MessageAttributes?.ErrorMessage?.StringValue,
    `RequestId: ${requestId} Error: Runtime exited with error: exit status 1`,
  );
  assert.equal((await startLines(env.logs, name, requestId)).length, 3);
});

test('the on-failure destination receives the invocation record', async () => {
  const { name, destination } = createFunction(env.running.emulator);
  await env.lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: name,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: destination.QueueArn } },
    }),
  );
  const { requestId } = await invokeEvent(env, name, '{"name":""}');
  const [message] = await eventually(async () => {
    const received = await receiveAll(env.sqs, destination.QueueUrl);
    return received.length > 0 ? received : undefined;
  });
  const record = JSON.parse(message!.Body!) as Record<string, any>;
  assert.equal(record.version, '1.0');
  assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
  assert.deepEqual(record.requestContext, {
    requestId,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST`,
    condition: 'RetriesExhausted',
    approximateInvokeCount: 1,
  });
  assert.deepEqual(record.requestPayload, { name: '' });
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
  assert.equal(record.responsePayload.errorMessage, ERROR_MESSAGE);
});

test('a burst of failing events beyond the environment limit ends with exactly one DLQ message each', async () => {
  const burst = await startTestEmulator({ maxEnvironmentsPerFunction: 2, retryDelaysMs: [20, 20] });
  const { name, dlq } = createFunction(burst.running.emulator);
  await burst.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1 }));
  const ids = await Promise.all(Array.from({ length: 8 }, (_, index) => invokeEvent(burst, name, `{"name":"","n":${index}}`)));
  const received: Message[] = [];
  await eventually(async () => {
    received.push(...(await receiveAll(burst.sqs, dlq.QueueUrl)));
    return received.length >= 8 && burst.running.emulator.lambda.pendingEvents().length === 0 ? true : undefined;
  }, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  received.push(...(await receiveAll(burst.sqs, dlq.QueueUrl)));
  assert.equal(received.length, 8);
  assert.deepEqual(
    received.map((message) => message.MessageAttributes?.RequestID?.StringValue).sort(),
    ids.map((entry) => entry.requestId).sort(),
  );
  const events = (await burst.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}` }))).events ?? [];
  assert.ok(new Set(events.map((event) => event.logStreamName)).size <= 2);
});

test('deleting a function drops its pending events', async () => {
  const slow = await startTestEmulator({ retryDelaysMs: [300, 300] });
  const { name, dlq } = createFunction(slow.running.emulator);
  const { requestId } = await invokeEvent(slow, name, '{"name":""}');
  await eventually(async () => ((await startLines(slow.logs, name, requestId)).length === 1 ? true : undefined));
  await eventually(async () => (slow.running.emulator.lambda.pendingEvents()[0]?.attempts === 1 ? true : undefined));
  slow.running.emulator.lambda.deleteFunction(name);
  assert.equal(slow.running.emulator.lambda.pendingEvents().length, 0);
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal((await receiveAll(slow.sqs, dlq.QueueUrl)).length, 0);
});

test('exportState and importState resume a pending retry with its remaining delay, then deliver to the DLQ', async () => {
  const first = await startTestEmulator({ retryDelaysMs: [600, 50] });
  const { name, dlq } = createFunction(first.running.emulator);
  const payload = '{"name":"","run":"persisted"}';
  const { requestId } = await invokeEvent(first, name, payload);
  await eventually(async () => (first.running.emulator.lambda.pendingEvents()[0]?.attempts === 1 ? true : undefined));

  const state = first.running.emulator.exportState();
  const [pending] = (state.lambda as { pendingEvents: Array<{ requestId: string; attempts: number; dueAt: number; payload: string }> }).pendingEvents;
  assert.equal(pending?.requestId, requestId);
  assert.equal(pending?.attempts, 1);
  assert.equal(pending?.payload, payload);
  assert.ok(pending!.dueAt > Date.now(), 'the retry is still scheduled, as an absolute time');
  await first.running.close();

  const second = await startTestEmulator({ retryDelaysMs: [600, 50] });
  second.running.emulator.importState(JSON.parse(JSON.stringify(state)) as Record<string, unknown>);
  const importedAt = Date.now();
  const messages = await eventually(async () => {
    const received = await receiveAll(second.sqs, second.running.emulator.sqs.queueUrlFromArn(dlq.QueueArn)!);
    return received.length > 0 ? received : undefined;
  }, 15_000);
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.Body, payload);
  assert.equal(messages[0]!.MessageAttributes?.RequestID?.StringValue, requestId);

  const starts = await startLines(second.logs, name, requestId);
  assert.equal(starts.length, 3, 'the attempt before the restart and the two retries after it');
  assert.ok(starts[1]!.timestamp! >= pending!.dueAt - 5, 'retry 1 waited for its due time');
  // The retry's environment starts when the retry is due (its START follows after the cold start).
  const events = (await second.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}` }))).events ?? [];
  const retryInit = events.find((event) => event.message!.startsWith('INIT_START') && event.timestamp! >= importedAt);
  assert.ok(retryInit, 'the retry ran in a fresh environment after the restart');
  assert.ok(retryInit.timestamp! - Math.max(importedAt, pending!.dueAt) < 300, 'and no later than its remaining delay');
});

test('an overdue retry runs at once after importState', async () => {
  const first = await startTestEmulator({ retryDelaysMs: [200, 10_000] });
  const { name } = createFunction(first.running.emulator);
  await first.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1 }));
  const { requestId } = await invokeEvent(first, name, '{"name":""}');
  await eventually(async () => (first.running.emulator.lambda.pendingEvents()[0]?.attempts === 1 ? true : undefined));
  const state = first.running.emulator.exportState();
  await first.running.close();
  await new Promise((resolve) => setTimeout(resolve, 300));

  const second = await startTestEmulator({ retryDelaysMs: [200, 10_000] });
  second.running.emulator.importState(JSON.parse(JSON.stringify(state)) as Record<string, unknown>);
  await eventually(async () => (settled(second.running.emulator, requestId) ? true : undefined), 5_000);
  assert.equal((await startLines(second.logs, name, requestId)).length, 2);
});

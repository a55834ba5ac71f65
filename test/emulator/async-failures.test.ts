// No event lost in silence: an Event with no payload reaches the DLQ as `{}`, and every failed delivery on the async
// path (DLQ, destination, log write) is counted as the metric AWS emits for it and written to the server's log.
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { DeleteQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { createAsyncFunction } from '../helpers/functions.js';
import { eventually, startTestEmulator } from '../helpers/emulator.js';

const FAILING_HANDLER = `exports.handler = async (event) => {
  if (!event.name) throw new Error('no name');
  return { ok: true };
};`;

const serverLog: string[] = [];
const env = await startTestEmulator({ log: (line) => serverLog.push(line) });
const emulator = env.running.emulator;

/** A failing-unless-named function with a DLQ and a destination queue its role may send to. */
const createFunction = (target: Emulator) => createAsyncFunction(target, 'failures', FAILING_HANDLER);

async function invokeEvent(functionName: string, payload?: string): Promise<string> {
  const output = await env.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      ...(payload === undefined ? {} : { Payload: new TextEncoder().encode(payload) }),
    }),
  );
  assert.equal(output.StatusCode, 202);
  return output.$metadata.requestId!;
}

/** Waits until the event is discarded (AsyncEventsDropped counts it), then returns the function's counters. */
async function discarded(functionName: string) {
  return eventually(async () => {
    const counts = emulator.incidents.snapshot()[functionName];
    return counts?.AsyncEventsDropped ? counts : undefined;
  });
}

test('an Event invoke with no payload reaches the DLQ as body {} with its MD5, after three attempts', async () => {
  const { name, dlq } = createFunction(emulator);
  const requestId = await invokeEvent(name);
  const message = await eventually(async () => {
    const { Messages } = await env.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
    );
    return Messages?.[0];
  });
  assert.equal(message.Body, '{}');
  assert.equal(message.MD5OfBody, '99914b932bd37a50b983c5e7c90ae93b');
  assert.equal(message.MessageAttributes?.RequestID?.StringValue, requestId);
  const counts = await discarded(name);
  assert.deepEqual(counts, { AsyncEventsDropped: 1 });
  assert.ok(serverLog.some((line) => line.includes(requestId) && line.includes(`sent to the dead-letter queue ${dlq.QueueArn}`)));
});

test('a DLQ that no longer exists counts DeadLetterErrors and says so in the server log', async () => {
  const { name, dlq } = createFunction(emulator);
  await env.sqs.send(new DeleteQueueCommand({ QueueUrl: dlq.QueueUrl }));
  const requestId = await invokeEvent(name, '{"name":""}');
  const counts = await discarded(name);
  assert.deepEqual(counts, { DeadLetterErrors: 1, AsyncEventsDropped: 1 });
  const line = serverLog.find((entry) => entry.startsWith(`DeadLetterErrors ${name}:`));
  assert.ok(line?.includes(requestId) && line.includes(dlq.QueueArn), line);
  assert.ok(serverLog.some((entry) => entry.includes(requestId) && entry.includes('no dead-letter queue or destination received it')));
});

test('an on-failure destination queue that no longer exists counts DestinationDeliveryFailures', async () => {
  const { name, destination } = createFunction(emulator);
  await env.lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: name,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: destination.QueueArn } },
    }),
  );
  await env.sqs.send(new DeleteQueueCommand({ QueueUrl: destination.QueueUrl }));
  const requestId = await invokeEvent(name, '{"name":""}');
  const counts = await discarded(name);
  assert.deepEqual(counts, { DestinationDeliveryFailures: 1, AsyncEventsDropped: 1 });
  const line = serverLog.find((entry) => entry.startsWith(`DestinationDeliveryFailures ${name}:`));
  assert.ok(line?.includes(requestId) && line.includes(destination.QueueArn), line);
});

test('a log write that fails counts LogWriteErrors and the invocation still answers', async (t) => {
  const { name } = createFunction(emulator);
  const original = emulator.logs.appendLogEvents;
  emulator.logs.appendLogEvents = () => {
    throw new Error('disk on fire');
  };
  t.after(() => {
    emulator.logs.appendLogEvents = original;
  });
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode('{"name":"x"}') }));
  assert.equal(output.StatusCode, 200);
  const counts = await eventually(async () => emulator.incidents.snapshot()[name]?.LogWriteErrors);
  assert.ok(counts >= 1);
  assert.ok(serverLog.some((line) => line.startsWith(`LogWriteErrors ${name}:`) && line.includes('disk on fire')));
});

test('the health answer carries the incident counters that local status --json shows', async () => {
  const health = (await (await fetch(`${env.url}/_emulator/health`)).json()) as { incidents: Record<string, unknown> };
  assert.deepEqual(health.incidents, emulator.incidents.snapshot());
});

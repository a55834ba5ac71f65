// What the misbehaving-function tests (test/reliability/misbehaving*.test.ts) share, whatever the runtime: invoking,
// finding an invocation's environment, and the scenarios whose observable outcome is the platform's, not the
// runtime's (an endless loop killed at its Timeout, a response over 6 MB).
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import type { TestEmulator } from './emulator.js';

export interface Invocation {
  output: InvokeCommandOutput;
  requestId: string;
  /** The response body as text, byte for byte what the emulator sent (key order included). */
  text: string;
  body: Record<string, unknown>;
}

/** A synchronous Invoke; a function error never changes the HTTP status, so every answer is a 200. */
export async function invoke(env: TestEmulator, functionName: string, event: unknown = {}): Promise<Invocation> {
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  assert.equal(output.StatusCode, 200, 'a function error never changes the HTTP status');
  const text = new TextDecoder().decode(output.Payload);
  return { output, requestId: output.$metadata.requestId!, text, body: JSON.parse(text) as Record<string, unknown> };
}

/** The log stream (one per execution environment) that ran the invocation. */
export async function environmentOf(env: TestEmulator, functionName: string, requestId: string): Promise<string> {
  const { events = [] } = await env.logs.send(
    new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, filterPattern: `"START RequestId: ${requestId}"` }),
  );
  const start = events.find((event) => event.message!.startsWith(`START RequestId: ${requestId}`));
  assert.ok(start, `no START line for ${requestId}`);
  return start.logStreamName!;
}

/**
 * A function stuck in an endless loop (`spinner`, answering "fine" to `{ok: true}`) is killed at its 3 s Timeout while
 * SQS and another function (`healthy`, answering "fine" to `{ok: true}`) keep answering, and its environment is
 * replaced. Returns when the hung call was sent and when it answered, for a caller that also checks the wall clock.
 */
export async function endlessLoopKeepsOthersServing(
  env: TestEmulator,
  spinner: string,
  healthy: string,
  queueName: string,
): Promise<{ startedAt: number; answeredAt: number }> {
  const queueUrl = env.running.emulator.sqs.createQueue(queueName).QueueUrl;
  // Both warm, so the loop starts at once and the other call measures serving, not a cold start.
  await Promise.all([invoke(env, spinner, { ok: true }), invoke(env, healthy, { ok: true })]);
  let spinning = true;
  const startedAt = Date.now();
  let answeredAt = startedAt;
  const hung = invoke(env, spinner).finally(() => {
    spinning = false;
    answeredAt = Date.now();
  });
  await new Promise((resolve) => setTimeout(resolve, 200));

  const [sent, other] = await Promise.all([
    env.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'while it spins' })),
    invoke(env, healthy, { ok: true }),
  ]);
  const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
  assert.ok(spinning, 'the other calls should have answered while the loop ran');
  assert.match(sent.MessageId!, /^[0-9a-f-]{36}$/);
  assert.equal(Messages[0]?.Body, 'while it spins');
  assert.equal(other.body as unknown, 'fine');

  const { output, requestId, body } = await hung;
  assert.equal(output.FunctionError, 'Unhandled');
  assert.equal(body.errorType, 'Sandbox.Timedout');
  assert.match(body.errorMessage as string, new RegExp(`^RequestId: ${requestId} Error: Task timed out after 3\\.\\d\\d seconds$`));
  const next = await invoke(env, spinner, { ok: true });
  assert.equal(next.body as unknown, 'fine');
  assert.notEqual(await environmentOf(env, spinner, next.requestId), await environmentOf(env, spinner, requestId));
  return { startedAt, answeredAt };
}

/**
 * A response over 6 MB (`tooMuch`) answers Function.ResponseSizeTooLarge, byte for byte as AWS writes it, key order
 * included (docs/aws-semantics.md §1.2), and one of exactly 6,291,556 bytes (`justEnough`) goes through. Returns the
 * failing invocation's request id.
 */
export async function responseSizeLimit(env: TestEmulator, tooMuch: string, justEnough: () => string): Promise<string> {
  const { output, requestId, text } = await invoke(env, tooMuch);
  assert.equal(output.FunctionError, 'Unhandled');
  assert.equal(
    text,
    '{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}',
  );
  const { output: fitting } = await invoke(env, justEnough());
  assert.equal(fitting.FunctionError, undefined);
  assert.equal(fitting.Payload!.length, 6_291_556);
  return requestId;
}

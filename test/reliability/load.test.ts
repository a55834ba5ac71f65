// Bursts and contention: 500 failing async events end as exactly 500 DLQ messages after 3 attempts each, 500 good ones
// as none, environments stay within their limit while the rest wait, and 20 SQS consumers share 5,000 messages cleanly.
import { FilterLogEventsCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { eventually, startTestEmulator } from '../helpers/emulator.js';

/** Events per burst; test/stress runs the same tests with more (LOAD_BURST). */
const BURST = Number(process.env.LOAD_BURST ?? 500);
const MAX_ENVIRONMENTS = 3;

const env = await startTestEmulator({ retryDelaysMs: [20, 40], maxEnvironmentsPerFunction: MAX_ENVIRONMENTS });
const { emulator } = env.running;

function functionWithDeadLetterQueue(name: string, code: string): { queueUrl: string } {
  const markers = mkdtempSync(path.join(tmpdir(), `${name}-inside-`));
  after(() => rmSync(markers, { recursive: true, force: true }));
  const queue = emulator.sqs.createQueue(`${name}-dlq`);
  const role = emulator.iam.createRole({
    RoleName: `${name}-role`,
    Policies: [{ PolicyName: 'dlq', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue.QueueArn }] } }],
  });
  emulator.lambda.createFunction({
    FunctionName: name,
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: role.Arn,
    Code: { ZipFile: code },
    DeadLetterConfig: { TargetArn: queue.QueueArn },
    Environment: { Variables: { MARKER_DIR: markers } },
  });
  return { queueUrl: queue.QueueUrl };
}

/**
 * Handler code that reports how many invocations of its function are inside a handler at once: each one drops a marker
 * file in a shared directory, counts the markers, logs `INSIDE <n>`, and removes its marker on the way out. When more
 * than the limit ran at once, the one that entered last sees more markers than the limit.
 */
function countingHandler(outcome: string, insideMs = 5): string {
  return [
    "const fs = require('node:fs');",
    "const path = require('node:path');",
    'exports.handler = async (event, context) => {',
    '  const marker = path.join(process.env.MARKER_DIR, context.awsRequestId + "-" + Math.random());',
    "  fs.writeFileSync(marker, '');",
    "  console.log('INSIDE', fs.readdirSync(process.env.MARKER_DIR).length);",
    `  await new Promise((resolve) => setTimeout(resolve, ${insideMs}));`,
    '  fs.rmSync(marker);',
    `  ${outcome}`,
    '};',
  ].join('\n');
}

/** The most invocations of the function that were inside its handler at the same time, from its INSIDE lines. */
async function mostAtOnce(functionName: string): Promise<number> {
  let most = 0;
  let nextToken: string | undefined;
  do {
    const page = await env.logs.send(
      new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, filterPattern: 'INSIDE', nextToken, limit: 10_000 }),
    );
    for (const event of page.events ?? []) most = Math.max(most, Number(/INSIDE (\d+)/.exec(event.message ?? '')?.[1] ?? 0));
    nextToken = page.nextToken;
  } while (nextToken);
  return most;
}

async function burstOfEvents(functionName: string, count: number): Promise<string[]> {
  const answers = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      env.lambda.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify({ index })) }),
      ),
    ),
  );
  for (const answer of answers) assert.equal(answer.StatusCode, 202);
  return answers.map((answer) => answer.$metadata.requestId!);
}

/** Every START line of the function: RequestId to the timestamps of its attempts, oldest first. */
async function startLines(functionName: string): Promise<Map<string, number[]>> {
  const starts = new Map<string, number[]>();
  let nextToken: string | undefined;
  do {
    const page = await env.logs.send(
      new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, filterPattern: '"START RequestId:"', nextToken, limit: 10_000 }),
    );
    for (const event of page.events ?? []) {
      const requestId = /^START RequestId: ([0-9a-f-]{36}) /.exec(event.message ?? '')?.[1];
      if (requestId) starts.set(requestId, [...(starts.get(requestId) ?? []), event.timestamp!].sort((a, b) => a - b));
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return starts;
}

async function drain(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await env.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['SentTimestamp'] }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
    await env.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }),
    );
  }
}

test('the concurrency count works: two slow invokes at once report INSIDE 2', async () => {
  functionWithDeadLetterQueue('counting-check', countingHandler('return "ok";', 400));
  // Twice: cold starts may not overlap, the two warm environments do.
  for (const round of [1, 2]) {
    await Promise.all([round, round].map(() => env.lambda.send(new InvokeCommand({ FunctionName: 'counting-check' }))));
  }
  assert.equal(await mostAtOnce('counting-check'), 2);
});

test(`a burst of ${BURST} failing async invokes ends with exactly ${BURST} DLQ messages, each after its 3 attempts, with at most ${MAX_ENVIRONMENTS} environments`, async () => {
  const { queueUrl } = functionWithDeadLetterQueue('burst-fails', countingHandler('throw new Error(`no ${event.index}`);'));
  await env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'burst-fails', MaximumRetryAttempts: 2 }));
  const requestIds = await burstOfEvents('burst-fails', BURST);
  // Accepted is not started: most events wait in the queue behind the few environments, none is dropped.
  assert.ok(emulator.lambda.pendingEvents().length > BURST / 2, 'the burst should be queued, not run at once');

  await eventually(async () => (emulator.lambda.pendingEvents().length === 0 ? true : undefined), 120_000);
  const concurrent = await mostAtOnce('burst-fails');
  assert.ok(concurrent >= 1 && concurrent <= MAX_ENVIRONMENTS, `${concurrent} invocations ran at once`);
  const { logStreams = [] } = await env.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/burst-fails' }));
  assert.ok(logStreams.length <= MAX_ENVIRONMENTS, `${logStreams.length} environments were started`);

  const messages = await drain(queueUrl);
  const starts = await startLines('burst-fails');
  const byRequestId = new Map(messages.map((message) => [message.MessageAttributes!.RequestID!.StringValue!, message]));
  assert.equal(messages.length, BURST, 'one DLQ message per event');
  assert.deepEqual([...byRequestId.keys()].sort(), [...requestIds].sort(), 'the DLQ messages name every event once');
  assert.deepEqual([...starts.keys()].sort(), [...requestIds].sort(), 'every event, and nothing else, was attempted');
  for (const requestId of requestIds) {
    const attempts = starts.get(requestId)!;
    assert.equal(attempts.length, 3, `${requestId}: 1 + MaximumRetryAttempts attempts`);
    const message = byRequestId.get(requestId)!;
    assert.ok(Number(message.Attributes!.SentTimestamp) >= attempts[2]!, `${requestId}: dead-lettered before its last attempt`);
    assert.equal(message.MessageAttributes!.ErrorCode?.StringValue, '200');
    assert.match(message.MessageAttributes!.ErrorMessage?.StringValue ?? '', /^no \d+$/);
  }
  console.log(`failing burst: ${BURST} events, ${messages.length} DLQ messages, ${[...starts.values()].flat().length} attempts, ${concurrent} at once, ${logStreams.length} environments`);
});

test(`a burst of ${BURST} succeeding async invokes runs each once and leaves the DLQ empty`, async () => {
  const { queueUrl } = functionWithDeadLetterQueue('burst-succeeds', countingHandler('return { ok: event.index };'));
  const requestIds = await burstOfEvents('burst-succeeds', BURST);
  await eventually(async () => (emulator.lambda.pendingEvents().length === 0 ? true : undefined), 60_000);
  const concurrent = await mostAtOnce('burst-succeeds');
  assert.ok(concurrent >= 1 && concurrent <= MAX_ENVIRONMENTS, `${concurrent} invocations ran at once`);
  const starts = await startLines('burst-succeeds');
  assert.deepEqual([...starts.keys()].sort(), [...requestIds].sort());
  for (const attempts of starts.values()) assert.equal(attempts.length, 1);
  assert.deepEqual(await drain(queueUrl), []);
});

test('20 consumers sharing 5,000 messages see every one, never two within its visibility timeout, and lose none', async () => {
  const VISIBILITY_SECONDS = 2;
  const MESSAGES = 5000;
  const CONSUMERS = 20;
  const queueUrl = emulator.sqs.createQueue('shared-work', { VisibilityTimeout: String(VISIBILITY_SECONDS) }).QueueUrl;
  const sentIds = new Set<string>();
  for (let batch = 0; batch < MESSAGES / 10; batch++) {
    const { Successful = [], Failed = [] } = await env.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: 10 }, (_, index) => ({ Id: `m${index}`, MessageBody: `work ${batch * 10 + index}` })),
      }),
    );
    assert.deepEqual(Failed, []);
    for (const entry of Successful) sentIds.add(entry.MessageId!);
  }
  assert.equal(sentIds.size, MESSAGES);

  // Every 20th message is "forgotten" by the consumer that got it first, as a crashed worker would: it must come back
  // once its visibility timeout is over, to someone, and then be deleted.
  const abandoned = (message: Message, receiveCount: number) => receiveCount === 1 && parseInt(message.MessageId!.slice(0, 8), 16) % 20 === 0;
  // `at` is when the answer reached the consumer; `firstAt` the server's own time of the message's first delivery.
  const deliveries = new Map<string, Array<{ consumer: number; at: number; firstAt: number }>>();
  const done = new Set<string>();
  const consumer = async (id: number): Promise<void> => {
    while (done.size < MESSAGES) {
      const { Messages = [] } = await env.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp'] }),
      );
      const at = Date.now();
      const toDelete: Message[] = [];
      for (const message of Messages) {
        const firstAt = Number(message.Attributes!.ApproximateFirstReceiveTimestamp);
        deliveries.set(message.MessageId!, [...(deliveries.get(message.MessageId!) ?? []), { consumer: id, at, firstAt }]);
        if (abandoned(message, Number(message.Attributes!.ApproximateReceiveCount))) continue;
        toDelete.push(message);
      }
      if (toDelete.length === 0) continue;
      const { Failed = [] } = await env.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: toDelete.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }),
      );
      assert.deepEqual(Failed, []);
      for (const message of toDelete) done.add(message.MessageId!);
    }
  };
  await Promise.all(Array.from({ length: CONSUMERS }, (_, id) => consumer(id)));

  assert.deepEqual([...deliveries.keys()].sort(), [...sentIds].sort(), 'every message was delivered');
  let redelivered = 0;
  for (const [messageId, seen] of deliveries) {
    const firstWasAbandoned = parseInt(messageId.slice(0, 8), 16) % 20 === 0;
    assert.equal(seen.length, firstWasAbandoned ? 2 : 1, `${messageId} delivered ${seen.length} times`);
    if (seen.length === 2) {
      redelivered++;
      // The second answer arrives after the server handed the message out again, so it can only be early when the
      // server broke the visibility timeout, however slow a busy machine makes the responses.
      assert.ok(seen[1]!.at - seen[1]!.firstAt >= VISIBILITY_SECONDS * 1000, `${messageId} came back within its visibility timeout`);
      assert.equal(seen[1]!.firstAt, seen[0]!.firstAt);
    }
  }
  const { Attributes } = await env.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  assert.deepEqual(Attributes, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  const consumersUsed = new Set([...deliveries.values()].flat().map((delivery) => delivery.consumer)).size;
  console.log(`sqs: ${MESSAGES} messages, ${CONSUMERS} consumers (${consumersUsed} got work), ${redelivered} redelivered after a timeout, 0 lost`);
  assert.ok(redelivered > 0 && consumersUsed > 1);
});

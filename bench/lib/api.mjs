// The API benches, through the real AWS SDK v3 with keep-alive: stack create, Invoke, SQS throughput and queue depth.
import { Agent } from 'node:http';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { percentile } from './stats.mjs';

/** One keep-alive agent per server, shared by its clients: every timed call reuses a warm connection. */
export function clientsFor(url) {
  const httpAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const shared = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { httpAgent },
    // A failed call must show in the figures, never be hidden by an SDK retry.
    maxAttempts: 1,
  };
  const clients = {
    cfn: new CloudFormationClient(shared),
    lambda: new LambdaClient(shared),
    sqs: new SQSClient(shared),
  };
  return {
    ...clients,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
      httpAgent.destroy();
    },
  };
}

/** Calls `probe` back to back until it returns a value: the bench measures when the state holds, not a poll interval. */
async function spinUntil(probe, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms.`);
  }
}

/**
 * CreateChangeSet -> change set CREATE_COMPLETE -> ExecuteChangeSet -> the stack's final status.
 * @returns {Promise<{ ms: number, status: string, reason?: string }>}
 */
export async function createStack(cfn, { stackName, templateBody, parameters, timeoutMs = 60_000 }) {
  const startedAt = performance.now();
  const { Id: changeSetId } = await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: `bench-${Date.now()}`,
      ChangeSetType: 'CREATE',
      TemplateBody: templateBody,
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  const changeSet = await spinUntil(async () => {
    const described = await cfn.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetId }));
    return described.Status === 'CREATE_COMPLETE' || described.Status === 'FAILED' ? described : undefined;
  }, timeoutMs);
  if (changeSet.Status === 'FAILED') {
    return { ms: performance.now() - startedAt, status: 'CHANGE_SET_FAILED', reason: changeSet.StatusReason };
  }
  await cfn.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetId }));
  const stack = await spinUntil(async () => {
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const status = Stacks[0]?.StackStatus ?? '';
    return status.endsWith('_IN_PROGRESS') ? undefined : Stacks[0];
  }, timeoutMs);
  return { ms: performance.now() - startedAt, status: stack.StackStatus, reason: stack.StackStatusReason };
}

export async function deleteStack(cfn, stackName, timeoutMs = 60_000) {
  await cfn.send(new DeleteStackCommand({ StackName: stackName }));
  await spinUntil(async () => {
    try {
      const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
      const status = Stacks[0]?.StackStatus ?? 'DELETE_COMPLETE';
      return status.endsWith('_IN_PROGRESS') ? undefined : status;
    } catch {
      return 'gone';
    }
  }, timeoutMs);
}

const encoder = new TextEncoder();

/**
 * Sync Invoke latency: the first call (a cold start: a new execution environment) and `warmCalls` more.
 * @returns {Promise<{ coldMs: number, warmP50Ms: number, warmP99Ms: number }>}
 */
export async function invokeLatency(lambda, functionName, warmCalls) {
  const payload = encoder.encode(JSON.stringify({ from: 'sync', name: 'bench' }));
  const call = async () => {
    const startedAt = performance.now();
    const result = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: payload }));
    const ms = performance.now() - startedAt;
    if (result.StatusCode !== 200 || result.FunctionError) throw new Error(`Invoke answered ${result.StatusCode} ${result.FunctionError ?? ''}`);
    return ms;
  };
  const coldMs = await call();
  const warm = [];
  for (let index = 0; index < warmCalls; index += 1) warm.push(await call());
  return { coldMs, warmP50Ms: percentile(warm, 0.5), warmP99Ms: percentile(warm, 0.99) };
}

/** Event invokes one after another for `count` calls: how many 202s per second the server acknowledges. */
export async function asyncAcceptanceRate(lambda, functionName, count) {
  const payload = encoder.encode(JSON.stringify({ from: 'async', name: 'bench' }));
  const startedAt = performance.now();
  for (let index = 0; index < count; index += 1) {
    const result = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: payload }));
    if (result.StatusCode !== 202) throw new Error(`Event invoke answered ${result.StatusCode}`);
  }
  return count / ((performance.now() - startedAt) / 1000);
}

export async function createQueue(sqs, name) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return QueueUrl;
}

export async function deleteQueue(sqs, queueUrl) {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
}

/**
 * `count` sequential SendMessage calls, then ReceiveMessage (10 at a time) and DeleteMessage of each until all are
 * gone. Rates are operations per second: SendMessage calls, and messages received and deleted.
 */
export async function sqsThroughput(sqs, queueUrl, count) {
  const sendStartedAt = performance.now();
  for (let index = 0; index < count; index += 1) {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `{"bench":${index}}` }));
  }
  const sendSeconds = (performance.now() - sendStartedAt) / 1000;

  const receiveStartedAt = performance.now();
  let deleted = 0;
  let emptyReceives = 0;
  while (deleted < count) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) {
      // SQS may answer a short poll empty while messages remain (it samples servers); give up only if it persists.
      emptyReceives += 1;
      if (emptyReceives > 50) throw new Error(`Only ${deleted} of ${count} messages came back.`);
      continue;
    }
    for (const message of Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      deleted += 1;
    }
  }
  const receiveSeconds = (performance.now() - receiveStartedAt) / 1000;
  return { sendPerSecond: count / sendSeconds, receiveDeletePerSecond: count / receiveSeconds };
}

/**
 * Fills a queue to `depth` messages with SendMessageBatch (10 per call), 8 calls in flight: a durable server writes its
 * whole state per acknowledged change, and calls that finish together share one write.
 */
export async function fillQueue(sqs, queueUrl, depth) {
  let next = 0;
  const sendBatches = async () => {
    while (next < depth) {
      const start = next;
      next = Math.min(depth, next + 10);
      const entries = [];
      for (let index = start; index < next; index += 1) entries.push({ Id: `m${index}`, MessageBody: `{"depth":${index}}` });
      const { Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if (Failed.length) throw new Error(`SendMessageBatch failed for ${Failed.length} entries: ${Failed[0].Message}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, sendBatches));
}

/**
 * ReceiveMessage of 10 with VisibilityTimeout 0, `calls` times: the messages stay visible, so the queue keeps its depth
 * while it is measured. Returns the median latency in ms.
 */
export async function receiveLatency(sqs, queueUrl, calls) {
  const samples = [];
  for (let index = 0; index < calls; index += 1) {
    const startedAt = performance.now();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }),
    );
    samples.push(performance.now() - startedAt);
    if (Messages.length === 0) throw new Error('The queue answered empty while it should hold messages.');
  }
  return percentile(samples, 0.5);
}

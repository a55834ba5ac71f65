// kill -9 of the local server while SendMessage calls stream in, then a restart: the loop the persistence tests repeat.
import assert from 'node:assert/strict';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Sandbox } from './local-cli.js';
import { waitUntilGone } from './local-cli.js';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
/** Senders at once: enough that some request is always between "received" and "acknowledged" when the kill lands. */
const SENDERS = 4;

export function sqsClientFor(url: string): SQSClient {
  // One attempt: a send the kill cut off must fail, not be retried into the next server and muddle the count.
  return new SQSClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
}

/** Kills the server with SIGKILL and waits until its process is gone. */
export async function killServer(sandbox: Sandbox): Promise<number> {
  const pid = sandbox.serverPid();
  assert.ok(pid, 'a server runs');
  process.kill(pid, 'SIGKILL');
  assert.ok(await waitUntilGone(pid, 5_000), 'the killed server is gone');
  return pid;
}

export async function startServer(sandbox: Sandbox, extra: string[] = []): Promise<void> {
  const { code, stderr } = await sandbox.cli(['local', 'start', '-d', ...extra]);
  assert.equal(code, 0, stderr);
}

/**
 * For each delay: senders stream SendMessage calls; `delayMs` after the first acknowledgement the server is killed
 * (-9) and started again. Returns every acknowledged MessageId with its body, and the queue's URL.
 */
export async function sendKillRestart(sandbox: Sandbox, delaysMs: number[]): Promise<{ acknowledged: Map<string, string>; queueUrl: string }> {
  let sqs = sqsClientFor(sandbox.url);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'survivors' }));
  assert.ok(QueueUrl);
  const acknowledged = new Map<string, string>();
  try {
    for (const [round, delayMs] of delaysMs.entries()) {
      let firstAck!: () => void;
      const acked = new Promise<void>((resolve) => (firstAck = resolve));
      const client = sqs;
      const sender = async (lane: number) => {
        for (let index = 0; ; index += 1) {
          const body = `round ${round} lane ${lane} message ${index}`;
          try {
            const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
            if (MessageId) acknowledged.set(MessageId, body);
            firstAck();
          } catch {
            return; // the server is gone: what was not acknowledged may or may not have made it
          }
        }
      };
      const senders = Array.from({ length: SENDERS }, (_, lane) => sender(lane));
      await Promise.race([acked, Promise.all(senders)]);
      assert.ok(acknowledged.size > 0, `round ${round}: the server acknowledged nothing`);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await killServer(sandbox);
      await Promise.all(senders);
      client.destroy();
      await startServer(sandbox);
      sqs = sqsClientFor(sandbox.url);
    }
  } finally {
    sqs.destroy();
  }
  return { acknowledged, queueUrl: QueueUrl };
}

/** Every message the queue holds (received with a long visibility timeout, so each is seen once), by MessageId. */
export async function drainQueue(url: string, queueUrl: string): Promise<Map<string, string>> {
  const sqs = sqsClientFor(url);
  const held = new Map<string, string>();
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return held;
      for (const message of Messages) held.set(message.MessageId!, message.Body ?? '');
    }
  } finally {
    sqs.destroy();
  }
}

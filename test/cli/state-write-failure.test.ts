// A real disk that refuses writes, with no root needed: a file-size limit (ulimit -f) makes the detached server's
// journal writes fail with EFBIG. The request gets 500 InternalFailure, `local status` and server.log say so, and
// nothing acknowledged is lost. (test/emulator/persistence.test.ts fills a real tmpfs where mount is allowed.)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { drainQueue, killServer, sqsClientFor, startServer } from '../helpers/kill-restart.js';
import { BIN, createSandbox } from '../helpers/local-cli.js';

const bash = spawnSync('bash', ['-c', 'ulimit -f 64'], { encoding: 'utf8' });
const skip = process.platform !== 'linux' || bash.status !== 0 ? 'needs Linux and bash (ulimit -f)' : false;

test('a state write the disk refuses (EFBIG) answers 500 InternalFailure, shows in local status and server.log, and loses nothing acknowledged', { skip }, async () => {
  const sandbox = await createSandbox();
  // 64 KiB per file for the server and all it starts: the journal reaches it after a few messages.
  const started = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-c', `ulimit -f 64; exec "${process.execPath}" "${BIN}" local start -d`], { env: sandbox.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(started.code, 0, started.stderr);

  const sqs = sqsClientFor(sandbox.url);
  const acknowledged = new Map<string, string>();
  let refused: { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  let queueUrl = '';
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'file-size-limit' }));
    queueUrl = QueueUrl!;
    for (let index = 0; index < 40 && !refused; index++) {
      const body = `${index} ${'x'.repeat(8_000)}`;
      try {
        const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
        acknowledged.set(MessageId!, body);
      } catch (error) {
        refused = error as typeof refused;
      }
    }
    assert.ok(refused, 'the file-size limit never refused a write');
    assert.equal(refused.name, 'InternalFailure');
    assert.equal(refused.$metadata?.httpStatusCode, 500);
    assert.ok(acknowledged.size > 0, 'some sends were acknowledged before the limit');
    // Reads go on while writes fail.
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  } finally {
    sqs.destroy();
  }

  const status = await sandbox.cli(['local', 'status', '--json']);
  assert.equal(status.code, 0, status.stderr);
  const { incidents } = JSON.parse(status.stdout) as { incidents: Record<string, Record<string, number>> };
  assert.ok((incidents['(server)']?.StateWriteErrors ?? 0) >= 1, status.stdout);
  assert.match(readFileSync(join(sandbox.stateDir, 'server.log'), 'utf8'), /StateWriteErrors \(server\): a state write failed: EFBIG/);

  await killServer(sandbox);
  await startServer(sandbox);
  try {
    const held = await drainQueue(sandbox.url, queueUrl);
    const lost = [...acknowledged].filter(([messageId, body]) => held.get(messageId) !== body);
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged messages lost`);
  } finally {
    await sandbox.stopServer();
  }
});

// The emulator's SQS over JSON 1.0, driven by the real @aws-sdk/client-sqs (plus botocore and AWS CLI v1 when present).
import {
  BatchEntryIdsNotDistinct,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidBatchEntryId,
  InvalidMessageContents,
  ListQueuesCommand,
  ListQueueTagsCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UntagQueueCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import type { EmulatorContext } from '../../src/emulator/context.js';
import { SIGNED_SHAPE } from '../helpers/raw-request.js';
import { ServiceError } from '../../src/emulator/errors.js';
import { md5OfMessageAttributes } from '../../src/emulator/services/sqs/md5.js';
import { SqsService } from '../../src/emulator/services/sqs/service.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';

const run = promisify(execFile);
const ACCOUNT = '000000000000';

const emulator: TestEmulator = await startTestEmulator();
const sqs: SQSClient = emulator.sqs;
let queueCounter = 0;

async function newQueue(attributes?: Record<string, string>): Promise<string> {
  const name = `q${++queueCounter}-${process.pid}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl!;
}

/** An SqsService on its own, as a restarted emulator would build it, without an HTTP server. */
function standaloneSqs(): SqsService {
  const ctx = {
    region: 'us-east-1',
    accountId: ACCOUNT,
    baseUrl: () => 'http://127.0.0.1:4566',
    now: () => Date.now(),
    stateChanged: () => {},
    touch: () => {},
  } as unknown as EmulatorContext;
  return new SqsService(ctx);
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

async function attributes(QueueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  return Attributes as Record<string, string>;
}

async function rejection(promise: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SQSServiceException, `expected an SQSServiceException, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

test('MD5OfMessageAttributes reproduces the four reference vectors of docs/aws-semantics.md §5.4', () => {
  const binary = Buffer.from('Hello binary world!').toString('base64');
  assert.equal(md5OfMessageAttributes({ Foo: { DataType: 'String', StringValue: 'Bar' } }), 'ae7155c6026991b6d54b11589678bf9c');
  assert.equal(
    md5OfMessageAttributes({ attribName1: { DataType: 'String', StringValue: 'attribValue 1' } }),
    '19e27d4e946b072f3f58da80d94fd778',
  );
  assert.equal(
    md5OfMessageAttributes({ binaryAttribute: { DataType: 'Binary', BinaryValue: binary } }),
    '31a92b15d92f8db860eda32aceb656c3',
  );
  assert.equal(
    md5OfMessageAttributes({
      customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' },
      binaryAttribute: { DataType: 'Binary', BinaryValue: binary },
      attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
    }),
    'c932db14a896c663f83c260297d594ff',
  );
  assert.equal(md5OfMessageAttributes({}), undefined);
});

test('CreateQueue returns a URL on the emulator; GetQueueUrl and GetQueueAttributes agree with AWS defaults', async () => {
  const name = `create-${process.pid}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }));
  assert.equal(QueueUrl, `${emulator.url}/${ACCOUNT}/${name}`);
  assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, QueueUrl);

  const all = await attributes(QueueUrl!);
  assert.equal(all.QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`);
  assert.equal(all.VisibilityTimeout, '45');
  assert.equal(all.MessageRetentionPeriod, '345600');
  assert.equal(all.MaximumMessageSize, '1048576');
  assert.equal(all.DelaySeconds, '0');
  assert.equal(all.ReceiveMessageWaitTimeSeconds, '0');
  assert.equal(all.ApproximateNumberOfMessages, '0');
  assert.equal(all.ApproximateNumberOfMessagesNotVisible, '0');
  assert.equal(all.ApproximateNumberOfMessagesDelayed, '0');
  // Queue timestamps are epoch seconds, unlike message timestamps (§5.5).
  assert.ok(Math.abs(Number(all.CreatedTimestamp) - Date.now() / 1000) < 5, all.CreatedTimestamp);
  assert.equal(all.LastModifiedTimestamp, all.CreatedTimestamp);

  const some = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  assert.deepEqual(Object.keys(some.Attributes!), ['QueueArn']);
  const none = await sqs.send(new GetQueueAttributesCommand({ QueueUrl }));
  assert.equal(none.Attributes, undefined);
});

test('CreateQueue is idempotent with identical attributes and fails with QueueNameExists on a different value', async () => {
  const name = `idem-${process.pid}`;
  const first = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '2' } }));
  const again = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '2', VisibilityTimeout: '30' } }));
  assert.equal(again.QueueUrl, first.QueueUrl);
  const error = await rejection(sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '3' } })));
  assert.ok(error instanceof QueueNameExists);
  assert.equal(error.message, 'A queue already exists with the same name and a different value for attribute DelaySeconds');
  assert.equal((error as unknown as { Code: string }).Code, 'QueueAlreadyExists');
});

test('send, receive and delete round trip with AWS MD5s, system attributes as strings and message attributes', async () => {
  const QueueUrl = await newQueue();
  const before = Date.now();
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: 'msg',
      MessageAttributes: {
        Foo: { DataType: 'String', StringValue: 'Bar' },
        Count: { DataType: 'Number', StringValue: '42' },
        Blob: { DataType: 'Binary', BinaryValue: Uint8Array.of(1, 2, 255) },
      },
    }),
  );
  assert.equal(sent.MD5OfMessageBody, '6e2baaf3b97dbeef01c0043275f9a0e7');
  assert.equal(
    sent.MD5OfMessageAttributes,
    md5OfMessageAttributes({
      Foo: { DataType: 'String', StringValue: 'Bar' },
      Count: { DataType: 'Number', StringValue: '42' },
      Blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 255]).toString('base64') },
    }),
  );
  assert.match(sent.MessageId!, /^[0-9a-f-]{36}$/);

  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
  );
  assert.equal(Messages?.length, 1);
  const message = Messages![0]!;
  assert.equal(message.MessageId, sent.MessageId);
  assert.equal(message.Body, 'msg');
  assert.equal(message.MD5OfBody, md5('msg'));
  assert.equal(message.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual(message.MessageAttributes?.Foo, { DataType: 'String', StringValue: 'Bar' });
  assert.deepEqual(message.MessageAttributes?.Count, { DataType: 'Number', StringValue: '42' });
  assert.deepEqual([...message.MessageAttributes!.Blob!.BinaryValue!], [1, 2, 255]);
  const system = message.Attributes!;
  assert.equal(system.ApproximateReceiveCount, '1');
  assert.equal(system.SenderId, ACCOUNT);
  assert.match(system.SentTimestamp!, /^\d{13}$/);
  assert.ok(Number(system.SentTimestamp) >= before - 1000);
  assert.ok(Number(system.ApproximateFirstReceiveTimestamp) >= Number(system.SentTimestamp));

  assert.equal((await attributes(QueueUrl)).ApproximateNumberOfMessagesNotVisible, '1');
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
  const after = await attributes(QueueUrl);
  assert.equal(after.ApproximateNumberOfMessages, '0');
  assert.equal(after.ApproximateNumberOfMessagesNotVisible, '0');
});

test('receive returns message attributes and their MD5 only when asked, hashing exactly the returned subset', async () => {
  const QueueUrl = await newQueue({ VisibilityTimeout: '0' });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: 'subset',
      MessageAttributes: {
        Foo: { DataType: 'String', StringValue: 'Bar' },
        'bar.one': { DataType: 'String', StringValue: '1' },
        'bar.two': { DataType: 'String', StringValue: '2' },
      },
    }),
  );
  const plain = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!;
  assert.equal(plain.MessageAttributes, undefined);
  assert.equal(plain.MD5OfMessageAttributes, undefined);
  assert.equal(plain.Attributes, undefined);

  // {Foo: String "Bar"} alone hashes to the AWS-recorded value (§5.4).
  const foo = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['Foo'] }))).Messages![0]!;
  assert.deepEqual(Object.keys(foo.MessageAttributes!), ['Foo']);
  assert.equal(foo.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');

  const prefixed = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['bar.*'] }))).Messages![0]!;
  assert.deepEqual(Object.keys(prefixed.MessageAttributes!).sort(), ['bar.one', 'bar.two']);

  const unmatched = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['Nope'] }))).Messages![0]!;
  assert.equal(unmatched.MessageAttributes, undefined);
  assert.equal(unmatched.MD5OfMessageAttributes, undefined);

  const count = (
    // The deprecated AttributeNames still selects message system attributes; the SDK types it with queue names.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['ApproximateReceiveCount' as 'All'] }))
  ).Messages![0]!;
  assert.deepEqual(count.Attributes, { ApproximateReceiveCount: '5' });
});

test('a receive that finds nothing omits Messages from the JSON body', async () => {
  const QueueUrl = await newQueue();
  const response = await fetch(emulator.url, {
    method: 'POST',
    headers: { authorization: SIGNED_SHAPE, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
    body: JSON.stringify({ QueueUrl }),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {});
});

test('a send without attributes returns no MD5OfMessageAttributes', async () => {
  const QueueUrl = await newQueue();
  const response = await fetch(emulator.url, {
    method: 'POST',
    headers: { authorization: SIGNED_SHAPE, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
    body: JSON.stringify({ QueueUrl, MessageBody: 'plain' }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['MD5OfMessageBody', 'MessageId']);
});

test('the visibility timeout hides a received message, then it is delivered again with ApproximateReceiveCount 2', async () => {
  const QueueUrl = await newQueue();
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
  const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1, AttributeNames: ['All'] }));
  assert.equal(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '1');
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);

  // The long poll is answered when the timeout ends, not at the end of its 5 s wait.
  const started = Date.now();
  const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, AttributeNames: ['All'] }));
  const waited = Date.now() - started;
  assert.equal(second.Messages?.[0]?.Body, 'again');
  assert.equal(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '2');
  assert.equal(second.Messages?.[0]?.Attributes?.ApproximateFirstReceiveTimestamp, first.Messages![0]!.Attributes!.ApproximateFirstReceiveTimestamp);
  assert.notEqual(second.Messages?.[0]?.ReceiptHandle, first.Messages?.[0]?.ReceiptHandle);
  assert.ok(waited < 2500, `waited ${waited} ms`);
});

test('a long poll returns as soon as a message is sent', async () => {
  const QueueUrl = await newQueue();
  const started = Date.now();
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
  await new Promise((resolve) => setTimeout(resolve, 150));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
  const { Messages } = await poll;
  const elapsed = Date.now() - started;
  assert.equal(Messages?.[0]?.Body, 'wake up');
  assert.ok(elapsed < 1500, `took ${elapsed} ms`);
});

test('a long poll with nothing to receive returns empty after WaitTimeSeconds', async () => {
  const QueueUrl = await newQueue();
  const started = Date.now();
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  const elapsed = Date.now() - started;
  assert.equal(Messages, undefined);
  assert.ok(elapsed >= 950 && elapsed < 2500, `took ${elapsed} ms`);
});

test('ReceiveMessageWaitTimeSeconds on the queue makes a plain receive long-poll', async () => {
  const QueueUrl = await newQueue({ ReceiveMessageWaitTimeSeconds: '1' });
  const started = Date.now();
  await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.ok(Date.now() - started >= 950);
});

test('DelaySeconds keeps a message in ApproximateNumberOfMessagesDelayed until the delay ends', async () => {
  const QueueUrl = await newQueue();
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 1 }));
  const now = await attributes(QueueUrl);
  assert.equal(now.ApproximateNumberOfMessagesDelayed, '1');
  assert.equal(now.ApproximateNumberOfMessages, '0');
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 3 }));
  assert.equal(Messages?.[0]?.Body, 'later');
});

test('ChangeMessageVisibility to 0 makes a message receivable at once; on a visible message it is MessageNotInflight', async () => {
  const QueueUrl = await newQueue();
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'vis' }));
  const [message] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!;
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: message!.ReceiptHandle, VisibilityTimeout: 0 }));
  assert.equal((await attributes(QueueUrl)).ApproximateNumberOfMessages, '1');
  const error = await rejection(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: message!.ReceiptHandle, VisibilityTimeout: 10 })),
  );
  assert.ok(error instanceof MessageNotInflight);

  const [again] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!;
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again!.ReceiptHandle }));
  const gone = await rejection(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again!.ReceiptHandle, VisibilityTimeout: 10 })),
  );
  assert.equal(gone.name, 'InvalidParameterValue');
  assert.equal(
    gone.message,
    `Value ${again!.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
  );
});

test('a stale receipt handle does not delete a message that a later receive holds', async () => {
  const QueueUrl = await newQueue();
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'held' }));
  const [early] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }))).Messages!;
  const [late] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!;
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: early!.ReceiptHandle }));
  assert.equal((await attributes(QueueUrl)).ApproximateNumberOfMessagesNotVisible, '1');
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: late!.ReceiptHandle }));
  assert.equal((await attributes(QueueUrl)).ApproximateNumberOfMessagesNotVisible, '0');
});

test('missing queues raise the named QueueDoesNotExist exception with the legacy query code', async () => {
  const missing = await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })));
  assert.ok(missing instanceof QueueDoesNotExist);
  assert.equal(missing.message, 'The specified queue does not exist.');
  assert.equal(missing.$metadata.httpStatusCode, 400);
  assert.equal((missing as unknown as { Code: string }).Code, 'AWS.SimpleQueueService.NonExistentQueue');

  const QueueUrl = await newQueue();
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  const afterDelete = await rejection(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
  assert.ok(afterDelete instanceof QueueDoesNotExist);
});

test('out-of-range receive parameters fail with InvalidParameterValue and AWS messages', async () => {
  const QueueUrl = await newQueue();
  for (const [input, message] of [
    [{ MaxNumberOfMessages: 11 }, 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.'],
    [{ MaxNumberOfMessages: 0 }, 'Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.'],
    [{ WaitTimeSeconds: 21 }, 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.'],
  ] as const) {
    const error = await rejection(sqs.send(new ReceiveMessageCommand({ QueueUrl, ...input })));
    assert.equal(error.name, 'InvalidParameterValue');
    assert.equal(error.message, message);
    assert.equal(error.$metadata.httpStatusCode, 400);
  }
});

test('message bodies: over 1 MiB, empty and with disallowed characters fail as on AWS', async () => {
  const QueueUrl = await newQueue();
  const big = await rejection(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1_048_577) })));
  assert.equal(big.name, 'InvalidParameterValue');
  assert.equal(big.message, 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.');
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1_048_576) }));

  const empty = await rejection(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '' })));
  assert.equal(empty.name, 'MissingParameter');
  assert.equal(empty.message, 'The request must contain the parameter MessageBody.');

  const control = await rejection(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bell\u0007' })));
  assert.ok(control instanceof InvalidMessageContents);
  assert.match(control.message, /^Invalid characters found\./);
  // Tabs, newlines and astral characters are allowed.
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'tab\tnew\nline 🎉' }));
});

test('a second PurgeQueue within 60 s fails with PurgeQueueInProgress (HTTP 403)', async () => {
  const QueueUrl = await newQueue();
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'purge me' }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  assert.equal((await attributes(QueueUrl)).ApproximateNumberOfMessages, '0');
  const error = await rejection(sqs.send(new PurgeQueueCommand({ QueueUrl })));
  assert.ok(error instanceof PurgeQueueInProgress);
  assert.equal(error.$metadata.httpStatusCode, 403);
  assert.equal(error.message, `Only one PurgeQueue operation on ${QueueUrl.split('/').pop()} is allowed every 60 seconds.`);
});

test('queue attribute names and values are validated with InvalidAttributeName and InvalidAttributeValue', async () => {
  const QueueUrl = await newQueue();
  const name = await rejection(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Bogus' as 'All'] })));
  assert.ok(name instanceof InvalidAttributeName);
  assert.equal(name.message, 'Unknown Attribute Bogus.');
  const value = await rejection(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '43201' } })));
  assert.ok(value instanceof InvalidAttributeValue);
  assert.equal(value.message, 'Invalid value for the parameter VisibilityTimeout.');

  const before = await attributes(QueueUrl);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '5', DelaySeconds: '1' } }));
  const after = await attributes(QueueUrl);
  assert.equal(after.VisibilityTimeout, '5');
  assert.equal(after.DelaySeconds, '1');
  assert.ok(Number(after.LastModifiedTimestamp) >= Number(before.LastModifiedTimestamp));
});

test('batch requests: whole-request errors are named exceptions, per-entry errors land in Failed', async () => {
  const QueueUrl = await newQueue();
  assert.ok((await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })))) instanceof EmptyBatchRequest);
  const tooMany = await rejection(
    sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'b' })) })),
  );
  assert.ok(tooMany instanceof TooManyEntriesInBatchRequest);
  assert.equal(tooMany.message, 'Maximum number of entries per request are 10. You have sent 11.');
  const repeated = await rejection(
    sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: '1' }, { Id: 'a', MessageBody: '2' }] })),
  );
  assert.ok(repeated instanceof BatchEntryIdsNotDistinct);
  const badId = await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'no spaces', MessageBody: '1' }] })));
  assert.ok(badId instanceof InvalidBatchEntryId);

  const mixed = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: 'good', MessageBody: 'fine', MessageAttributes: { Foo: { DataType: 'String', StringValue: 'Bar' } } },
        { Id: 'bad', MessageBody: '' },
      ],
    }),
  );
  assert.equal(mixed.Successful?.length, 1);
  assert.equal(mixed.Successful?.[0]?.Id, 'good');
  assert.equal(mixed.Successful?.[0]?.MD5OfMessageBody, md5('fine'));
  assert.equal(mixed.Successful?.[0]?.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');
  assert.deepEqual(mixed.Failed, [
    { Id: 'bad', SenderFault: true, Code: 'MissingParameter', Message: 'The request must contain the parameter MessageBody.' },
  ]);

  const [received] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!;
  const deleted = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: 'real', ReceiptHandle: received!.ReceiptHandle },
        { Id: 'fake', ReceiptHandle: 'garbage' },
      ],
    }),
  );
  assert.deepEqual(deleted.Successful, [{ Id: 'real' }]);
  assert.deepEqual(deleted.Failed, [
    { Id: 'fake', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "garbage" is not a valid receipt handle.' },
  ]);
  const single = await rejection(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'garbage' })));
  assert.ok(single instanceof ReceiptHandleIsInvalid);
});

test('10 concurrent consumers over 1,000 messages see each message exactly once while deleting', async () => {
  const QueueUrl = await newQueue();
  const sent = new Set<string>();
  await Promise.all(
    Array.from({ length: 100 }, async (_, batch) => {
      const { Successful } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `message ${batch * 10 + i}` })),
        }),
      );
      for (const entry of Successful!) sent.add(entry.MessageId!);
    }),
  );
  assert.equal(sent.size, 1000);

  const seen: string[] = [];
  const consumer = async () => {
    for (;;) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (!Messages) return;
      for (const message of Messages) seen.push(message.MessageId!);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((message: Message, i: number) => ({ Id: `d${i}`, ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 10 }, consumer));
  assert.equal(seen.length, 1000);
  assert.equal(new Set(seen).size, 1000);
  assert.deepEqual(new Set(seen), sent);
  const left = await attributes(QueueUrl);
  assert.equal(left.ApproximateNumberOfMessages, '0');
  assert.equal(left.ApproximateNumberOfMessagesNotVisible, '0');
});

test('ListQueues filters by prefix and paginates with MaxResults and NextToken', async () => {
  const prefix = `list-${process.pid}-`;
  for (const suffix of ['a', 'b', 'c']) await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}${suffix}` }));
  const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
  assert.deepEqual(all.QueueUrls, ['a', 'b', 'c'].map((suffix) => `${emulator.url}/${ACCOUNT}/${prefix}${suffix}`));
  assert.equal(all.NextToken, undefined);
  const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
  assert.equal(page1.QueueUrls?.length, 2);
  const page2 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: page1.NextToken }));
  assert.deepEqual(page2.QueueUrls, [`${emulator.url}/${ACCOUNT}/${prefix}c`]);
  assert.equal(page2.NextToken, undefined);
  assert.equal((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'nothing-here' }))).QueueUrls, undefined);
});

test('TagQueue, ListQueueTags and UntagQueue keep a queue tag map', async () => {
  const name = `tags-${process.pid}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, tags: { team: 'a' } }));
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { stage: 'dev' } }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: 'a', stage: 'dev' });
  await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team', 'stage'] }));
  assert.equal((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, undefined);
});

test('a queue URL saved with another host and port still names the queue', async () => {
  const QueueUrl = await newQueue();
  const elsewhere = QueueUrl.replace(emulator.url, 'http://localhost:1');
  await sqs.send(new SendMessageCommand({ QueueUrl: elsewhere, MessageBody: 'moved' }));
  assert.equal((await attributes(QueueUrl)).ApproximateNumberOfMessages, '1');
});

test('an SDK client without an endpoint follows the queue URL to the emulator', async () => {
  const QueueUrl = await newQueue();
  const warnings: unknown[] = [];
  const client = new SQSClient({
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    logger: { debug() {}, info() {}, warn: (...args: unknown[]) => warnings.push(args), error() {} },
  });
  try {
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'no endpoint' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(Messages?.[0]?.Body, 'no endpoint');
  } finally {
    client.destroy();
  }
});

test('messages whose receive count passes maxReceiveCount move to the RedrivePolicy dead-letter queue', async () => {
  const dlqUrl = await newQueue();
  const dlqArn = (await attributes(dlqUrl)).QueueArn!;
  const QueueUrl = await newQueue({
    VisibilityTimeout: '0',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '2' }),
  });
  assert.equal((await attributes(QueueUrl)).RedrivePolicy, JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.length, 1);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.length, 1);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  const [moved] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, AttributeNames: ['All'] }))).Messages!;
  assert.equal(moved!.Body, 'poison');
  assert.equal(moved!.Attributes?.DeadLetterQueueSourceArn, (await attributes(QueueUrl)).QueueArn);
});

test('internal API: createQueue, queueUrlFromArn, sendMessage by ARN and deleteQueue', async () => {
  const service = emulator.running.emulator.sqs;
  const name = `internal-${process.pid}`;
  const created = service.createQueue(name, { MessageRetentionPeriod: '1209600' }, { owner: 'stack' });
  assert.deepEqual(created, {
    QueueUrl: `${emulator.url}/${ACCOUNT}/${name}`,
    QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
  });
  assert.deepEqual(service.createQueue(name, { MessageRetentionPeriod: '1209600' }), created);
  assert.equal(service.queueUrlFromArn(created.QueueArn), created.QueueUrl);
  assert.equal(service.queueUrlFromArn(`arn:aws:sqs:us-east-1:${ACCOUNT}:absent`), undefined);

  const { MessageId } = service.sendMessage(created.QueueArn, '{"name":""}', {
    RequestID: { DataType: 'String', StringValue: 'req-1' },
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    Raw: { DataType: 'Binary', BinaryValue: Uint8Array.of(7) },
  });
  const [message] = (
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: created.QueueUrl, MessageAttributeNames: ['All'] }))
  ).Messages!;
  assert.equal(message!.MessageId, MessageId);
  assert.equal(message!.Body, '{"name":""}');
  assert.deepEqual(message!.MessageAttributes?.ErrorCode, { DataType: 'Number', StringValue: '200' });
  assert.deepEqual([...message!.MessageAttributes!.Raw!.BinaryValue!], [7]);

  service.deleteQueue(created.QueueArn);
  service.deleteQueue(created.QueueArn);
  assert.throws(
    () => service.sendMessage(created.QueueUrl, 'gone'),
    (error: unknown) => error instanceof ServiceError && error.code === 'QueueDoesNotExist',
  );
});

test('exportState/importState round trip keeps queues, visible and in-flight messages as plain JSON', async () => {
  const source = emulator.running.emulator;
  const QueueUrl = await newQueue({ VisibilityTimeout: '60' });
  const name = QueueUrl.split('/').pop()!;
  for (const body of ['one', 'two', 'three']) {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: { K: { DataType: 'String', StringValue: body } } }));
  }
  await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1 }));
  const state = source.sqs.exportState();
  assert.deepEqual(JSON.parse(JSON.stringify(state)), state);

  const restored = standaloneSqs();
  restored.importState(JSON.parse(JSON.stringify(state)));
  const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
  const url = restored.queueUrlFromArn(arn)!;
  assert.equal(url, `http://127.0.0.1:4566/${ACCOUNT}/${name}`);
  const counts = await restored.operations.GetQueueAttributes!({ QueueUrl: url, AttributeNames: ['All'] }, { requestId: 'r' }) as {
    Attributes: Record<string, string>;
  };
  assert.equal(counts.Attributes.ApproximateNumberOfMessages, '1');
  assert.equal(counts.Attributes.ApproximateNumberOfMessagesNotVisible, '2');
  assert.equal(counts.Attributes.VisibilityTimeout, '60');

  // The one-second window ends while "down"; importing later makes that message visible again.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const later = standaloneSqs();
  later.importState(JSON.parse(JSON.stringify(state)));
  const received = (await later.operations.ReceiveMessage!(
    { QueueUrl: url, MaxNumberOfMessages: 10, AttributeNames: ['ApproximateReceiveCount'], MessageAttributeNames: ['All'] },
    { requestId: 'r' },
  )) as { Messages: Array<{ Body: string; Attributes: Record<string, string>; MD5OfMessageAttributes: string }> };
  assert.deepEqual(received.Messages.map((message) => message.Body).sort(), ['three', 'two']);
  const redelivered = received.Messages.find((message) => message.Body === 'two')!;
  assert.equal(redelivered.Attributes.ApproximateReceiveCount, '2');
  assert.equal(redelivered.MD5OfMessageAttributes, md5OfMessageAttributes({ K: { DataType: 'String', StringValue: 'two' } }));
  await Promise.all([restored.close(), later.close()]);
});

test('close() answers pending long polls with no messages', async () => {
  const own = standaloneSqs();
  own.createQueue('closing');
  const started = Date.now();
  const poll = own.operations.ReceiveMessage!({ QueueUrl: `x/${ACCOUNT}/closing`, WaitTimeSeconds: 20 }, { requestId: 'r' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await own.close();
  assert.deepEqual(await poll, {});
  assert.ok(Date.now() - started < 1000);
});

// Independent clients: botocore (JSON 1.0 with x-amzn-query-mode) and the AWS CLI v1, when installed.

async function boto3Available(): Promise<boolean> {
  try {
    await run('python3', ['-c', 'import boto3'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

test('botocore raises client.exceptions.QueueDoesNotExist and prints the legacy code', async (t) => {
  if (!(await boto3Available())) {
    t.skip('python3 with boto3 is not installed');
    return;
  }
  const script = `
import boto3, json
c = boto3.client('sqs', endpoint_url='${emulator.url}', region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
out = {}
try:
    c.get_queue_url(QueueName='missing-for-boto')
except c.exceptions.QueueDoesNotExist as e:
    out['error'] = e.response['Error']
    out['text'] = str(e)
u = c.create_queue(QueueName='boto-${process.pid}')['QueueUrl']
c.send_message(QueueUrl=u, MessageBody='from boto', MessageAttributes={'B': {'DataType': 'Binary', 'BinaryValue': b'\\x01\\x02'}})
m = c.receive_message(QueueUrl=u, MessageAttributeNames=['All'], MessageSystemAttributeNames=['All'])['Messages'][0]
out['body'] = m['Body']
out['binary'] = list(m['MessageAttributes']['B']['BinaryValue'])
out['count'] = m['Attributes']['ApproximateReceiveCount']
print(json.dumps(out))
`;
  const { stdout } = await run('python3', ['-c', script], { timeout: 30_000 });
  const out = JSON.parse(stdout) as { error: Record<string, string>; text: string; body: string; binary: number[]; count: string };
  assert.equal(out.error.Code, 'AWS.SimpleQueueService.NonExistentQueue');
  assert.equal(out.error.QueryErrorCode, 'QueueDoesNotExist');
  assert.equal(out.error.Message, 'The specified queue does not exist.');
  assert.equal(
    out.text,
    'An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist.',
  );
  assert.equal(out.body, 'from boto');
  assert.deepEqual(out.binary, [1, 2]);
  assert.equal(out.count, '1');
});

test('AWS CLI v1 sends and receives messages with --endpoint-url', async (t) => {
  let version = '';
  try {
    const { stdout, stderr } = await run('aws', ['--version'], { timeout: 20_000 });
    version = `${stdout}${stderr}`;
  } catch {
    // not installed
  }
  if (!version.startsWith('aws-cli/1.')) {
    t.skip(version ? `the AWS CLI on PATH is not v1 (${version.trim()})` : 'the AWS CLI is not on PATH');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sqs-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config'), '');
  writeFileSync(join(dir, 'credentials'), '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  const QueueUrl = await newQueue();
  const cli = async (...args: string[]) =>
    JSON.parse((await run('aws', ['sqs', ...args, '--endpoint-url', emulator.url, '--output', 'json'], { env, timeout: 30_000 })).stdout || '{}');
  const sent = await cli('send-message', '--queue-url', QueueUrl, '--message-body', '{"from":"cli"}',
    '--message-attributes', '{"Foo":{"DataType":"String","StringValue":"Bar"}}');
  assert.equal(sent.MD5OfMessageBody, md5('{"from":"cli"}'));
  assert.equal(sent.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');
  const received = await cli('receive-message', '--queue-url', QueueUrl, '--attribute-names', 'All', '--message-attribute-names', 'All');
  assert.equal(received.Messages[0].Body, '{"from":"cli"}');
  assert.equal(received.Messages[0].MessageAttributes.Foo.StringValue, 'Bar');
  assert.equal(received.Messages[0].Attributes.ApproximateReceiveCount, '1');
});

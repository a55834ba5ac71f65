// SQS over the query protocol, sent as raw form posts the way AWS CLI v2.9 and older SDKs send them, XML checked.
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sqsQueryBinding } from '../../src/emulator/bindings/sqs-query.js';
import { startTestEmulator } from '../helpers/emulator.js';

const emulator = await startTestEmulator();
const ACCOUNT = '000000000000';
const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

async function query(path: string, params: Record<string, string>): Promise<{ status: number; xml: string }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      // What a SigV4-signing client sends; the emulator ignores the signature but reads the service from the scope.
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return { status: response.status, xml: await response.text() };
}

function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

function elements(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((match) => match[1]!);
}

let counter = 0;
async function newQueue(extra: Record<string, string> = {}): Promise<{ name: string; url: string; path: string }> {
  const name = `query-${++counter}-${process.pid}`;
  const { status, xml } = await query('/', { Action: 'CreateQueue', QueueName: name, ...extra });
  assert.equal(status, 200, xml);
  const url = element(xml, 'QueueUrl')!;
  return { name, url, path: new URL(url).pathname };
}

test('query CreateQueue takes Attribute.N.Name/Value and Tag.N.Key/Value and answers with CreateQueueResult XML', async () => {
  const { name, url } = await newQueue({
    'Attribute.1.Name': 'VisibilityTimeout',
    'Attribute.1.Value': '7',
    'Tag.1.Key': 'team',
    'Tag.1.Value': 'lesson',
  });
  assert.equal(url, `${emulator.url}/${ACCOUNT}/${name}`);
  const attributes = await emulator.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }));
  assert.equal(attributes.Attributes?.VisibilityTimeout, '7');
  const { xml } = await query('/', { Action: 'ListQueueTags', QueueUrl: url });
  assert.match(xml, /<ListQueueTagsResult><Tag><Key>team<\/Key><Value>lesson<\/Value><\/Tag><\/ListQueueTagsResult>/);
  assert.match(xml, new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<ListQueueTagsResponse xmlns="${NAMESPACE}">`));
  assert.match(xml, /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/ListQueueTagsResponse>$/);
});

test('query SendMessage with MessageAttribute.N returns MD5OfMessageBody and the AWS-recorded MD5OfMessageAttributes', async () => {
  const { url, path } = await newQueue();
  const { status, xml } = await query(path, {
    Action: 'SendMessage',
    QueueUrl: url,
    MessageBody: 'msg',
    'MessageAttribute.1.Name': 'Foo',
    'MessageAttribute.1.Value.StringValue': 'Bar',
    'MessageAttribute.1.Value.DataType': 'String',
  });
  assert.equal(status, 200, xml);
  assert.equal(element(xml, 'MD5OfMessageBody'), '6e2baaf3b97dbeef01c0043275f9a0e7');
  assert.equal(element(xml, 'MD5OfMessageAttributes'), 'ae7155c6026991b6d54b11589678bf9c');
  assert.match(element(xml, 'MessageId')!, /^[0-9a-f-]{36}$/);
});

test('query ReceiveMessage as AWS CLI v2 sends it prints flattened Message, Attribute and MessageAttribute elements', async () => {
  const { url, path } = await newQueue();
  await query(path, {
    Action: 'SendMessage',
    QueueUrl: url,
    MessageBody: '{"name":"<&>"}',
    'MessageAttribute.1.Name': 'Foo',
    'MessageAttribute.1.Value.StringValue': 'Bar',
    'MessageAttribute.1.Value.DataType': 'String',
    'MessageAttribute.2.Name': 'Raw',
    'MessageAttribute.2.Value.BinaryValue': Buffer.from([1, 2]).toString('base64'),
    'MessageAttribute.2.Value.DataType': 'Binary',
  });
  const { status, xml } = await query(path, {
    Action: 'ReceiveMessage',
    QueueUrl: url,
    MaxNumberOfMessages: '10',
    'MessageAttributeName.1': 'All',
    'AttributeName.1': 'All',
  });
  assert.equal(status, 200, xml);
  const messages = elements(xml, 'Message');
  assert.equal(messages.length, 1);
  const message = messages[0]!;
  assert.equal(element(message, 'Body'), '{&quot;name&quot;:&quot;&lt;&amp;&gt;&quot;}');
  assert.match(message, /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
  assert.match(message, /<Attribute><Name>SentTimestamp<\/Name><Value>\d{13}<\/Value><\/Attribute>/);
  assert.match(
    message,
    /<MessageAttribute><Name>Foo<\/Name><Value><StringValue>Bar<\/StringValue><DataType>String<\/DataType><\/Value><\/MessageAttribute>/,
  );
  assert.match(
    message,
    /<MessageAttribute><Name>Raw<\/Name><Value><BinaryValue>AQI=<\/BinaryValue><DataType>Binary<\/DataType><\/Value><\/MessageAttribute>/,
  );
  assert.match(element(message, 'MD5OfMessageAttributes')!, /^[0-9a-f]{32}$/);
  assert.ok(element(message, 'ReceiptHandle'));
  assert.doesNotMatch(xml, /<Messages>|<Attributes>|<MessageAttributes>/);

  const handle = element(message, 'ReceiptHandle')!;
  const deleted = await query(path, { Action: 'DeleteMessage', QueueUrl: url, ReceiptHandle: handle });
  assert.equal(deleted.status, 200, deleted.xml);
  assert.doesNotMatch(deleted.xml, /DeleteMessageResult/);
});

test('query ReceiveMessage with nothing to receive prints an empty ReceiveMessageResult', async () => {
  const { url, path } = await newQueue();
  const { status, xml } = await query(path, { Action: 'ReceiveMessage', QueueUrl: url, WaitTimeSeconds: '0' });
  assert.equal(status, 200);
  assert.match(xml, /<ReceiveMessageResponse xmlns="[^"]+"><ReceiveMessageResult(\/>|><\/ReceiveMessageResult>)/);
});

test('query GetQueueAttributes prints one Attribute element per attribute', async () => {
  const { url, name } = await newQueue();
  const { xml } = await query('/', { Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'All' });
  const names = elements(xml, 'Attribute').map((attribute) => element(attribute, 'Name'));
  assert.ok(names.includes('QueueArn') && names.includes('ApproximateNumberOfMessages') && names.includes('VisibilityTimeout'));
  assert.match(xml, new RegExp(`<Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:${ACCOUNT}:${name}</Value></Attribute>`));
});

test('query ListQueues prints repeated QueueUrl elements', async () => {
  const first = await newQueue();
  const second = await newQueue();
  const { xml } = await query('/', { Action: 'ListQueues', QueueNamePrefix: 'query-' });
  const urls = elements(xml, 'QueueUrl');
  assert.ok(urls.includes(first.url) && urls.includes(second.url), xml);
});

test('query SendMessageBatch and DeleteMessageBatch print result entries and BatchResultErrorEntry', async () => {
  const { url, path } = await newQueue();
  const sent = await query(path, {
    Action: 'SendMessageBatch',
    QueueUrl: url,
    'SendMessageBatchRequestEntry.1.Id': 'ok',
    'SendMessageBatchRequestEntry.1.MessageBody': 'first',
    'SendMessageBatchRequestEntry.1.DelaySeconds': '0',
    'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'Foo',
    'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'Bar',
    'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
    'SendMessageBatchRequestEntry.2.Id': 'empty',
    'SendMessageBatchRequestEntry.2.MessageBody': '',
  });
  assert.equal(sent.status, 200, sent.xml);
  const [success] = elements(sent.xml, 'SendMessageBatchResultEntry');
  assert.equal(element(success!, 'Id'), 'ok');
  assert.equal(element(success!, 'MD5OfMessageAttributes'), 'ae7155c6026991b6d54b11589678bf9c');
  const [failure] = elements(sent.xml, 'BatchResultErrorEntry');
  assert.equal(element(failure!, 'Id'), 'empty');
  assert.equal(element(failure!, 'Code'), 'MissingParameter');
  assert.equal(element(failure!, 'SenderFault'), 'true');

  const received = await query(path, { Action: 'ReceiveMessage', QueueUrl: url });
  const handle = element(received.xml, 'ReceiptHandle')!;
  const deleted = await query(path, {
    Action: 'DeleteMessageBatch',
    QueueUrl: url,
    'DeleteMessageBatchRequestEntry.1.Id': 'a',
    'DeleteMessageBatchRequestEntry.1.ReceiptHandle': handle,
    'DeleteMessageBatchRequestEntry.2.Id': 'b',
    'DeleteMessageBatchRequestEntry.2.ReceiptHandle': 'garbage',
  });
  assert.match(deleted.xml, /<DeleteMessageBatchResultEntry><Id>a<\/Id><\/DeleteMessageBatchResultEntry>/);
  const [bad] = elements(deleted.xml, 'BatchResultErrorEntry');
  assert.equal(element(bad!, 'Code'), 'ReceiptHandleIsInvalid');
  assert.equal(element(bad!, 'Message'), 'The input receipt handle &quot;garbage&quot; is not a valid receipt handle.');
});

test('query errors carry the legacy code: a missing queue is AWS.SimpleQueueService.NonExistentQueue', async () => {
  const { status, xml } = await query('/', { Action: 'GetQueueUrl', QueueName: 'missing-over-query' });
  assert.equal(status, 400);
  assert.match(xml, /<ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type>/);
  assert.equal(element(xml, 'Code'), 'AWS.SimpleQueueService.NonExistentQueue');
  assert.match(element(xml, 'Message')!, /^The specified queue does not exist/);
});

test('query integer parameters are checked as numbers: MaxNumberOfMessages=11 is InvalidParameterValue', async () => {
  const { url, path } = await newQueue();
  const { status, xml } = await query(path, { Action: 'ReceiveMessage', QueueUrl: url, MaxNumberOfMessages: '11' });
  assert.equal(status, 400);
  assert.equal(element(xml, 'Code'), 'InvalidParameterValue');
  assert.equal(element(xml, 'Message'), 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.');
});

test('query purge twice answers 403 AWS.SimpleQueueService.PurgeQueueInProgress', async () => {
  const { url } = await newQueue();
  assert.equal((await query('/', { Action: 'PurgeQueue', QueueUrl: url })).status, 200);
  const { status, xml } = await query('/', { Action: 'PurgeQueue', QueueUrl: url });
  assert.equal(status, 403);
  assert.equal(element(xml, 'Code'), 'AWS.SimpleQueueService.PurgeQueueInProgress');
});

test('toInput maps flattened query names onto the JSON 1.0 input shape', () => {
  const input = sqsQueryBinding.toInput('ReceiveMessage', {
    QueueUrl: 'u',
    MaxNumberOfMessages: '10',
    WaitTimeSeconds: '20',
    VisibilityTimeout: 'soon',
    AttributeName: ['All'],
    MessageAttributeName: ['bar.*', 'Foo'],
    MessageSystemAttributeName: ['SentTimestamp'],
  });
  assert.deepEqual(input, {
    QueueUrl: 'u',
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: 20,
    VisibilityTimeout: 'soon',
    AttributeNames: ['All'],
    MessageAttributeNames: ['bar.*', 'Foo'],
    MessageSystemAttributeNames: ['SentTimestamp'],
  });
  assert.deepEqual(
    sqsQueryBinding.toInput('ChangeMessageVisibilityBatch', {
      QueueUrl: 'u',
      ChangeMessageVisibilityBatchRequestEntry: [{ Id: 'a', ReceiptHandle: 'h', VisibilityTimeout: '5' }],
    }),
    { QueueUrl: 'u', Entries: [{ Id: 'a', ReceiptHandle: 'h', VisibilityTimeout: 5 }] },
  );
  assert.deepEqual(sqsQueryBinding.toInput('UntagQueue', { QueueUrl: 'u', TagKey: ['a', 'b'] }), { QueueUrl: 'u', TagKeys: ['a', 'b'] });
  assert.deepEqual(sqsQueryBinding.toInput('TagQueue', { QueueUrl: 'u', Tag: [{ Key: 'k', Value: 'v' }] }), { QueueUrl: 'u', Tags: { k: 'v' } });
});

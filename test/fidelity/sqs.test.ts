// SQS answers held against AWS recordings, over both wire protocols: the JSON one the SDK speaks and the query one
// older SDKs and AWS CLI v2.9 speak (their XML read the way botocore reads it).
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { test } from 'node:test';
import {
  Comparison,
  answer,
  awsJsonError,
  failure,
  fidelityEmulator,
  matchesRecording,
  queryError,
  recorded,
  unescapeXml,
} from './recorded.js';

const aws = await fidelityEmulator();
let counter = 0;

async function newQueue(): Promise<string> {
  const { QueueUrl } = await aws.sqs.send(
    new CreateQueueCommand({ QueueName: `fidelity-${++counter}`, Attributes: { VisibilityTimeout: '0' } }),
  );
  return QueueUrl!;
}

/** A signed-looking query-protocol POST, as AWS CLI v2.9 sends it. */
async function query(queueUrl: string, params: Record<string, string>): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const response = await fetch(queueUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2012-11-05', QueueUrl: queueUrl, ...params }).toString(),
  });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

function field(xml: string, name: string): string | undefined {
  const value = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
  return value === undefined ? undefined : unescapeXml(value);
}

/** botocore's reading of a query ReceiveMessage answer. */
function receiveAnswer(raw: { status: number; body: string }): Record<string, unknown> {
  const messages = [...raw.body.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map(([, xml]) => {
    const message: Record<string, unknown> = {};
    for (const name of ['MessageId', 'ReceiptHandle', 'MD5OfBody', 'Body', 'MD5OfMessageAttributes']) {
      const value = field(xml!, name);
      if (value !== undefined) message[name] = value;
    }
    const attributes = [...xml!.matchAll(/<MessageAttribute>([\s\S]*?)<\/MessageAttribute>/g)];
    if (attributes.length > 0) {
      message.MessageAttributes = Object.fromEntries(
        attributes.map(([, attribute]) => [field(attribute!, 'Name'), { DataType: field(attribute!, 'DataType'), StringValue: field(attribute!, 'StringValue') }]),
      );
    }
    return message;
  });
  return { ...(messages.length > 0 ? { Messages: messages } : {}), ResponseMetadata: { HTTPStatusCode: raw.status, HTTPHeaders: {} } };
}

const EMPTY_STRING_ATTRIBUTE = { ErrorDetails: { DataType: 'String', StringValue: '' } };

test('SQS JSON: an empty String attribute value is InvalidParameterValue with AWS words', async () => {
  const QueueUrl = await newQueue();
  await failure(aws.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'test', MessageAttributes: EMPTY_STRING_ATTRIBUTE })));
  matchesRecording(awsJsonError(aws.raw), recorded('sqs.json', 'test_send_message_with_empty_string_attribute[sqs]', 'empty-string-attr'));
});

test('SQS query: an empty String attribute value is an error document with AWS words and an empty <Detail/>', async () => {
  const QueueUrl = await newQueue();
  const raw = await query(QueueUrl, {
    Action: 'SendMessage',
    MessageBody: 'test',
    'MessageAttribute.1.Name': 'ErrorDetails',
    'MessageAttribute.1.Value.DataType': 'String',
    'MessageAttribute.1.Value.StringValue': '',
  });
  matchesRecording(queryError(raw), recorded('sqs.json', 'test_send_message_with_empty_string_attribute[sqs_query]', 'empty-string-attr'));
});

test('SQS query: MaxNumberOfMessages 11 is an error document with an empty <Detail/>', async () => {
  const QueueUrl = await newQueue();
  const raw = await query(QueueUrl, { Action: 'ReceiveMessage', MaxNumberOfMessages: '11' });
  matchesRecording(queryError(raw), recorded('sqs.json', 'test_send_receive_max_number_of_messages[sqs_query]', 'send_max_number_of_messages'));
});

const HELLO_THERE = {
  'Help.Me': { DataType: 'String', StringValue: 'Me' },
  Hello: { DataType: 'String', StringValue: 'There' },
  General: { DataType: 'String', StringValue: 'Kenobi' },
};

/** The recorded filters, in the recorded order: which entry, which names, and whether the whole answer was kept. */
const FILTERS: Array<[entry: string, names: string[], whole: boolean]> = [
  ['empty_filter', [], true],
  ['all_name', ['All'], true],
  ['all_wildcard_asterisk', ['*'], false],
  ['all_wildcard', ['.*'], false],
  ['only_non_existing_names', ['Foo', 'Help'], false],
  ['only_existing', ['Hello', 'General'], false],
  ['existing_and_non_existing', ['Foo', 'Hello'], false],
  ['prefix_filter', ['Hel.*'], false],
  ['illegal_name_1', ['AWS.'], true],
  ['illegal_name_2', ['..foo'], true],
];

test('SQS JSON: MessageAttributeNames All, *, .*, names and the Hel.* prefix return what AWS returned, with its MD5s', async () => {
  const test = 'test_receive_message_message_attribute_names_filters[sqs]';
  const QueueUrl = await newQueue();
  const sent = recorded('sqs.json', test, 'send_message_response');
  const comparison = new Comparison(sent.source);
  matchesRecording(answer(await aws.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'msg', MessageAttributes: HELLO_THERE }))), sent, {}, comparison);
  for (const [entry, names, whole] of FILTERS) {
    const received = answer(await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: names })));
    matchesRecording(whole ? received : (received.Messages as unknown[])[0], recorded('sqs.json', test, entry), {}, comparison);
  }
});

test('SQS query: MessageAttributeNames All, *, .*, names and the Hel.* prefix return what AWS returned, with its MD5s', async () => {
  const test = 'test_receive_message_message_attribute_names_filters[sqs_query]';
  const QueueUrl = await newQueue();
  const sent = recorded('sqs.json', test, 'send_message_response');
  const comparison = new Comparison(sent.source);
  const send = await query(QueueUrl, {
    Action: 'SendMessage',
    MessageBody: 'msg',
    ...Object.fromEntries(
      Object.entries(HELLO_THERE).flatMap(([name, value], index) => [
        [`MessageAttribute.${index + 1}.Name`, name],
        [`MessageAttribute.${index + 1}.Value.DataType`, value.DataType],
        [`MessageAttribute.${index + 1}.Value.StringValue`, value.StringValue],
      ]),
    ),
  });
  const sendAnswer = {
    MD5OfMessageAttributes: field(send.body, 'MD5OfMessageAttributes'),
    MD5OfMessageBody: field(send.body, 'MD5OfMessageBody'),
    MessageId: field(send.body, 'MessageId'),
    ResponseMetadata: { HTTPStatusCode: send.status, HTTPHeaders: {} },
  };
  matchesRecording(sendAnswer, sent, {}, comparison);
  for (const [entry, names, whole] of FILTERS) {
    const params = Object.fromEntries(names.map((name, index) => [`MessageAttributeName.${index + 1}`, name]));
    const received = receiveAnswer(await query(QueueUrl, { Action: 'ReceiveMessage', ...params }));
    matchesRecording(whole ? received : (received.Messages as unknown[])[0], recorded('sqs.json', test, entry), {}, comparison);
  }
});

// The lesson's whole path held against AWS recordings: the six steps' SDK calls (sync ok and failing, Event invokes,
// the retries in CloudWatch Logs, the event in the DLQ) answer as AWS answered the same calls.
import { FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { eventually } from '../helpers/emulator.js';
import { Comparison, answer, deployLesson, fidelityEmulator, matchesRecording, recorded } from './recorded.js';

const aws = await fidelityEmulator();
const outputs = await deployLesson(aws.cfn);
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** An Invoke answer as botocore reads it: Payload is the raw body (the SDK v3 turns an empty one into null). */
function invokeAnswer(result: { $metadata: { httpStatusCode?: number } }): Record<string, unknown> {
  return { ...answer(result), Payload: aws.raw.body };
}

const PAYLOAD_IS_THE_LESSON_FUNCTIONS = {
  '$.Payload': "the recorded function is LocalStack's; the lesson function's own payload is checked on its own",
};

test('step 1: a sync invoke that succeeds answers 200 with ExecutedVersion and the function result', async () => {
  const result = await aws.lambda.send(new InvokeCommand({ FunctionName: 'SimpleFunc', Payload: encode({ from: 'sync', name: 'chucks' }) }));
  matchesRecording(
    invokeAnswer(result),
    recorded('lambda-invoke.json', 'test_invocation_type_no_return_payload[nodejs-RequestResponse]', 'invoke-result'),
    PAYLOAD_IS_THE_LESSON_FUNCTIONS,
  );
  assert.deepEqual(JSON.parse(new TextDecoder().decode(result.Payload)), { statusCode: 200, body: 'Hello, chucks!' });
});

test('step 2: a sync invoke of a failing function answers 200 with FunctionError Unhandled and the Node.js error document', async () => {
  const result = await aws.lambda.send(new InvokeCommand({ FunctionName: 'SimpleFunc', Payload: encode({ from: 'sync', name: '' }) }));
  matchesRecording(invokeAnswer(result), recorded('lambda-invoke.json', 'test_lambda_handler_error', 'invocation_error'), PAYLOAD_IS_THE_LESSON_FUNCTIONS);
  // The recording is a Python function's; a Node.js function's document is AWS's documented one: errorType,
  // errorMessage, and trace (the stack, line by line).
  const payload = JSON.parse(new TextDecoder().decode(result.Payload)) as { errorType: string; errorMessage: string; trace: string[] };
  const documented = recorded('documentation.json', 'Lambda function errors in Node.js (example: index.js reference error)', 'node-error-payload');
  assert.deepEqual(Object.keys(payload), Object.keys(documented.expected as object));
  assert.equal(payload.errorType, 'Error');
  assert.equal(payload.errorMessage, 'The event has no name: "name" is missing, null or empty');
  assert.equal(payload.trace[0], `Error: ${payload.errorMessage}`);
  assert.ok(payload.trace.length > 1 && payload.trace.slice(1).every((line) => /^ {4}at /.test(line)), JSON.stringify(payload.trace));
  assert.match(payload.trace[1]!, /\/var\/task\/index\.js:\d+:\d+\)$/);
});

/** The 202 answers of steps 3 and 4, with their request ids. */
const eventIds: Record<'ok' | 'fail', string> = { ok: '', fail: '' };

test('steps 3 and 4: Event invokes answer 202 with an empty body and nothing else', async () => {
  const recording = recorded('lambda-invoke.json', 'test_invocation_type_no_return_payload[nodejs-Event]', 'invoke-result');
  for (const [key, name] of [['ok', 'chucks'], ['fail', '']] as const) {
    const result = await aws.lambda.send(
      new InvokeCommand({ FunctionName: 'SimpleFunc', InvocationType: 'Event', Payload: encode({ from: 'async', name }) }),
    );
    matchesRecording(invokeAnswer(result), recording);
    eventIds[key] = result.$metadata.requestId!;
  }
});

/** The platform lines' recorded shapes, their measured numbers masked the way test_request_id_invoke masks them. */
function platformShapes(): Map<string, string> {
  const { expected } = recorded('lambda-invoke.json', 'test_invocation_type_event_error', 'log_events');
  const shapes = new Map<string, string>();
  for (const { message } of expected as Array<{ message: string }>) {
    const kind = message.split(' ')[0]!;
    if (!['START', 'END', 'REPORT'].includes(kind)) continue;
    const masked = message.replace(/(Duration|Used): \d+(\.\d+)? (ms|MB)/g, (_, field: string, __, unit: string) =>
      `${field}: <${unit === 'MB' ? 'memory' : 'duration'}> ${unit}`,
    );
    // A warm start has no Init Duration (docs/aws-semantics.md §3); the recording's first REPORT is a cold start.
    shapes.set(kind === 'REPORT' ? (masked.includes('Init Duration') ? 'REPORT-cold' : 'REPORT') : kind, masked);
    if (kind === 'REPORT') shapes.set('REPORT', masked.replace(/Init Duration: <duration> ms\t/, ''));
  }
  return shapes;
}

test('step 5: FilterLogEvents shows START, END and REPORT lines of AWS shape, three attempts under the failing event id', async () => {
  assert.ok(eventIds.fail, 'steps 3 and 4 ran');
  const logGroupName = outputs.LogGroupName!;
  const events = await eventually(async () => {
    const { events: found = [] } = await aws.logs.send(new FilterLogEventsCommand({ logGroupName }));
    const starts = found.filter((event) => event.message!.startsWith(`START RequestId: ${eventIds.fail}`));
    const reports = found.filter((event) => event.message!.startsWith(`REPORT RequestId: ${eventIds.fail}`));
    const okReported = found.some((event) => event.message!.startsWith(`REPORT RequestId: ${eventIds.ok}`));
    return starts.length === 3 && reports.length === 3 && okReported ? found : undefined;
  });
  const shapes = platformShapes();
  const source = recorded('lambda-invoke.json', 'test_invocation_type_event_error', 'log_events').source;
  let checked = 0;
  for (const { message } of events as FilteredLogEvent[]) {
    const kind = message!.split(' ')[0]!;
    if (!['START', 'END', 'REPORT'].includes(kind)) continue;
    const shape = kind === 'REPORT' && message!.includes('Init Duration') ? shapes.get('REPORT-cold') : shapes.get(kind);
    new Comparison(source).check(message, shape);
    checked++;
  }
  // Two sync invokes and four attempts of the two events (one, then three): six of each platform line.
  assert.equal(checked, 18);
  // Every attempt of an event carries the request id of its 202 (test_request_id_async_invoke_with_retry).
  const ends = (events as FilteredLogEvent[]).filter((event) => event.message === `END RequestId: ${eventIds.fail}\n`);
  assert.equal(ends.length, 3);
});

test('step 6: the failed event reaches the DLQ with RequestID, ErrorCode and ErrorMessage attributes as recorded', async () => {
  assert.ok(eventIds.fail, 'steps 3 and 4 ran');
  const result = await aws.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: outputs.QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 10 }),
  );
  const body = JSON.stringify({ from: 'async', name: '' });
  matchesRecording(answer(result), recorded('lambda-invoke.json', 'test_dead_letter_queue', 'receive_result'), {
    '$.Messages.0.Body': "the recorded event is LocalStack's; the body must be the lesson's event unchanged (checked below)",
    '$.Messages.0.MD5OfBody': 'the MD5 of a different body; checked below',
    '$.Messages.0.MessageAttributes.ErrorMessage.StringValue': "the recorded function's message; the lesson's is checked below",
  });
  const [message] = result.Messages!;
  assert.equal(message!.Body, body);
  assert.equal(message!.MD5OfBody, createHash('md5').update(body).digest('hex'));
  assert.equal(message!.MessageAttributes!.RequestID!.StringValue, eventIds.fail);
  assert.equal(message!.MessageAttributes!.ErrorMessage!.StringValue, 'The event has no name: "name" is missing, null or empty');
});

test('UNVERIFIED: an Event invoke without a payload reaches the DLQ with body {}', async () => {
  // Only the account of AWS (body `{}`, MD5OfBody 99914b932bd37a50b983c5e7c90ae93b) backs this: no recording.
  const { $metadata } = await aws.lambda.send(new InvokeCommand({ FunctionName: 'SimpleFunc', InvocationType: 'Event' }));
  const message = await eventually(async () => {
    const { Messages } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: outputs.QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
    return Messages?.find((candidate) => candidate.MessageAttributes?.RequestID?.StringValue === $metadata.requestId);
  });
  assert.equal(message.Body, '{}');
  assert.equal(message.MD5OfBody, '99914b932bd37a50b983c5e7c90ae93b');
});

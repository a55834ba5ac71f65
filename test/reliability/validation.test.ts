// The validation list in one place, each limit through the real SDK: AWS's code, HTTP status and message on
// the wrong side of the limit, and acceptance exactly at it.
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestEmulator } from '../helpers/emulator.js';

const env = await startTestEmulator();
const { emulator } = env.running;
const role = emulator.iam.createRole({ RoleName: 'validation-role' });
emulator.lambda.createFunction({
  FunctionName: 'limits-fn',
  Runtime: 'nodejs24.x',
  Handler: 'index.handler',
  Role: role.Arn,
  // Small answer whatever the event: the limits under test are the request's, not the response's.
  Code: { ZipFile: 'exports.handler = async (event) => ({ keys: Object.keys(event).length });' },
});
const queueUrl = emulator.sqs.createQueue('limits-queue').QueueUrl;

interface Rejection {
  name: string;
  message: string;
  status?: number;
}

async function rejection(promise: Promise<unknown>): Promise<Rejection> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to be refused');
}

/** A JSON event of exactly `bytes` bytes. */
function eventOfSize(bytes: number): Uint8Array {
  const overhead = '{"pad":""}'.length;
  return new TextEncoder().encode(`{"pad":"${'x'.repeat(bytes - overhead)}"}`);
}

test('a synchronous Invoke payload over 6 MB is RequestEntityTooLargeException, HTTP 413, with AWS message; 6 MB exactly runs', async () => {
  const refused = await rejection(env.lambda.send(new InvokeCommand({ FunctionName: 'limits-fn', Payload: eventOfSize(6_291_457) })));
  assert.deepEqual(refused, {
    name: 'RequestEntityTooLargeException',
    message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    status: 413,
  });
  const accepted = await env.lambda.send(new InvokeCommand({ FunctionName: 'limits-fn', Payload: eventOfSize(6_291_456) }));
  assert.equal(accepted.StatusCode, 200);
  assert.equal(accepted.FunctionError, undefined);
});

test('an Event Invoke payload over 1 MB is RequestEntityTooLargeException, HTTP 413, naming its size; 1 MB exactly is queued', async () => {
  const refused = await rejection(
    env.lambda.send(new InvokeCommand({ FunctionName: 'limits-fn', InvocationType: 'Event', Payload: eventOfSize(1_048_577) })),
  );
  assert.deepEqual(refused, {
    name: 'RequestEntityTooLargeException',
    message: '1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)',
    status: 413,
  });
  const accepted = await env.lambda.send(
    new InvokeCommand({ FunctionName: 'limits-fn', InvocationType: 'Event', Payload: eventOfSize(1_048_576) }),
  );
  assert.equal(accepted.StatusCode, 202);
});

test('an SQS message over 1 MiB is InvalidParameterValue with AWS message; 1 MiB exactly is sent', async () => {
  const refused = await rejection(env.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(1_048_577) })));
  assert.deepEqual(refused, {
    name: 'InvalidParameterValue',
    message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
    status: 400,
  });
  const sent = await env.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(1_048_576) }));
  assert.match(sent.MessageId!, /^[0-9a-f-]{36}$/);
});

test('ReceiveMessage MaxNumberOfMessages outside 1-10 is InvalidParameterValue with AWS message; 1 and 10 are accepted', async () => {
  for (const value of [0, 11, -1]) {
    const refused = await rejection(env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: value })));
    assert.deepEqual(refused, {
      name: 'InvalidParameterValue',
      message: `Value ${value} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      status: 400,
    });
  }
  for (const value of [1, 10]) {
    await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: value, VisibilityTimeout: 0 }));
  }
});

test('ReceiveMessage WaitTimeSeconds over 20 (or negative) is InvalidParameterValue with AWS message; 0 is accepted', async () => {
  for (const value of [21, -1]) {
    const refused = await rejection(env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: value })));
    assert.deepEqual(refused, {
      name: 'InvalidParameterValue',
      message: `Value ${value} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      status: 400,
    });
  }
  await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
});

test('PutFunctionEventInvokeConfig MaximumRetryAttempts outside 0-2 is a ValidationException naming the bound; 0 and 2 are stored', async () => {
  const cases: Array<[number, string]> = [
    [3, "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2"],
    [-1, "Value '-1' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to 0"],
  ];
  for (const [value, detail] of cases) {
    const refused = await rejection(
      env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'limits-fn', MaximumRetryAttempts: value })),
    );
    assert.deepEqual(refused, { name: 'ValidationException', message: `1 validation error detected: ${detail}`, status: 400 });
  }
  for (const value of [0, 2]) {
    const stored = await env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'limits-fn', MaximumRetryAttempts: value }));
    assert.equal(stored.MaximumRetryAttempts, value);
  }
});

test('a template that is not valid YAML is a ValidationError naming its line', async () => {
  const body = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: "unclosed\n';
  const refused = await rejection(env.cfn.send(new ValidateTemplateCommand({ TemplateBody: body })));
  assert.equal(refused.name, 'ValidationError');
  assert.equal(refused.status, 400);
  assert.match(refused.message, /^Template format error: YAML not well-formed\. .*\(line \d+, column \d+\)$/);
  // The same template refused at submission, before any stack exists.
  const atCreate = await rejection(
    env.cfn.send(new CreateChangeSetCommand({ StackName: 'yaml-stack', ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody: body })),
  );
  assert.equal(atCreate.name, 'ValidationError');
  assert.match(atCreate.message, /line \d+/);
});

test('a template that is not valid JSON is a ValidationError with its line and column', async () => {
  const body = '{\n  "Resources": {\n    "Queue": {"Type": "AWS::SQS::Queue",}\n  }\n}';
  const refused = await rejection(env.cfn.send(new ValidateTemplateCommand({ TemplateBody: body })));
  assert.equal(refused.name, 'ValidationError');
  assert.equal(refused.message, 'Template format error: JSON not well-formed. (line 3, column 41)');
});

test('a resource type no registry can hold is refused at submission: "Unrecognized resource types"', async () => {
  const body = JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' }, Thing: { Type: 'NotAType' }, Other: { Type: 'AWS::Lambda' } } });
  for (const send of [
    () => env.cfn.send(new ValidateTemplateCommand({ TemplateBody: body })),
    () => env.cfn.send(new CreateChangeSetCommand({ StackName: 'typo-stack', ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody: body })),
  ]) {
    const refused = await rejection(send());
    assert.deepEqual(refused, {
      name: 'ValidationError',
      message: 'Template format error: Unrecognized resource types: [NotAType, AWS::Lambda]',
      status: 400,
    });
  }
  const stacks = await rejection(env.cfn.send(new DescribeStacksCommand({ StackName: 'typo-stack' })));
  assert.equal(stacks.message, 'Stack with id typo-stack does not exist');
});

test('a well-formed resource type the emulator does not run fails that resource with a reason saying so', async () => {
  const body = JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } });
  const changeSet = await env.cfn.send(
    new CreateChangeSetCommand({ StackName: 'bucket-stack', ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody: body }),
  );
  const described = await env.cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSet.Id }));
  assert.equal(described.Status, 'CREATE_COMPLETE');
  await env.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.Id }));
  const { Stacks = [] } = await env.cfn.send(new DescribeStacksCommand({ StackName: 'bucket-stack' }));
  assert.equal(Stacks[0]?.StackStatus, 'ROLLBACK_COMPLETE');
  const { StackEvents = [] } = await env.cfn.send(new DescribeStackEventsCommand({ StackName: 'bucket-stack' }));
  const failed = StackEvents.find((event) => event.LogicalResourceId === 'Bucket' && event.ResourceStatus === 'CREATE_FAILED');
  assert.match(failed?.ResourceStatusReason ?? '', /Resource type AWS::S3::Bucket is not supported by the lambda-async-demo local emulator/);
});

test('a circular dependency is a ValidationError listing the resources in the cycle', async () => {
  const body = [
    'Resources:',
    '  First:',
    '    Type: AWS::SQS::Queue',
    '    Properties: {QueueName: !GetAtt Second.QueueName}',
    '  Second:',
    '    Type: AWS::SQS::Queue',
    '    DependsOn: First',
  ].join('\n');
  const refused = await rejection(
    env.cfn.send(new CreateChangeSetCommand({ StackName: 'cycle-stack', ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody: body })),
  );
  assert.equal(refused.name, 'ValidationError');
  assert.equal(refused.status, 400);
  // No "Template format error:" prefix here: AWS words it exactly so (seen in CDK and SAM reports of real deploys).
  assert.equal(refused.message, 'Circular dependency between resources: [First, Second]');
});

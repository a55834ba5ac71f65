// What only real AWS does, faked at the SDK level (aws-sdk-client-mock): each expected failure is one sentence, a hint, exit 3.
import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, CloudWatchLogsServiceException, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createClients } from '../../src/aws/clients.js';
import { main } from '../../src/cli/main.js';
import { lessonTiming } from '../../src/lesson/timing.js';
import { retriesInLogs } from '../../src/lesson/05-retries-in-logs.js';
import { eventInDlq } from '../../src/lesson/06-event-in-dlq.js';
import type { LessonContext } from '../../src/lesson/context.js';
import { deployStack } from '../../src/lesson/deploy.js';
import { captureIo as captureTo } from '../helpers/capture-io.js';

// Belt and braces: every client below is mocked, and nothing may ever fall through to a credential lookup on the network.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_CONFIG_FILE = '/nonexistent/config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const logs = mockClient(CloudWatchLogsClient);
const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const mocks = [sts, cfn, logs, sqs, lambda];

const ACCOUNT = '123456789012';
const CALLER = `arn:aws:iam::${ACCOUNT}:user/alice`;

beforeEach(() => {
  for (const mock of mocks) mock.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: CALLER, UserId: 'AIDAEXAMPLE' });
  // Anything not set up below answers with an error, never with undefined: a forgotten fake fails loudly.
  const unexpected = new Error('unexpected call in this test');
  cfn.onAnyCommand().rejects(unexpected);
  logs.onAnyCommand().rejects(unexpected);
  sqs.onAnyCommand().rejects(unexpected);
  lambda.onAnyCommand().rejects(unexpected);
});
afterEach(() => {
  for (const mock of mocks) mock.reset();
});

const captureIo = () => captureTo({ NO_COLOR: '1' });

/** The CLI's own words for an expected failure: "✖ <message>\n  Hint: <hint>\n", nothing else. */
async function expectFailure(args: string[], message: string, hint: RegExp | string): Promise<string> {
  const io = captureIo();
  const code = await main(['run', '--target', 'aws', ...args], io);
  assert.equal(code, 3, io.err());
  assert.equal(io.out(), '', 'nothing on stdout');
  const lines = io.err().trimEnd().split('\n');
  const failure = lines.findLastIndex((line) => line.startsWith('✖ '));
  assert.equal(lines[failure], `✖ ${message}`, io.err());
  const hintLine = lines[failure + 1]!.replace(/^ {2}Hint: /, '');
  if (typeof hint === 'string') assert.equal(hintLine, hint);
  else assert.match(hintLine, hint);
  assert.doesNotMatch(io.err(), /\n\s+at /, 'no stack trace');
  return io.err();
}

function awsError<T extends Error>(Exception: new (options: never) => T, name: string, message: string, status = 400): T {
  return new Exception({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } } as never);
}

test('no credentials anywhere: one sentence saying so, and how to configure them', async () => {
  sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
  await expectFailure(
    ['--region', 'eu-west-1'],
    'No AWS credentials were found (Could not load credentials from any providers).',
    'Run `aws configure` or `aws sso login --profile <name>`, then pass --profile or set AWS_PROFILE (or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); or run locally with --target local.',
  );
  assert.equal(cfn.calls().length, 0, 'nothing was deployed');
});

test('an expired token says how to refresh it, naming the profile in use', async () => {
  sts.on(GetCallerIdentityCommand).rejects(awsError(STSServiceException, 'ExpiredToken', 'The security token included in the request is expired', 403));
  await expectFailure(
    ['--region', 'eu-west-1', '--profile', 'dev'],
    'Your AWS credentials have expired (ExpiredToken: The security token included in the request is expired).',
    'Refresh them and run again: `aws sso login --profile dev` for an SSO profile, or export new AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (re-run your assume-role or MFA command).',
  );
});

test('an expired SSO session (reported by the credential provider) is an expired token too', async () => {
  const message =
    'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.';
  sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error(message), { name: 'CredentialsProviderError' }));
  await expectFailure(['--region', 'eu-west-1', '--profile', 'sso-dev'], `Your AWS credentials have expired (${message.slice(0, -1)}).`, /`aws sso login --profile sso-dev`/);
});

test('AccessDenied names the missing action and resource from the message, and points at the README policy', async () => {
  cfn.on(ValidateTemplateCommand).resolves({ Parameters: [] });
  cfn.on(DescribeStacksCommand).rejects(awsError(CloudFormationServiceException, 'ValidationError', 'Stack with id LambdaAsync does not exist'));
  const resource = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/LambdaAsync/*`;
  cfn
    .on(CreateChangeSetCommand)
    .rejects(
      awsError(
        CloudFormationServiceException,
        'AccessDenied',
        `User: ${CALLER} is not authorized to perform: cloudformation:CreateChangeSet on resource: ${resource} because no identity-based policy allows the cloudformation:CreateChangeSet action`,
        403,
      ),
    );
  await expectFailure(
    ['--region', 'eu-west-1'],
    `Your AWS identity is not allowed to call cloudformation:CreateChangeSet on ${resource} (AccessDenied).`,
    'Add cloudformation:CreateChangeSet to your IAM policy: the README section "Running against your AWS account" lists every permission the lesson needs.',
  );
});

test('AccessDenied without an action in its message still names the call that was refused', async () => {
  cfn.on(ValidateTemplateCommand).rejects(awsError(CloudFormationServiceException, 'AccessDenied', 'Access Denied', 403));
  await expectFailure(
    ['--region', 'eu-west-1'],
    'Your AWS identity is not allowed to call cloudformation:ValidateTemplate (AccessDenied).',
    /^Add cloudformation:ValidateTemplate to your IAM policy/,
  );
});

test('a region the account cannot use (opt-in, not enabled) is explained with the region and how to check', async () => {
  sts.on(GetCallerIdentityCommand).rejects(awsError(STSServiceException, 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403));
  await expectFailure(
    ['--region', 'ap-east-1'],
    'AWS in ap-east-1 does not accept your credentials (InvalidClientTokenId: The security token included in the request is invalid).',
    'If ap-east-1 is an opt-in region, enable it for your account (AWS console, Account, AWS Regions) or pick another --region; otherwise the access key is wrong or deactivated: check it with `aws sts get-caller-identity --region ap-east-1`.',
  );
});

test('a region name AWS does not know (no such endpoint) is an unreachable AWS, with the region to check', async () => {
  const dns = Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-moon-1.amazonaws.com'), { code: 'ENOTFOUND' });
  sts.on(GetCallerIdentityCommand).rejects(dns);
  await expectFailure(
    ['--region', 'eu-moon-1'],
    'Cannot reach AWS in eu-moon-1 (ENOTFOUND).',
    'Check your network connection, and that eu-moon-1 is a region name AWS knows (--region).',
  );
});

test('an AWS endpoint that does not answer in time is explained like one that refuses', async () => {
  sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }));
  await expectFailure(['--region', 'eu-west-1'], 'Cannot reach AWS in eu-west-1 (ETIMEDOUT).', /^Check your network connection/);
});

test('an empty STS answer stops the run before anything changes', async () => {
  sts.on(GetCallerIdentityCommand).resolves({});
  await expectFailure(
    ['--region', 'eu-west-1'],
    'STS GetCallerIdentity gave no usable account and caller (Account null, Arn null), so it is unclear which account would be changed.',
    'Check your credentials and --endpoint-url; `aws sts get-caller-identity` shows what your configuration resolves to.',
  );
  assert.equal(cfn.calls().length, 0);
});

test('an STS answer whose ARN is of another account is odd too', async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: 'arn:aws:iam::999999999999:user/mallory' });
  await expectFailure(
    ['--region', 'eu-west-1'],
    `STS GetCallerIdentity gave no usable account and caller (Account "${ACCOUNT}", Arn "arn:aws:iam::999999999999:user/mallory"), so it is unclear which account would be changed.`,
    /get-caller-identity/,
  );
});

const FUNCTION_ROLE_DENIED =
  'Resource handler returned message: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/LambdaAsync-FunctionRole-ABC because no identity-based policy allows the iam:CreateRole action (Service: Iam, Status Code: 403)"';

test('a stack in ROLLBACK_COMPLETE must be deleted first: the failing resource, its reason, and the teardown command', async () => {
  cfn.on(ValidateTemplateCommand).resolves({});
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LambdaAsync', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date() }] });
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));
  cfn.on(DescribeStackEventsCommand).resolves({
    StackEvents: [
      { EventId: '6', StackName: 'LambdaAsync', LogicalResourceId: 'LambdaAsync', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'ROLLBACK_COMPLETE', Timestamp: at(6), StackId: 's' },
      { EventId: '5', StackName: 'LambdaAsync', LogicalResourceId: 'DeadLetterQueue', ResourceType: 'AWS::SQS::Queue', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'Resource creation cancelled', Timestamp: at(5), StackId: 's' },
      { EventId: '4', StackName: 'LambdaAsync', LogicalResourceId: 'FunctionRole', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: FUNCTION_ROLE_DENIED, Timestamp: at(4), StackId: 's' },
      { EventId: '3', StackName: 'LambdaAsync', LogicalResourceId: 'FunctionRole', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_IN_PROGRESS', Timestamp: at(3), StackId: 's' },
    ],
  });
  await expectFailure(
    ['--region', 'eu-west-1'],
    `The stack LambdaAsync is in ROLLBACK_COMPLETE: its first deploy failed and was rolled back, so CloudFormation can only delete it (it failed on FunctionRole (AWS::IAM::Role): ${FUNCTION_ROLE_DENIED}).`,
    'Your identity lacks iam:CreateRole: add it to your IAM policy (the README section "Running against your AWS account" lists every permission). ' +
      'Delete it, then run again: lambda-async-demo teardown --target aws --region eu-west-1 --stack-name LambdaAsync',
  );
  assert.equal(cfn.commandCalls(CreateChangeSetCommand).length, 0, 'no change set against a stack that can only be deleted');
});

test('a stack in DELETE_FAILED names the stuck resource and how to get past it', async () => {
  cfn.on(ValidateTemplateCommand).resolves({});
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LambdaAsync', StackStatus: 'DELETE_FAILED', CreationTime: new Date() }] });
  cfn.on(DescribeStackResourcesCommand).resolves({
    StackResources: [
      { LogicalResourceId: 'Function', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'DELETE_COMPLETE', Timestamp: new Date() },
      {
        LogicalResourceId: 'DeadLetterQueue',
        ResourceType: 'AWS::SQS::Queue',
        ResourceStatus: 'DELETE_FAILED',
        ResourceStatusReason: 'Access to the resource https://sqs.eu-west-1.amazonaws.com/123456789012/LambdaAsync-DeadLetterQueue-X is denied.',
        Timestamp: new Date(),
      },
    ],
  });
  await expectFailure(
    ['--region', 'eu-west-1', '--profile', 'dev'],
    'The stack LambdaAsync is in DELETE_FAILED: CloudFormation could not delete DeadLetterQueue (AWS::SQS::Queue): Access to the resource https://sqs.eu-west-1.amazonaws.com/123456789012/LambdaAsync-DeadLetterQueue-X is denied.',
    'Remove DeadLetterQueue by hand (or keep it: aws cloudformation delete-stack --stack-name LambdaAsync --retain-resources DeadLetterQueue), ' +
      'then delete the stack again: lambda-async-demo teardown --target aws --region eu-west-1 --profile dev --stack-name LambdaAsync',
  );
});

test('a deploy with no changes is a success: the empty change set is deleted, nothing executed', async () => {
  const changeSetId = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:changeSet/lambda-async-demo-1/abc`;
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'LambdaAsync',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [{ OutputKey: 'FunctionName', OutputValue: 'SimpleFunc' }],
      },
    ],
  });
  cfn.on(CreateChangeSetCommand).resolves({ Id: changeSetId, StackId: 'stack-id' });
  // docs/aws-semantics.md §6.5: an empty change set FAILS with this reason.
  cfn.on(DescribeChangeSetCommand).resolves({
    Status: 'FAILED',
    StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set.",
  });
  cfn.on(DeleteChangeSetCommand).resolves({});
  const clients = await createClients({ target: 'aws', region: 'eu-west-1', env: {} });
  try {
    const result = await deployStack(clients.cloudFormation, {
      stackName: 'LambdaAsync',
      templateBody: 'Resources: {}',
      parameters: { FunctionName: 'SimpleFunc', MaximumRetryAttempts: '2' },
      pollIntervalMs: 10,
      timeoutMs: 5_000,
    });
    assert.deepEqual(result, { action: 'unchanged', stackStatus: 'UPDATE_COMPLETE', outputs: { FunctionName: 'SimpleFunc' } });
    assert.equal(cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType, 'UPDATE');
    assert.equal(cfn.commandCalls(ExecuteChangeSetCommand).length, 0);
    assert.equal(cfn.commandCalls(DeleteChangeSetCommand)[0]!.args[0].input.ChangeSetName, changeSetId);
  } finally {
    clients.destroy();
  }
});

/** A lesson context over mocked clients, as far as steps 5 and 6 need one. */
async function lessonContext(timing: LessonContext['timing'], texts: string[] = []): Promise<{ ctx: LessonContext; destroy(): void }> {
  const clients = await createClients({ target: 'aws', region: 'eu-west-1', env: {} });
  const invokedAt = Date.now();
  const ctx: LessonContext = {
    lambda: clients.lambda,
    logs: clients.logs,
    sqs: clients.sqs,
    names: {
      stackName: 'LambdaAsync',
      functionName: 'SimpleFunc',
      queueUrl: `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/LambdaAsync-DeadLetterQueue-X`,
      queueArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:LambdaAsync-DeadLetterQueue-X`,
      logGroupName: '/aws/lambda/SimpleFunc',
    },
    target: 'aws',
    runId: 'run-1',
    maxRetries: 2,
    runtime: 'nodejs',
    timing,
    record: {
      asyncOk: { requestId: 'ok-request', invokedAt, payload: '{"from":"async","name":"chucks","runId":"run-1"}' },
      asyncFail: { requestId: 'fail-request', invokedAt, payload: '{"from":"async","name":"","runId":"run-1"}' },
    },
    progress: (text) => texts.push(text),
  };
  return { ctx, destroy: () => clients.destroy() };
}

function startLine(requestId: string, timestamp: number) {
  return { timestamp, message: `START RequestId: ${requestId} Version: $LATEST\n`, eventId: `${requestId}-${timestamp}`, logStreamName: 's', ingestionTime: timestamp };
}

test('a throttled FilterLogEvents backs off exponentially and then succeeds: step 5 still passes', async () => {
  const throttled = () => awsError(CloudWatchLogsServiceException, 'ThrottlingException', 'Rate exceeded');
  const callTimes: number[] = [];
  const texts: string[] = [];
  const { ctx, destroy } = await lessonContext(
    { waitMs: 10_000, pollMs: 10, receiveWaitSeconds: 1, drainWaitSeconds: 0, throttleBackoff: { baseMs: 80, capMs: 1_000 }, minCallSpacingMs: 0 },
    texts,
  );
  const t0 = ctx.record.asyncFail!.invokedAt;
  logs.on(FilterLogEventsCommand).callsFake(async () => {
    callTimes.push(Date.now());
    if (callTimes.length <= 3) throw throttled();
    return { events: [startLine('ok-request', t0), startLine('fail-request', t0), startLine('fail-request', t0 + 60_000), startLine('fail-request', t0 + 180_000)] };
  });
  try {
    const outcome = await retriesInLogs.run(ctx);
    assert.equal(outcome.status, 'pass', outcome.observed);
    assert.equal(callTimes.length, 4, 'three throttled calls, then the one that answered');
    const gaps = callTimes.slice(1).map((time, index) => time - callTimes[index]!);
    // Jittered between half and all of 80, 160, 320 ms.
    assert.ok(gaps[0]! >= 40 && gaps[1]! >= 80 && gaps[2]! >= 160, `exponential backoff: ${gaps}`);
    assert.ok(texts.some((text) => text.includes('FilterLogEvents throttled, next read in')), texts.join('\n'));
  } finally {
    destroy();
  }
});

test('a FilterLogEvents throttled past the deadline fails step 5 with the throttling error, it does not spin forever', async () => {
  logs.on(FilterLogEventsCommand).rejects(awsError(CloudWatchLogsServiceException, 'ThrottlingException', 'Rate exceeded'));
  const { ctx, destroy } = await lessonContext({
    waitMs: 300,
    pollMs: 10,
    receiveWaitSeconds: 1,
    drainWaitSeconds: 0,
    throttleBackoff: { baseMs: 40, capMs: 80 },
    minCallSpacingMs: 0,
  });
  try {
    await assert.rejects(retriesInLogs.run(ctx), (error: Error) => error.name === 'ThrottlingException');
    assert.ok(Date.now() - ctx.record.asyncFail!.invokedAt < 2_000);
  } finally {
    destroy();
  }
});

test("on AWS the DLQ is long-polled with WaitTimeSeconds 20, so step 4's event shows as soon as it lands", async () => {
  const { ctx, destroy } = await lessonContext(lessonTiming(undefined, null));
  const message = {
    MessageId: 'm1',
    ReceiptHandle: 'r1',
    Body: ctx.record.asyncFail!.payload,
    Attributes: { SentTimestamp: String(Date.now()) },
    MessageAttributes: {
      RequestID: { DataType: 'String', StringValue: 'fail-request' },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'The event has no name' },
    },
  };
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message] }).resolves({ Messages: [] });
  sqs.onAnyCommand().resolves({});
  try {
    const outcome = await eventInDlq.run(ctx);
    assert.equal(outcome.status, 'pass', outcome.observed);
    const receives = sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input);
    assert.equal(receives[0]!.WaitTimeSeconds, 20);
    assert.equal(receives[0]!.MaxNumberOfMessages, 10);
    assert.equal(receives[1]!.WaitTimeSeconds, 1, 'then one short look for duplicates');
  } finally {
    destroy();
  }
});

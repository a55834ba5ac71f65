// CloudFormation over the wire with the real SDK v3 client (and the AWS CLI v1 when installed): the lesson's stack
// deploys, updates and deletes as on AWS, with AWS's statuses, events and exact error messages.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  ListChangeSetsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  waitUntilStackCreateComplete,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionCommand, GetFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { startEmulator } from '../../src/emulator/index.js';
import { TEST_CREDENTIALS, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const TEMPLATE_PATH = 'templates/LambdaAsync.yaml';
const LESSON_TEMPLATE = readFileSync(TEMPLATE_PATH, 'utf8');

/** The lesson stack deployed the way `deploy` does it: CreateChangeSet (CREATE) then ExecuteChangeSet. */
async function deployLesson(cfn: CloudFormationClient, stackName = 'LambdaAsync', functionName = 'SimpleFunc') {
  const changeSet = await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: 'initial',
      ChangeSetType: 'CREATE',
      TemplateBody: LESSON_TEMPLATE,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'FunctionName', ParameterValue: functionName }],
    }),
  );
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.Id }));
  return changeSet;
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}

test('the lesson template deploys through a change set and the first DescribeStacks after ExecuteChangeSet is CREATE_COMPLETE with its four outputs', async () => {
  const { cfn, url } = await startTestEmulator();
  const changeSet = await deployLesson(cfn);
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' }));
  const stack = Stacks![0]!;
  assert.equal(stack.StackStatus, 'CREATE_COMPLETE');
  assert.equal(stack.StackId, changeSet.StackId);
  assert.equal(stack.ChangeSetId, changeSet.Id);
  assert.deepEqual(stack.Capabilities, ['CAPABILITY_IAM']);
  assert.equal(stack.DisableRollback, false);
  assert.deepEqual(
    stack.Parameters?.map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]),
    [['FunctionName', 'SimpleFunc'], ['MaximumRetryAttempts', '2'], ['Runtime', 'nodejs24.x']],
  );
  const outputs = Object.fromEntries(stack.Outputs!.map((output) => [output.OutputKey, output.OutputValue]));
  assert.deepEqual(Object.keys(outputs).sort(), ['FunctionName', 'LogGroupName', 'QueueArn', 'QueueUrl']);
  assert.match(outputs.QueueUrl!, new RegExp(`^${url}/000000000000/LambdaAsync-DeadLetterQueue-[A-Z0-9]{13}$`));
  assert.equal(outputs.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${outputs.QueueUrl!.split('/').pop()}`);
  assert.equal(outputs.FunctionName, 'SimpleFunc');
  assert.equal(outputs.LogGroupName, '/aws/lambda/SimpleFunc');
  assert.match(stack.StackId!, /^arn:aws:cloudformation:us-east-1:000000000000:stack\/LambdaAsync\/[0-9a-f-]{36}$/);
  assert.match(changeSet.Id!, /^arn:aws:cloudformation:us-east-1:000000000000:changeSet\/initial\/[0-9a-f-]{36}$/);
});

test('the resources carry AWS physical ids and the queue gets the template attributes', async () => {
  const { cfn, sqs, running } = await startTestEmulator();
  await deployLesson(cfn);
  const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'LambdaAsync' }));
  const physical = Object.fromEntries(StackResources!.map((resource) => [resource.LogicalResourceId, resource.PhysicalResourceId]));
  assert.ok(StackResources!.every((resource) => resource.ResourceStatus === 'CREATE_COMPLETE'));
  assert.match(physical.FunctionRole!, /^LambdaAsync-FunctionRole-[A-Z0-9]{12}$/);
  assert.equal(physical.Function, 'SimpleFunc');
  assert.equal(physical.LogGroup, '/aws/lambda/SimpleFunc');
  assert.ok(running.emulator.iam.roleExists(`arn:aws:iam::000000000000:role/${physical.FunctionRole}`));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: physical.DeadLetterQueue, AttributeNames: ['MessageRetentionPeriod', 'SqsManagedSseEnabled'] }),
  );
  assert.equal(Attributes?.MessageRetentionPeriod, '1209600');
  assert.equal(Attributes?.SqsManagedSseEnabled, 'true');
  const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'LambdaAsync' }));
  assert.equal(StackResourceSummaries?.length, 5);
});

test('the stack events follow AWS sequence, newest first, with distinct ids and increasing millisecond timestamps', async () => {
  const { cfn } = await startTestEmulator();
  const { StackId } = await deployLesson(cfn);
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'LambdaAsync' }));
  const oldestFirst = [...StackEvents!].reverse();
  const line = (event: StackEvent) =>
    [event.LogicalResourceId, event.ResourceStatus, event.ResourceStatusReason ?? '', event.PhysicalResourceId ? 'id' : ''].join(' | ');
  const resource = (logicalId: string) => [
    `${logicalId} | CREATE_IN_PROGRESS |  | `,
    `${logicalId} | CREATE_IN_PROGRESS | Resource creation Initiated | id`,
    `${logicalId} | CREATE_COMPLETE |  | id`,
  ];
  assert.deepEqual(oldestFirst.map(line), [
    'LambdaAsync | REVIEW_IN_PROGRESS | User Initiated | id',
    'LambdaAsync | CREATE_IN_PROGRESS | User Initiated | id',
    ...resource('DeadLetterQueue'),
    ...resource('LogGroup'),
    ...resource('FunctionRole'),
    ...resource('Function'),
    ...resource('AsyncConfig'),
    'LambdaAsync | CREATE_COMPLETE |  | id',
  ]);
  const stackEvents = oldestFirst.filter((event) => event.ResourceType === 'AWS::CloudFormation::Stack');
  assert.ok(stackEvents.every((event) => event.PhysicalResourceId === StackId && event.StackName === 'LambdaAsync'));
  const times = oldestFirst.map((event) => event.Timestamp!.getTime());
  assert.ok(times.every((time, index) => index === 0 || time > times[index - 1]!), 'timestamps strictly increase');
  assert.equal(new Set(oldestFirst.map((event) => event.EventId)).size, oldestFirst.length);
});

test('waitUntilStackCreateComplete resolves on its first attempt', async () => {
  const { cfn } = await startTestEmulator();
  await cfn.send(
    new CreateStackCommand({ StackName: 'LambdaAsync', TemplateBody: LESSON_TEMPLATE, Capabilities: ['CAPABILITY_IAM'] }),
  );
  const started = Date.now();
  // The waiter sleeps at least minDelay between attempts: finishing well under it means the first poll succeeded.
  const result = await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 120, minDelay: 30 }, { StackName: 'LambdaAsync' });
  assert.equal(result.state, 'SUCCESS');
  assert.ok(Date.now() - started < 5_000);
});

test('a role without sqs:SendMessage on the DLQ fails the function with Lambda message; DisableRollback keeps the rest', async () => {
  const { cfn, sqs } = await startTestEmulator();
  const withoutSend = LESSON_TEMPLATE.replace('Action: sqs:SendMessage', 'Action: sqs:GetQueueUrl');
  assert.notEqual(withoutSend, LESSON_TEMPLATE);
  const { Id } = await cfn.send(
    new CreateChangeSetCommand({
      StackName: 'LambdaAsync',
      ChangeSetName: 'no-send',
      ChangeSetType: 'CREATE',
      TemplateBody: withoutSend,
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id, DisableRollback: true }));
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' }));
  assert.equal(Stacks![0]!.StackStatus, 'CREATE_FAILED');
  assert.equal(Stacks![0]!.StackStatusReason, 'The following resource(s) failed to create: [Function]. ');
  const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'LambdaAsync' }));
  const byId = Object.fromEntries(StackResources!.map((resource) => [resource.LogicalResourceId, resource]));
  assert.equal(byId.Function?.ResourceStatus, 'CREATE_FAILED');
  // docs/aws-semantics.md §2: CreateFunction refuses a role that cannot send to the DLQ.
  assert.match(
    byId.Function!.ResourceStatusReason!,
    /^Resource handler returned message: "The provided execution role does not have permissions to call SendMessage on SQS" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: InvalidRequest\)$/,
  );
  assert.equal(byId.AsyncConfig, undefined, 'nothing after the failed resource is attempted');
  assert.equal(byId.DeadLetterQueue?.ResourceStatus, 'CREATE_COMPLETE');
  await sqs.send(new GetQueueAttributesCommand({ QueueUrl: byId.DeadLetterQueue!.PhysicalResourceId, AttributeNames: ['QueueArn'] }));
});

test('a template with IAM resources and no capabilities is refused with InsufficientCapabilitiesException', async () => {
  const { cfn } = await startTestEmulator();
  const failure = await rejection(
    cfn.send(new CreateChangeSetCommand({ StackName: 'LambdaAsync', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: LESSON_TEMPLATE })),
  );
  assert.deepEqual(failure, { name: 'InsufficientCapabilitiesException', message: 'Requires capabilities : [CAPABILITY_IAM]', status: 400 });
  // Nothing was left behind in REVIEW_IN_PROGRESS.
  assert.match((await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' })))).message, /does not exist/);
});

test('missing stacks and change sets answer with AWS exact messages', async () => {
  const { cfn } = await startTestEmulator();
  const withId = { name: 'ValidationError', message: 'Stack with id Nope does not exist', status: 400 };
  assert.deepEqual(await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'Nope' }))), withId);
  assert.deepEqual(await rejection(cfn.send(new GetTemplateCommand({ StackName: 'Nope' }))), withId);
  assert.deepEqual(await rejection(cfn.send(new DescribeStackResourcesCommand({ StackName: 'Nope' }))), withId);
  // Recorded on AWS (LocalStack's test_changesets.snapshot.json, test_delete_change_set_exception): brackets here.
  assert.deepEqual(await rejection(cfn.send(new DeleteChangeSetCommand({ StackName: 'Nope', ChangeSetName: 'cs' }))), {
    name: 'ValidationError',
    message: 'Stack [Nope] does not exist',
    status: 400,
  });
  assert.deepEqual(await rejection(cfn.send(new DescribeStackEventsCommand({ StackName: 'Nope' }))), {
    name: 'ValidationError',
    message: 'Stack [Nope] does not exist',
    status: 400,
  });
  assert.deepEqual(await rejection(cfn.send(new DescribeChangeSetCommand({ StackName: 'Nope', ChangeSetName: 'cs' }))), {
    name: 'ValidationError',
    message: 'Stack [Nope] does not exist',
    status: 400,
  });
  const missingArn = 'arn:aws:cloudformation:us-east-1:000000000000:changeSet/cs/00000000-0000-0000-0000-000000000000';
  assert.deepEqual(await rejection(cfn.send(new DescribeChangeSetCommand({ ChangeSetName: missingArn }))), {
    name: 'ChangeSetNotFoundException',
    message: `ChangeSet [${missingArn}] does not exist`,
    status: 404,
  });
  // Deleting a stack that does not exist succeeds.
  await cfn.send(new DeleteStackCommand({ StackName: 'Nope' }));

  await deployLesson(cfn);
  assert.deepEqual(await rejection(cfn.send(new DescribeChangeSetCommand({ StackName: 'LambdaAsync', ChangeSetName: 'other' }))), {
    name: 'ChangeSetNotFoundException',
    message: 'ChangeSet [other] does not exist',
    status: 404,
  });
  assert.deepEqual(
    await rejection(
      cfn.send(
        new CreateChangeSetCommand({
          StackName: 'LambdaAsync',
          ChangeSetName: 'again',
          ChangeSetType: 'CREATE',
          TemplateBody: LESSON_TEMPLATE,
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    ),
    {
      name: 'ValidationError',
      message: 'Stack [LambdaAsync] already exists and cannot be created again with the changeSet [again].',
      status: 400,
    },
  );
  assert.deepEqual(
    await rejection(cfn.send(new CreateStackCommand({ StackName: 'LambdaAsync', TemplateBody: LESSON_TEMPLATE, Capabilities: ['CAPABILITY_IAM'] }))),
    { name: 'AlreadyExistsException', message: 'Stack [LambdaAsync] already exists', status: 400 },
  );
});

test('a CREATE change set makes a REVIEW_IN_PROGRESS stack that a second CREATE change set reuses', async () => {
  const { cfn } = await startTestEmulator();
  const create = (name: string) =>
    cfn.send(
      new CreateChangeSetCommand({
        StackName: 'LambdaAsync',
        ChangeSetName: name,
        ChangeSetType: 'CREATE',
        TemplateBody: LESSON_TEMPLATE,
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
  const first = await create('first');
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' }));
  assert.equal(Stacks![0]!.StackStatus, 'REVIEW_IN_PROGRESS');
  assert.equal(Stacks![0]!.StackStatusReason, 'User Initiated');
  const second = await create('second');
  assert.equal(second.StackId, first.StackId);
  const described = await cfn.send(new DescribeChangeSetCommand({ StackName: 'LambdaAsync', ChangeSetName: 'second' }));
  assert.equal(described.Status, 'CREATE_COMPLETE');
  assert.equal(described.ExecutionStatus, 'AVAILABLE');
  assert.deepEqual(
    described.Changes?.map((change) => `${change.ResourceChange?.Action} ${change.ResourceChange?.LogicalResourceId}`),
    ['Add DeadLetterQueue', 'Add LogGroup', 'Add FunctionRole', 'Add Function', 'Add AsyncConfig'],
  );
});

test('an executed change set leaves the list and frees its name, yet stays describable by its ARN', async () => {
  // docs/aws-semantics.md §6.2: `aws cloudformation deploy` names its change set after the current second, so two
  // deploys within one second reuse the name of the executed one.
  const { cfn } = await startTestEmulator();
  const executed = await deployLesson(cfn);
  const again = await cfn.send(
    new CreateChangeSetCommand({
      StackName: 'LambdaAsync',
      ChangeSetName: 'initial',
      UsePreviousTemplate: true,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [
        { ParameterKey: 'FunctionName', UsePreviousValue: true },
        { ParameterKey: 'MaximumRetryAttempts', ParameterValue: '1' },
      ],
    }),
  );
  assert.notEqual(again.Id, executed.Id);
  const { Summaries } = await cfn.send(new ListChangeSetsCommand({ StackName: 'LambdaAsync' }));
  assert.deepEqual(
    Summaries!.map((summary) => [summary.ChangeSetId, summary.ExecutionStatus]),
    [[again.Id, 'AVAILABLE']],
  );
  const old = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: executed.Id }));
  assert.equal(old.ExecutionStatus, 'EXECUTE_COMPLETE');
  const byName = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: 'initial', StackName: 'LambdaAsync' }));
  assert.equal(byName.ChangeSetId, again.Id);
});

test('an identical change set FAILS with AWS no-changes reason and cannot be executed', async () => {
  const { cfn } = await startTestEmulator();
  await deployLesson(cfn);
  const { Id } = await cfn.send(
    new CreateChangeSetCommand({
      StackName: 'LambdaAsync',
      ChangeSetName: 'same',
      TemplateBody: LESSON_TEMPLATE,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [
        { ParameterKey: 'FunctionName', UsePreviousValue: true },
        { ParameterKey: 'MaximumRetryAttempts', UsePreviousValue: true },
      ],
    }),
  );
  const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
  assert.equal(described.Status, 'FAILED');
  assert.equal(described.ExecutionStatus, 'UNAVAILABLE');
  assert.equal(
    described.StatusReason,
    "The submitted information didn't contain changes. Submit different information to create a change set.",
  );
  assert.deepEqual(described.Changes ?? [], []);
  assert.deepEqual(await rejection(cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }))), {
    name: 'InvalidChangeSetStatusException',
    message: `ChangeSet [${Id}] cannot be executed in its current status of [FAILED]`,
    status: 400,
  });
});

test('changing MaximumRetryAttempts through a change set is a Modify of AsyncConfig that reaches the function', async () => {
  const { cfn, lambda } = await startTestEmulator();
  await deployLesson(cfn);
  const { Id } = await cfn.send(
    new CreateChangeSetCommand({
      StackName: 'LambdaAsync',
      ChangeSetName: 'fewer-retries',
      UsePreviousTemplate: true,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [
        { ParameterKey: 'FunctionName', UsePreviousValue: true },
        { ParameterKey: 'MaximumRetryAttempts', ParameterValue: '1' },
      ],
    }),
  );
  const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
  assert.equal(described.Status, 'CREATE_COMPLETE');
  assert.equal(described.Changes?.length, 1);
  const change = described.Changes![0]!.ResourceChange!;
  assert.equal(change.Action, 'Modify');
  assert.equal(change.LogicalResourceId, 'AsyncConfig');
  assert.equal(change.ResourceType, 'AWS::Lambda::EventInvokeConfig');
  assert.equal(change.Replacement, 'False');
  assert.deepEqual(change.Details?.[0], {
    Target: { Attribute: 'Properties', Name: 'MaximumRetryAttempts', RequiresRecreation: 'Never' },
    Evaluation: 'Static',
    ChangeSource: 'ParameterReference',
    CausingEntity: 'MaximumRetryAttempts',
  });

  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id, StackName: 'LambdaAsync' }));
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' }));
  assert.equal(Stacks![0]!.StackStatus, 'UPDATE_COMPLETE');
  const config = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'SimpleFunc', Qualifier: '$LATEST' }));
  assert.equal(config.MaximumRetryAttempts, 1);
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'LambdaAsync' }));
  assert.deepEqual(
    StackEvents!.slice(0, 5).map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}`),
    [
      'LambdaAsync UPDATE_COMPLETE',
      'LambdaAsync UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'AsyncConfig UPDATE_COMPLETE',
      'AsyncConfig UPDATE_IN_PROGRESS',
      'LambdaAsync UPDATE_IN_PROGRESS',
    ],
  );
});

test('an update of the queue and log group retention applies in place, keeping their physical ids', async () => {
  const { cfn, sqs, logs } = await startTestEmulator();
  await deployLesson(cfn);
  const before = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'LambdaAsync' }));
  const changed = LESSON_TEMPLATE.replace('MessageRetentionPeriod: 1209600', 'MessageRetentionPeriod: 86400').replace(
    'RetentionInDays: 1',
    'RetentionInDays: 3',
  );
  await cfn.send(new UpdateStackCommand({ StackName: 'LambdaAsync', TemplateBody: changed, Capabilities: ['CAPABILITY_IAM'] }));
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' }));
  assert.equal(Stacks![0]!.StackStatus, 'UPDATE_COMPLETE');
  const after = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'LambdaAsync' }));
  assert.deepEqual(
    after.StackResources!.map((resource) => resource.PhysicalResourceId),
    before.StackResources!.map((resource) => resource.PhysicalResourceId),
  );
  const queueUrl = after.StackResources!.find((resource) => resource.LogicalResourceId === 'DeadLetterQueue')!.PhysicalResourceId;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MessageRetentionPeriod'] }));
  assert.equal(Attributes?.MessageRetentionPeriod, '86400');
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/SimpleFunc' }));
  assert.equal(logGroups?.[0]?.retentionInDays, 3);
});

test('deleting the stack removes the queue, function, role and log group; the deleted stack is found only by ARN', async () => {
  const { cfn, sqs, lambda, logs, running } = await startTestEmulator();
  const { StackId } = await deployLesson(cfn);
  const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'LambdaAsync' }));
  const physical = Object.fromEntries(StackResources!.map((resource) => [resource.LogicalResourceId, resource.PhysicalResourceId!]));

  await cfn.send(new DeleteStackCommand({ StackName: 'LambdaAsync' }));

  assert.equal((await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: physical.DeadLetterQueue!.split('/').pop() })))).name, 'QueueDoesNotExist');
  assert.equal((await rejection(lambda.send(new GetFunctionCommand({ FunctionName: 'SimpleFunc' })))).name, 'ResourceNotFoundException');
  assert.equal(running.emulator.iam.roleExists(`arn:aws:iam::000000000000:role/${physical.FunctionRole}`), false);
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/SimpleFunc' }));
  assert.deepEqual(logGroups, []);

  assert.deepEqual(await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' }))), {
    name: 'ValidationError',
    message: 'Stack with id LambdaAsync does not exist',
    status: 400,
  });
  const byArn = await cfn.send(new DescribeStacksCommand({ StackName: StackId }));
  assert.equal(byArn.Stacks![0]!.StackStatus, 'DELETE_COMPLETE');
  assert.ok(byArn.Stacks![0]!.DeletionTime instanceof Date);
  const { StackSummaries } = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }));
  assert.deepEqual(StackSummaries?.map((summary) => summary.StackId), [StackId]);
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: StackId }));
  assert.deepEqual(
    StackEvents!.slice(0, 12).reverse().map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}`),
    [
      'LambdaAsync DELETE_IN_PROGRESS',
      'AsyncConfig DELETE_IN_PROGRESS',
      'AsyncConfig DELETE_COMPLETE',
      'Function DELETE_IN_PROGRESS',
      'Function DELETE_COMPLETE',
      'FunctionRole DELETE_IN_PROGRESS',
      'FunctionRole DELETE_COMPLETE',
      'LogGroup DELETE_IN_PROGRESS',
      'LogGroup DELETE_COMPLETE',
      'DeadLetterQueue DELETE_IN_PROGRESS',
      'DeadLetterQueue DELETE_COMPLETE',
      'LambdaAsync DELETE_COMPLETE',
    ],
  );
  // The name is free again: a redeploy makes a new stack, not a match for the old change set.
  const again = await deployLesson(cfn);
  assert.notEqual(again.StackId, StackId);
  assert.deepEqual(running.emulator.cloudformation.stackSummaries(), [{ StackName: 'LambdaAsync', StackStatus: 'CREATE_COMPLETE' }]);
});

test('ValidateTemplate reports a YAML error with its line and describes a good template', async () => {
  const { cfn } = await startTestEmulator();
  const broken = LESSON_TEMPLATE.replace('  DeadLetterQueue:\n    Type: AWS::SQS::Queue', '  DeadLetterQueue:\n    Type: AWS::SQS::Queue\n   Oops: [');
  const failure = await rejection(cfn.send(new ValidateTemplateCommand({ TemplateBody: broken })));
  assert.equal(failure.name, 'ValidationError');
  const line = broken.split('\n').findIndex((text) => text.includes('Oops')) + 1;
  assert.match(failure.message, new RegExp(`^Template format error: YAML not well-formed\\. .*\\(line ${line}, column \\d+\\)$`));

  const valid = await cfn.send(new ValidateTemplateCommand({ TemplateBody: LESSON_TEMPLATE }));
  assert.deepEqual(valid.Parameters?.map((parameter) => [parameter.ParameterKey, parameter.DefaultValue]), [
    ['FunctionName', 'SimpleFunc'],
    ['MaximumRetryAttempts', '2'],
    ['Runtime', 'nodejs24.x'],
  ]);
  assert.deepEqual(valid.Capabilities, ['CAPABILITY_IAM']);
  assert.equal(valid.CapabilitiesReason, 'The following resource(s) require capabilities: [AWS::IAM::Role]');
});

test('GetTemplate returns the original YAML text and GetTemplateSummary the parameters deploy reads', async () => {
  const { cfn } = await startTestEmulator();
  await deployLesson(cfn);
  const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: 'LambdaAsync' }));
  assert.equal(TemplateBody, LESSON_TEMPLATE);
  const summary = await cfn.send(new GetTemplateSummaryCommand({ StackName: 'LambdaAsync' }));
  assert.deepEqual(summary.Parameters?.map((parameter) => [parameter.ParameterKey, parameter.ParameterType]), [
    ['FunctionName', 'String'],
    ['MaximumRetryAttempts', 'Number'],
    ['Runtime', 'String'],
  ]);
  assert.deepEqual(summary.ResourceTypes, [
    'AWS::SQS::Queue',
    'AWS::Logs::LogGroup',
    'AWS::IAM::Role',
    'AWS::Lambda::Function',
    'AWS::Lambda::EventInvokeConfig',
  ]);
});

test('DescribeStackEvents pages with NextToken', async () => {
  const { cfn } = await startTestEmulator();
  const body = `Resources:\n${Array.from({ length: 40 }, (_, i) => `  Q${i}: { Type: AWS::SQS::Queue }`).join('\n')}\n`;
  await cfn.send(new CreateStackCommand({ StackName: 'Many', TemplateBody: body }));
  const first = await cfn.send(new DescribeStackEventsCommand({ StackName: 'Many' }));
  assert.equal(first.StackEvents?.length, 100);
  assert.ok(first.NextToken);
  const second = await cfn.send(new DescribeStackEventsCommand({ StackName: 'Many', NextToken: first.NextToken }));
  assert.equal(second.StackEvents?.length, 2 + 40 * 3 - 100);
  assert.equal(second.NextToken, undefined);
  assert.equal(second.StackEvents!.at(-1)!.ResourceStatus, 'CREATE_IN_PROGRESS');
});

test('a deployed stack survives a restart of a persisted emulator and still deletes cleanly', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cfn-state-'));
  const first = await startEmulator({ stateDir, retryDelaysMs: [50, 100] });
  const firstClient = new CloudFormationClient({ endpoint: first.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  const { StackId } = await deployLesson(firstClient);
  firstClient.destroy();
  await first.close();

  const { cfn, lambda } = await startTestEmulator({ stateDir });
  // Registered after startTestEmulator's own close hook, so the directory goes once the emulator has saved.
  after(() => rmSync(stateDir, { recursive: true, force: true }));
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' }));
  assert.equal(Stacks![0]!.StackId, StackId);
  assert.equal(Stacks![0]!.StackStatus, 'CREATE_COMPLETE');
  assert.equal(Stacks![0]!.Outputs?.length, 4);
  await cfn.send(new DeleteStackCommand({ StackName: 'LambdaAsync' }));
  const { Stacks: deleted } = await cfn.send(new DescribeStacksCommand({ StackName: StackId }));
  assert.equal(deleted![0]!.StackStatus, 'DELETE_COMPLETE');
  assert.equal((await rejection(lambda.send(new GetFunctionCommand({ FunctionName: 'SimpleFunc' })))).name, 'ResourceNotFoundException');
});

// ------------------------------------------------------------------------------------------ AWS CLI v1

/** "aws-cli/1.x ..." when the AWS CLI v1 is on PATH (the `deploy` whose behaviour §6.5 documents), else undefined. */
async function awsCliV1(): Promise<string | undefined> {
  const version = await runAws(['--version'], process.env).catch(() => undefined);
  const text = `${version?.stdout ?? ''}${version?.stderr ?? ''}`;
  return version?.code === 0 && /aws-cli\/1\./.test(text) ? text.trim() : undefined;
}

function runAws(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('aws', args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const finish = (code: number | null) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    };
    // A missing `aws` emits 'error' (ENOENT) and no 'close' with a code.
    child.on('error', () => finish(null));
    child.on('close', finish);
  });
}

test('aws cloudformation deploy (CLI v1) deploys in seconds and a second identical deploy says No changes to deploy', async (t) => {
  if (!(await awsCliV1())) {
    console.log('# skipping the AWS CLI deploy test: AWS CLI v1 (aws-cli/1.x) is not on PATH');
    t.skip('AWS CLI v1 (aws-cli/1.x) is not on PATH');
    return;
  }
  const { url, cfn }: TestEmulator = await startTestEmulator();
  const home = mkdtempSync(join(tmpdir(), 'cfn-cli-'));
  try {
    writeFileSync(join(home, 'config'), '');
    writeFileSync(join(home, 'credentials'), '');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    };
    // Nothing of the user's own AWS setup may leak into the run.
    for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_REGION', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete env[name];
    const deploy = [
      'cloudformation', 'deploy', '--template-file', TEMPLATE_PATH, '--stack-name', 'LambdaAsync',
      '--capabilities', 'CAPABILITY_IAM', '--disable-rollback', '--endpoint-url', url,
    ];
    const first = await runAws(deploy, env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Successfully created\/updated stack - LambdaAsync/);
    // The CLI polls every 30 s; finishing in seconds means its first poll saw CREATE_COMPLETE.
    assert.ok(first.ms < 25_000, `deploy took ${first.ms} ms`);
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'LambdaAsync' }));
    assert.equal(Stacks![0]!.StackStatus, 'CREATE_COMPLETE');
    assert.equal(Stacks![0]!.DisableRollback, true);

    const second = await runAws(deploy, env);
    // docs/aws-semantics.md §6.5: CLI v1 fails on an empty change set by default (exit 255, stderr).
    assert.equal(second.code, 255);
    assert.match(second.stderr, /No changes to deploy\. Stack LambdaAsync is up to date/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

// The emulator against responses recorded from real AWS (LocalStack's AWS-validated snapshot files, copied into
// test/fidelity/recordings/ with their source): each scenario repeats the recorded test's calls with boto3 and must
// answer key for key as AWS did. test/fidelity/README.md lists the scenarios and what rests on documentation instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { boto3Unavailable, differences, recordings, withBoto3, type Recording } from './harness.js';

const SKIP = await boto3Unavailable();

/** Compares every recorded key the scenario produced; names the recording's source on a mismatch. */
function assertMatches(actual: Record<string, unknown>, recording: Recording, keys = Object.keys(recording.recorded)): void {
  const problems = keys.flatMap((key) => differences(actual[key], recording.recorded[key], key));
  const { file, test: name } = recording.source;
  assert.deepEqual(problems, [], `differs from the AWS recording ${file} :: ${name}`);
}

const sqs = recordings('sqs');
const cloudformation = recordings('cloudformation');
const lambda = recordings('lambda');

test('SQS MessageAttributeNames: All, *, .*, names, a prefix, illegal names, with the MD5 of what is returned', { skip: SKIP }, async () => {
  const { url } = await startTestEmulator();
  const actual = await withBoto3(
    url,
    `
url = sqs.create_queue(QueueName='filters', Attributes={'VisibilityTimeout': '0'})['QueueUrl']
out['send_message_response'] = sqs.send_message(QueueUrl=url, MessageBody='msg', MessageAttributes={
    'Help.Me': {'DataType': 'String', 'StringValue': 'Me'},
    'Hello': {'DataType': 'String', 'StringValue': 'There'},
    'General': {'DataType': 'String', 'StringValue': 'Kenobi'}})
def receive(names): return sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, MessageAttributeNames=names)
out['empty_filter'] = receive([])
out['all_name'] = receive(['All'])
out['all_wildcard_asterisk'] = receive(['*'])['Messages'][0]
out['all_wildcard'] = receive(['.*'])['Messages'][0]
out['only_non_existing_names'] = receive(['Foo', 'Help'])['Messages'][0]
out['only_existing'] = receive(['Hello', 'General'])['Messages'][0]
out['existing_and_non_existing'] = receive(['Foo', 'Hello'])['Messages'][0]
out['prefix_filter'] = receive(['Hel.*'])['Messages'][0]
out['illegal_name_1'] = receive(['AWS.'])
out['illegal_name_2'] = receive(['..foo'])
`,
  );
  assertMatches(actual, sqs['message-attribute-name-filters']!);
});

test('SQS: an empty String attribute value is refused with the recorded message (JSON protocol)', { skip: SKIP }, async () => {
  const { url } = await startTestEmulator();
  const actual = await withBoto3(
    url,
    `
url = sqs.create_queue(QueueName='empty-attribute')['QueueUrl']
out['empty-string-attr'] = error(sqs.send_message, QueueUrl=url, MessageBody='test', MessageAttributes={'ErrorDetails': {'StringValue': '', 'DataType': 'String'}})
`,
  );
  const recording = sqs['empty-string-attribute-json']!;
  assertMatches(actual, recording);
});

test('SQS query protocol: the error document carries the empty <Detail/> and the recorded message', async () => {
  // boto3 speaks JSON to SQS today: the query variant is checked on the wire, as botocore's query parser reads it.
  const { url } = await startTestEmulator();
  const form = (params: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
    });
  const created = await (await form({ Action: 'CreateQueue', QueueName: 'query-empty-attribute' })).text();
  const queueUrl = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(created)![1]!;
  const response = await form({
    Action: 'SendMessage',
    QueueUrl: queueUrl,
    MessageBody: 'test',
    'MessageAttribute.1.Name': 'ErrorDetails',
    'MessageAttribute.1.Value.DataType': 'String',
    'MessageAttribute.1.Value.StringValue': '',
  });
  const body = await response.text();
  const error = /<Error>(.*)<\/Error>/s.exec(body)![1]!;
  const unescape = (text: string) => text.replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const field = (name: string) => {
    const text = new RegExp(`<${name}>([^<]*)</${name}>`).exec(error)?.[1];
    return text === undefined ? undefined : unescape(text);
  };
  const parsed = {
    Error: { Code: field('Code'), Detail: /<Detail\/>|<Detail><\/Detail>/.test(error) ? null : 'absent', Message: field('Message'), Type: field('Type') },
    ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: response.status },
  };
  assertMatches({ 'empty-string-attr': parsed }, sqs['empty-string-attribute-query']!);
});

test('CloudFormation: a deleted stack described by id, a new stack of the same name, and the not-found messages', { skip: SKIP }, async () => {
  const { url } = await startTestEmulator();
  // The recording's template holds an SSM parameter, which the emulator does not model: an SQS queue stands in (the
  // stack descriptions compared here do not depend on the resource).
  const actual = await withBoto3(
    url,
    `
template = 'Resources:\\n  Queue:\\n    Type: AWS::SQS::Queue\\n'
name = 'repeated-stack'
stack_id = cfn.create_stack(StackName=name, TemplateBody=template)['StackId']
cfn.get_waiter('stack_create_complete').wait(StackName=name)
out['create_stack_already_exists_exc'] = error(cfn.create_stack, StackName=name, TemplateBody=template)
out['created_stack_desc'] = cfn.describe_stacks(StackName=name)['Stacks'][0]['StackStatus']
cfn.delete_stack(StackName=name)
cfn.get_waiter('stack_delete_complete').wait(StackName=name)
out['deleted_stack_not_found_exc'] = error(cfn.describe_stacks, StackName=name)
out['deleted_stack_events_not_found_by_name'] = error(cfn.describe_stack_events, StackName=name)
out['deleted_stack_desc'] = cfn.describe_stacks(StackName=stack_id)
new_id = cfn.create_stack(StackName=name, TemplateBody=template)['StackId']
cfn.get_waiter('stack_create_complete').wait(StackName=name)
out['new_stack_desc'] = cfn.describe_stacks(StackName=name)
out['stack_id_desc'] = cfn.describe_stacks(StackName=stack_id)
out['new_stack_id_desc'] = cfn.describe_stacks(StackName=new_id)
`,
  );
  assertMatches(actual, cloudformation['deleted-stack-descriptions']!, [
    'create_stack_already_exists_exc',
    'created_stack_desc',
    'deleted_stack_not_found_exc',
    'deleted_stack_events_not_found_by_name',
    'deleted_stack_desc',
    'new_stack_desc',
    'stack_id_desc',
    'new_stack_id_desc',
  ]);
});

test('CloudFormation: DeleteChangeSet on a missing stack, and without a stack name', { skip: SKIP }, async () => {
  const { url } = await startTestEmulator();
  const actual = await withBoto3(
    url,
    `
out['e1'] = error(cfn.delete_change_set, StackName='nostack', ChangeSetName='DoesNotExist')
out['e2'] = error(cfn.delete_change_set, ChangeSetName='DoesNotExist')
`,
  );
  assertMatches(actual, cloudformation['delete-change-set-errors']!);
});

test('CloudFormation: after a CREATE change set runs, the UPDATE change set is the only one listed, described without Tags', { skip: SKIP }, async () => {
  const { url } = await startTestEmulator();
  // The recording updates an SNS topic's name; an SQS queue's name is the stand-in (a replacement too). Changes are
  // the resource's own, so they are left out of the comparison: the rest of each answer is compared key for key.
  const actual = await withBoto3(
    url,
    `
template = 'Resources:\\n  topic123:\\n    Type: AWS::SQS::Queue\\n    Properties:\\n      QueueName: sns-topic-simple\\n'
created = cfn.create_change_set(StackName='stack-cs', ChangeSetName='change-set-1', TemplateBody=template, ChangeSetType='CREATE')
out['create_change_set'] = created
cfn.execute_change_set(ChangeSetName=created['Id'])
update = cfn.create_change_set(StackName='stack-cs', ChangeSetName='change-set-2', TemplateBody=template.replace('sns-topic-simple', 'sns-topic-simple-2'), ChangeSetType='UPDATE')
described = cfn.describe_change_set(ChangeSetName=update['Id'])
described['Changes'] = 'compared elsewhere'
out['describe_change_set'] = described
out['list_change_set'] = cfn.list_change_sets(StackName='stack-cs')
`,
  );
  const recording = cloudformation['change-set-after-execution']!;
  const recorded = { ...recording, recorded: { ...recording.recorded, describe_change_set: { ...(recording.recorded.describe_change_set as object), Changes: 'compared elsewhere' } } };
  assertMatches(actual, recorded);
});

test("Lambda's dead-letter queue: the failed event's body, MD5 and its RequestID, ErrorCode and ErrorMessage attributes", { skip: SKIP }, async () => {
  const env = await startTestEmulator();
  const emulator: Emulator = env.running.emulator;
  const queue = emulator.sqs.createQueue('dlq-recorded');
  const role = emulator.iam.createRole({
    RoleName: 'dlq-recorded-role',
    Policies: [{ PolicyName: 'dlq', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue.QueueArn }] } }],
  });
  // The recorded function raises "Test exception (this is intentional)" when the event carries raise_error.
  emulator.lambda.createFunction({
    FunctionName: 'dlq-recorded',
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: role.Arn,
    Code: { ZipFile: "exports.handler = async (event) => { if (event.raise_error) throw new Error('Test exception (this is intentional)'); return event; };" },
    DeadLetterConfig: { TargetArn: queue.QueueArn },
  });
  await emulator.lambda.operations.PutFunctionEventInvokeConfig({ FunctionName: 'dlq-recorded', MaximumRetryAttempts: 0 });
  const actual = await withBoto3(
    env.url,
    `
import time
lam.invoke(FunctionName='dlq-recorded', Payload=json.dumps({'raise_error': 1}), InvocationType='Event')
for _ in range(200):
    result = sqs.receive_message(QueueUrl=${JSON.stringify(queue.QueueUrl)}, MessageAttributeNames=['All'])
    if result.get('Messages'): break
    time.sleep(0.05)
out['receive_result'] = result
`,
  );
  assertMatches(actual, lambda['dead-letter-queue-message']!);
});

// CloudFormation answers held against AWS recordings: a stack and its change sets through their life, and the errors.
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  type Capability,
  type CloudFormationClient,
} from '@aws-sdk/client-cloudformation';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Comparison, answer, failure, fidelityEmulator, matchesRecording, queryError, recorded } from './recorded.js';

const aws = await fidelityEmulator();

/** Stands in for the recordings' AWS::SSM::Parameter, which the emulator does not have. */
const QUEUE_ONLY = { Resources: { MyParameter: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: 1 } } } };

function withDelay(template: typeof QUEUE_ONLY, delay: number) {
  return JSON.stringify({ Resources: { MyParameter: { ...template.Resources.MyParameter, Properties: { DelaySeconds: delay } } } });
}

/** What the recordings' deploy_cfn_template fixture does: a change set, executed. */
async function deploy(cfn: CloudFormationClient, StackName: string, TemplateBody: string, extra: Record<string, unknown> = {}) {
  const { Id, StackId } = await cfn.send(new CreateChangeSetCommand({ StackName, ChangeSetName: `cs-${Date.now()}`, ChangeSetType: 'CREATE', TemplateBody, ...extra }));
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
  return { Id: Id!, StackId: StackId! };
}

test('CloudFormation: ListChangeSets after a deploy, one more set and one deleted shows only the new AVAILABLE set', async () => {
  const { StackId } = await deploy(aws.cfn, 'fidelity-list', withDelay(QUEUE_ONLY, 1));
  await aws.cfn.send(new CreateChangeSetCommand({ StackName: StackId, ChangeSetName: 'cs-kept', ChangeSetType: 'UPDATE', TemplateBody: withDelay(QUEUE_ONLY, 2) }));
  const { Id: deleted } = await aws.cfn.send(
    new CreateChangeSetCommand({ StackName: StackId, ChangeSetName: 'cs-deleted', ChangeSetType: 'UPDATE', TemplateBody: withDelay(QUEUE_ONLY, 3) }),
  );
  await aws.cfn.send(new DeleteChangeSetCommand({ ChangeSetName: deleted }));
  const listed = answer(await aws.cfn.send(new ListChangeSetsCommand({ StackName: StackId })));
  matchesRecording(listed, recorded('cloudformation.json', 'test_list_change_sets', 'change-sets'));
});

test('CloudFormation: an untagged CREATE change set, its REVIEW_IN_PROGRESS stack and the stack after execution answer as recorded', async () => {
  const test = 'test_stack_description_lifecycle[no-tags]';
  const template = { AWSTemplateFormatVersion: '2010-09-09', Description: 'test <env>.test.net', Resources: { TestResource: QUEUE_ONLY.Resources.MyParameter } };
  const { Id, StackId } = await aws.cfn.send(
    new CreateChangeSetCommand({ StackName: 'fidelity-lifecycle', ChangeSetName: 'cs-lifecycle', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template) }),
  );
  const preExecute = recorded('cloudformation.json', test, 'change-set-pre-execute');
  const comparison = new Comparison(preExecute.source, {
    '$.Changes.*.ResourceChange.ResourceType': 'the recording adds an AWS::SSM::Parameter, which the emulator lacks; an SQS queue stands in',
    '$.StackStatusReason': 'the recording skips it (skip_snapshot_verify)',
  });
  const { ResponseMetadata: _, ...changeSet } = answer(await aws.cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id })));
  matchesRecording({ ...changeSet }, { ...preExecute, expected: dropMetadata(preExecute.expected) }, {}, comparison);
  const [pending] = (await aws.cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks!;
  matchesRecording(pending, recorded('cloudformation.json', test, 'stack-pre-execute'), {}, comparison);
  await aws.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
  const [created] = (await aws.cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks!;
  matchesRecording(created, recorded('cloudformation.json', test, 'stack-post-execute'), {}, comparison);
});

test('CloudFormation: a deleted stack described by its id has DeletionTime and LastUpdatedTime, no ChangeSetId or EnableTerminationProtection', async () => {
  const template = (value: string) =>
    JSON.stringify({
      Parameters: { ApiName: { Type: 'String' } },
      Resources: { Api: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'name', Value: { Ref: 'ApiName' } }] } } },
      Metadata: { note: value },
    });
  const capabilities = { Capabilities: ['CAPABILITY_AUTO_EXPAND', 'CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] as Capability[] };
  const { StackId } = await deploy(aws.cfn, 'fidelity-deleted', template('one'), { ...capabilities, Parameters: [{ ParameterKey: 'ApiName', ParameterValue: 'test_one' }] });
  const { Id } = await aws.cfn.send(
    new CreateChangeSetCommand({
      StackName: StackId,
      ChangeSetName: 'cs-update',
      TemplateBody: template('two'),
      ...capabilities,
      Parameters: [{ ParameterKey: 'ApiName', ParameterValue: 'test_two' }],
    }),
  );
  await aws.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
  await aws.cfn.send(new DeleteStackCommand({ StackName: StackId }));
  const [deleted] = (await aws.cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks!;
  matchesRecording(deleted, recorded('cloudformation.json', 'test_stack_lifecycle', 'deleted'));
});

test('CloudFormation: DeleteChangeSet on a missing stack and without a stack answer AWS ValidationErrors', async () => {
  await failure(aws.cfn.send(new DeleteChangeSetCommand({ StackName: 'nostack', ChangeSetName: 'DoesNotExist' })));
  matchesRecording(queryError(aws.raw), recorded('cloudformation.json', 'test_delete_change_set_exception', 'e1'));
  await failure(aws.cfn.send(new DeleteChangeSetCommand({ ChangeSetName: 'DoesNotExist' })));
  matchesRecording(queryError(aws.raw), recorded('cloudformation.json', 'test_delete_change_set_exception', 'e2'));
});

test('CloudFormation: DescribeChangeSet on a missing stack is Stack [name] does not exist', async () => {
  await failure(aws.cfn.send(new DescribeChangeSetCommand({ StackName: 'somestack', ChangeSetName: 'DoesNotExist' })));
  const { Error: recordedError } = queryError(aws.raw) as { Error: { Code: string; Message: string } };
  // The recording keeps botocore's printed form of the error.
  matchesRecording(
    `An error occurred (${recordedError.Code}) when calling the DescribeChangeSet operation: ${recordedError.Message}`,
    recorded('cloudformation.json', 'test_describe_change_set_nonexisting', 'exception'),
  );
});

test('CloudFormation: a deleted change set described by name is ChangeSetNotFound, 404', async () => {
  const { StackId } = await deploy(aws.cfn, 'fidelity-cs-deleted', withDelay(QUEUE_ONLY, 1));
  await aws.cfn.send(new CreateChangeSetCommand({ StackName: StackId, ChangeSetName: 'cs-1', TemplateBody: withDelay(QUEUE_ONLY, 2) }));
  await aws.cfn.send(new DeleteChangeSetCommand({ StackName: StackId, ChangeSetName: 'cs-1' }));
  const error = await failure(aws.cfn.send(new DescribeChangeSetCommand({ StackName: StackId, ChangeSetName: 'cs-1' })));
  assert.equal(error.name, 'ChangeSetNotFoundException');
  matchesRecording(queryError(aws.raw), recorded('cloudformation.json', 'test_describe_changeset_after_delete', 'describe-deleted-cs'));
});

function dropMetadata(value: unknown): unknown {
  const { ResponseMetadata: _, ...rest } = value as Record<string, unknown>;
  return rest;
}

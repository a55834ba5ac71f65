// CloudFormation's query binding on its own: the parsed form params it turns into the model-shaped input the
// service takes, and the result it hands the XML renderer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloudFormationQueryBinding } from '../../src/emulator/bindings/cloudformation-query.js';
import { parseQueryParams } from '../../src/emulator/protocol/query.js';

const input = (form: string) => cloudFormationQueryBinding.toInput('CreateStack', parseQueryParams(new URLSearchParams(form)));

test('member lists become arrays; an empty list sent as `Capabilities=` is an empty list, still present', () => {
  assert.deepEqual(
    input('StackName=s&Capabilities.member.1=CAPABILITY_IAM&Tags.member.1.Key=k&Tags.member.1.Value=v&NotificationARNs='),
    { StackName: 's', Capabilities: ['CAPABILITY_IAM'], Tags: [{ Key: 'k', Value: 'v' }], NotificationARNs: [] },
  );
});

test('"true"/"false" become booleans, top level and in Parameters; an empty one is absent', () => {
  assert.deepEqual(
    input(
      'DisableRollback=true&UsePreviousTemplate=false&EnableTerminationProtection=' +
        '&Parameters.member.1.ParameterKey=A&Parameters.member.1.UsePreviousValue=true' +
        '&Parameters.member.2.ParameterKey=B&Parameters.member.2.ParameterValue=x&Parameters.member.2.UsePreviousValue=',
    ),
    {
      DisableRollback: true,
      UsePreviousTemplate: false,
      Parameters: [
        { ParameterKey: 'A', UsePreviousValue: true },
        { ParameterKey: 'B', ParameterValue: 'x' },
      ],
    },
  );
});

test('a member sent in the wrong shape is dropped, as the real service reads it as absent', () => {
  assert.deepEqual(input('StackName.member.1=x&Tags.member.1.Key.toString=1&Tags.member.2=loose&Capabilities.member.1.a=b&Other.x=y'), {
    Tags: [{}],
    Capabilities: [],
  });
});

test('DeleteStack has no result element; every other action prints its output as it is', () => {
  assert.equal(cloudFormationQueryBinding.toResult('DeleteStack', undefined), undefined);
  const output = { StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/s/1' };
  assert.equal(cloudFormationQueryBinding.toResult('CreateStack', output), output);
  assert.deepEqual(cloudFormationQueryBinding.toResult('ExecuteChangeSet', {}), {});
});

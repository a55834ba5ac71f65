// The template engine on its own: parsing, parameters, intrinsic functions, conditions, ordering and failure paths,
// driven through CloudFormationService with a recording resource type instead of the real services.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Output } from '@aws-sdk/client-cloudformation';
import { Emulator } from '../../src/emulator/index.js';
import { ServiceError } from '../../src/emulator/errors.js';
import { CloudFormationService } from '../../src/emulator/services/cloudformation/service.js';
import type { Properties, ResourceHandler } from '../../src/emulator/services/cloudformation/resources.js';
import { parseTemplate } from '../../src/emulator/services/cloudformation/template.js';

interface Harness {
  cfn: CloudFormationService;
  calls: string[];
  /** Properties each live physical resource was last given. */
  live: Map<string, Properties>;
  call(operation: string, input: Record<string, unknown>): Promise<any>;
}

/** A resource type that records what the engine asks of it; `Fail: reason` in its properties makes create fail. */
function harness(): Harness {
  const calls: string[] = [];
  const live = new Map<string, Properties>();
  let serial = 0;
  const thing: ResourceHandler = {
    requiredProperties: [],
    replacementProperties: ['Name'],
    attributeNames: ['Arn', 'Name', 'Endpoint.Address'],
    create(properties, hc) {
      if (properties.Fail) throw new ServiceError('InvalidRequest', String(properties.Fail));
      const id = `${hc.logicalId}-${++serial}`;
      calls.push(`create ${hc.logicalId}`);
      live.set(id, properties);
      return { physicalId: id, attributes: { Arn: `arn:test:${id}`, Name: id, 'Endpoint.Address': `${id}.local` } };
    },
    update(current, properties, _previous, hc) {
      calls.push(`update ${hc.logicalId}`);
      live.set(current.physicalId, properties);
      return current;
    },
    delete(current, _properties, hc) {
      calls.push(`delete ${hc.logicalId}`);
      live.delete(current.physicalId);
    },
    ref: (current) => current.physicalId,
    getAtt: (current, attribute) => current.attributes[attribute],
  };
  const cfn = new CloudFormationService(new Emulator(), { 'Test::Thing': thing });
  return {
    cfn,
    calls,
    live,
    call: async (operation, input) => (cfn.operations as Record<string, (i: unknown, r: unknown) => unknown>)[operation]!(input, { requestId: 'test' }),
  };
}

async function stackOf(h: Harness, name: string) {
  return (await h.call('DescribeStacks', { StackName: name })).Stacks[0];
}

function outputs(stack: { Outputs?: Output[] }): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey!, output.OutputValue!]));
}

async function statusesOf(h: Harness, name: string): Promise<string[]> {
  const { StackEvents } = await h.call('DescribeStackEvents', { StackName: name });
  return [...StackEvents].reverse().map((event: any) => `${event.LogicalResourceId} ${event.ResourceStatus}`);
}

// ------------------------------------------------------------------------------------------------ parsing

test('YAML short forms become their long forms, including !GetAtt with a dotted attribute', () => {
  const template = parseTemplate(
    [
      'Resources:',
      '  A:',
      '    Type: Test::Thing',
      '    Properties:',
      '      Ref: !Ref B',
      '      Att: !GetAtt B.Endpoint.Address',
      "      Sub: !Sub ['${X}', { X: !Ref AWS::Region }]",
      '      Join: !Join [",", [a, !Select [0, !Split ["-", "x-y"]]]]',
      '      Cond: !If [C, !Base64 hi, !Ref AWS::NoValue]',
      '      Azs: !GetAZs ""',
      '      Imp: !ImportValue shared',
      '      Map: !FindInMap [M, k, v]',
      '      Eq: !Not [!Equals [a, b]]',
      '      Both: !And [!Condition C, !Or [!Condition C]]',
    ].join('\n'),
  );
  assert.deepEqual(template.Resources.A!.Properties, {
    Ref: { Ref: 'B' },
    Att: { 'Fn::GetAtt': ['B', 'Endpoint.Address'] },
    Sub: { 'Fn::Sub': ['${X}', { X: { Ref: 'AWS::Region' } }] },
    Join: { 'Fn::Join': [',', ['a', { 'Fn::Select': [0, { 'Fn::Split': ['-', 'x-y'] }] }]] },
    Cond: { 'Fn::If': ['C', { 'Fn::Base64': 'hi' }, { Ref: 'AWS::NoValue' }] },
    Azs: { 'Fn::GetAZs': '' },
    Imp: { 'Fn::ImportValue': 'shared' },
    Map: { 'Fn::FindInMap': ['M', 'k', 'v'] },
    Eq: { 'Fn::Not': [{ 'Fn::Equals': ['a', 'b'] }] },
    Both: { 'Fn::And': [{ Condition: 'C' }, { 'Fn::Or': [{ Condition: 'C' }] }] },
  });
});

test('broken YAML is a Template format error naming the line', () => {
  assert.throws(() => parseTemplate('Resources:\n  A:\n    Type: Test::Thing\n   Properties: [\n'), (error: ServiceError) => {
    assert.equal(error.code, 'ValidationError');
    assert.match(error.message, /^Template format error: YAML not well-formed\. .*\(line 4, column \d+\)$/);
    return true;
  });
});

test('an unknown short-form tag is a Template format error', () => {
  assert.throws(() => parseTemplate('Resources:\n  A:\n    Type: Test::Thing\n    Properties:\n      X: !Reff B\n'), {
    message: /^Template format error: YAML not well-formed\. .*!Reff.*\(line 5, column 10\)$/,
  });
});

test('broken JSON is "JSON not well-formed" with line and column', () => {
  assert.throws(() => parseTemplate('{\n  "Resources": {,}\n}'), {
    code: 'ValidationError',
    message: 'Template format error: JSON not well-formed. (line 2, column 17)',
  });
});

test('a template without Resources is rejected with AWS message', () => {
  assert.throws(() => parseTemplate('Description: nothing here\n'), {
    message: 'Template format error: At least one Resources member must be defined.',
  });
  assert.throws(() => parseTemplate('Resources:\n  A:\n    Properties: {}\n'), {
    message: 'Template format error: [/Resources/A] Every Resources object must contain a Type member.',
  });
  assert.throws(() => parseTemplate('Resources: {A: {Type: T}}\nOutput: {}\n'), {
    message: 'Template format error: Invalid template property or properties [Output]',
  });
});

// --------------------------------------------------------------------------------------------- parameters

const PARAMETERS_TEMPLATE = `
Parameters:
  Name: { Type: String, AllowedPattern: '[a-z]+' }
  Count: { Type: Number, Default: 2, MinValue: 0, MaxValue: 2 }
  Env: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Zones: { Type: CommaDelimitedList, Default: 'a,b' }
  Secret: { Type: String, Default: hidden, NoEcho: true }
Resources:
  A: { Type: Test::Thing, Properties: { Name: !Ref Name, Count: !Ref Count, Zone: !Select [1, !Ref Zones] } }
`;

test('parameter values are checked with AWS messages', async () => {
  const h = harness();
  const create = (parameters: Array<Record<string, string>>) =>
    h.call('CreateStack', { StackName: 'p', TemplateBody: PARAMETERS_TEMPLATE, Parameters: parameters });
  await assert.rejects(create([]), { code: 'ValidationError', message: 'Parameters: [Name] must have values' });
  await assert.rejects(create([{ ParameterKey: 'Name', ParameterValue: 'Bad1' }]), {
    message: "Parameter 'Name' must match pattern [a-z]+",
  });
  await assert.rejects(create([{ ParameterKey: 'Name', ParameterValue: 'ok' }, { ParameterKey: 'Count', ParameterValue: '3' }]), {
    message: "Parameter 'Count' must be a number not greater than 2",
  });
  await assert.rejects(create([{ ParameterKey: 'Name', ParameterValue: 'ok' }, { ParameterKey: 'Count', ParameterValue: '-1' }]), {
    message: "Parameter 'Count' must be a number not less than 0",
  });
  await assert.rejects(create([{ ParameterKey: 'Name', ParameterValue: 'ok' }, { ParameterKey: 'Count', ParameterValue: 'x' }]), {
    message: "Parameter 'Count' must be a number",
  });
  await assert.rejects(create([{ ParameterKey: 'Name', ParameterValue: 'ok' }, { ParameterKey: 'Env', ParameterValue: 'qa' }]), {
    message: "Parameter 'Env' must be one of AllowedValues",
  });
  await assert.rejects(create([{ ParameterKey: 'Name', ParameterValue: 'ok' }, { ParameterKey: 'Nope', ParameterValue: 'x' }]), {
    message: 'Parameters: [Nope] do not exist in the template',
  });
  await create([{ ParameterKey: 'Name', ParameterValue: 'ok' }]);
  assert.deepEqual([...h.live.values()], [{ Name: 'ok', Count: '2', Zone: 'b' }]);
  const { Parameters } = await stackOf(h, 'p');
  assert.deepEqual(Parameters.find((parameter: any) => parameter.ParameterKey === 'Secret'), { ParameterKey: 'Secret', ParameterValue: '****' });
});

test('UsePreviousValue keeps the value the stack had', async () => {
  const h = harness();
  await h.call('CreateStack', { StackName: 'p', TemplateBody: PARAMETERS_TEMPLATE, Parameters: [{ ParameterKey: 'Name', ParameterValue: 'first' }] });
  await h.call('UpdateStack', {
    StackName: 'p',
    TemplateBody: PARAMETERS_TEMPLATE,
    Parameters: [{ ParameterKey: 'Name', UsePreviousValue: true }, { ParameterKey: 'Count', ParameterValue: '1' }],
  });
  const stack = await stackOf(h, 'p');
  assert.deepEqual(stack.Parameters.find((p: any) => p.ParameterKey === 'Name').ParameterValue, 'first');
  assert.deepEqual([...h.live.values()], [{ Name: 'first', Count: '1', Zone: 'b' }]);
});

// -------------------------------------------------------------------------------------- intrinsic functions

const INTRINSICS_TEMPLATE = `
Parameters:
  Env: { Type: String, Default: prod }
Mappings:
  Sizes:
    prod: { Memory: 512 }
    dev: { Memory: 128 }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Either: !Or [!Condition IsDev, !And [!Condition IsProd, !Equals [a, a]]]
Resources:
  First:
    Type: Test::Thing
    Properties:
      Label: !If [IsDev, dev-label, !Ref AWS::NoValue]
      List: [one, !If [IsProd, !Ref AWS::NoValue, two], three]
  Second:
    Type: Test::Thing
    Properties:
      Peer: !Ref First
Outputs:
  Ref: { Value: !Ref First }
  AttShort: { Value: !GetAtt First.Arn }
  AttLong: { Value: { 'Fn::GetAtt': [First, Arn] } }
  AttDotted: { Value: !GetAtt First.Endpoint.Address }
  Sub: { Value: !Sub '\${AWS::StackName}-\${First}-\${First.Arn}-\${!Literal}' }
  SubVars: { Value: !Sub ['\${A}/\${B}', { A: !Ref Env, B: !GetAtt Second.Name }] }
  Join: { Value: !Join [':', [a, !Ref Env, 3]] }
  Select: { Value: !Select [1, [x, y, z]] }
  Split: { Value: !Select [2, !Split ['/', 'a/b/c']] }
  If: { Value: !If [IsProd, big, small] }
  Map: { Value: !FindInMap [Sizes, !Ref Env, Memory] }
  Base64: { Value: !Base64 'hello' }
  Azs: { Value: !Join [',', !GetAZs ''] }
  Pseudo: { Value: !Sub '\${AWS::AccountId}/\${AWS::Region}/\${AWS::Partition}/\${AWS::URLSuffix}' }
  StackId: { Value: !Ref AWS::StackId }
  Either: { Value: !If [Either, yes, no] }
  OnlyInDev: { Condition: IsDev, Value: dev-only }
`;

test('every intrinsic function resolves as on AWS', async () => {
  const h = harness();
  const { StackId } = await h.call('CreateStack', { StackName: 'fns', TemplateBody: INTRINSICS_TEMPLATE });
  const stack = await stackOf(h, 'fns');
  assert.equal(stack.StackStatus, 'CREATE_COMPLETE');
  assert.deepEqual(outputs(stack), {
    Ref: 'First-1',
    AttShort: 'arn:test:First-1',
    AttLong: 'arn:test:First-1',
    AttDotted: 'First-1.local',
    Sub: 'fns-First-1-arn:test:First-1-${Literal}',
    SubVars: 'prod/Second-2',
    Join: 'a:prod:3',
    Select: 'y',
    Split: 'c',
    If: 'big',
    Map: '512',
    Base64: Buffer.from('hello').toString('base64'),
    Azs: 'us-east-1a,us-east-1b,us-east-1c',
    Pseudo: '000000000000/us-east-1/aws/amazonaws.com',
    StackId,
    Either: 'yes',
  });
  // AWS::NoValue removes the property and the list item; Ref of a resource gives its physical id.
  assert.deepEqual([...h.live.values()], [{ List: ['one', 'three'] }, { Peer: 'First-1' }]);
});

test('a resource whose Condition is false is not created', async () => {
  const h = harness();
  await h.call('CreateStack', {
    StackName: 'cond',
    TemplateBody: `
Parameters: { Make: { Type: String, Default: 'no' } }
Conditions: { Wanted: !Equals [!Ref Make, 'yes'] }
Resources:
  Always: { Type: Test::Thing }
  Sometimes: { Type: Test::Thing, Condition: Wanted }
`,
  });
  assert.deepEqual(h.calls, ['create Always']);
});

test('Fn::ImportValue reads another stack export', async () => {
  const h = harness();
  await h.call('CreateStack', {
    StackName: 'exporter',
    TemplateBody: 'Resources: {A: {Type: Test::Thing}}\nOutputs: {Out: {Value: !Ref A, Export: {Name: shared-a}}}',
  });
  await h.call('CreateStack', {
    StackName: 'importer',
    TemplateBody: 'Resources: {B: {Type: Test::Thing, Properties: {From: !ImportValue shared-a}}}',
  });
  assert.deepEqual([...h.live.values()][1], { From: 'A-1' });
});

// ----------------------------------------------------------------------------------- references and ordering

test('resources are created in dependency order and deleted in reverse', async () => {
  const h = harness();
  await h.call('CreateStack', {
    StackName: 'order',
    TemplateBody: `
Resources:
  C: { Type: Test::Thing, Properties: { Needs: !Sub '\${B.Arn}' } }
  B: { Type: Test::Thing, Properties: { Needs: !GetAtt A.Arn } }
  D: { Type: Test::Thing, DependsOn: [C] }
  A: { Type: Test::Thing }
`,
  });
  assert.deepEqual(h.calls, ['create A', 'create B', 'create C', 'create D']);
  h.calls.length = 0;
  await h.call('DeleteStack', { StackName: 'order' });
  assert.deepEqual(h.calls, ['delete D', 'delete C', 'delete B', 'delete A']);
});

test('a dependency cycle is "Circular dependency between resources"', async () => {
  const h = harness();
  await assert.rejects(
    h.call('CreateStack', {
      StackName: 'cycle',
      TemplateBody: `
Resources:
  A: { Type: Test::Thing, Properties: { X: !Ref B } }
  B: { Type: Test::Thing, Properties: { X: !GetAtt A.Arn } }
  C: { Type: Test::Thing, DependsOn: A }
`,
    }),
    { code: 'ValidationError', message: 'Circular dependency between resources: [A, B]' },
  );
  assert.equal(h.cfn.stackSummaries().length, 0);
});

test('unresolvable references are Template format errors', async () => {
  const h = harness();
  const create = (body: string) => h.call('CreateStack', { StackName: 'refs', TemplateBody: body });
  await assert.rejects(create('Resources: {A: {Type: Test::Thing, Properties: {X: !Ref Missing}}}'), {
    message: 'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
  });
  await assert.rejects(create("Resources: {A: {Type: Test::Thing, Properties: {X: !Sub '${Gone}'}}}"), {
    message: 'Template format error: Unresolved resource dependencies [Gone] in the Resources block of the template',
  });
  await assert.rejects(create('Resources: {A: {Type: Test::Thing}}\nOutputs: {O: {Value: !Ref Nope}}'), {
    message: 'Template format error: Unresolved resource dependencies [Nope] in the Outputs block of the template',
  });
  await assert.rejects(create('Resources: {A: {Type: Test::Thing, Properties: {X: !GetAtt Nope.Arn}}}'), {
    message: 'Template error: instance of Fn::GetAtt references undefined resource Nope',
  });
  await assert.rejects(create('Resources: {A: {Type: Test::Thing}, B: {Type: Test::Thing, Properties: {X: !GetAtt A.Colour}}}'), {
    message: 'Template error: resource A does not support attribute type Colour in Fn::GetAtt',
  });
  await assert.rejects(create('Resources: {A: {Type: Test::Thing, DependsOn: Ghost}}'), {
    message: 'Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template',
  });
});

// --------------------------------------------------------------------------------------------- failures

const WITH_UNSUPPORTED = `
Resources:
  Good: { Type: Test::Thing }
  Bucket: { Type: AWS::S3::Bucket, DependsOn: Good }
  After: { Type: Test::Thing, DependsOn: Bucket }
`;

test('an unsupported resource type fails that resource and rolls the stack back', async () => {
  const h = harness();
  await h.call('CreateStack', { StackName: 'rb', TemplateBody: WITH_UNSUPPORTED });
  const stack = await stackOf(h, 'rb');
  assert.equal(stack.StackStatus, 'ROLLBACK_COMPLETE');
  assert.deepEqual(h.calls, ['create Good', 'delete Good']);
  const { StackEvents } = await h.call('DescribeStackEvents', { StackName: 'rb' });
  const failed = StackEvents.find((event: any) => event.ResourceStatus === 'CREATE_FAILED');
  assert.equal(failed.LogicalResourceId, 'Bucket');
  assert.equal(failed.ResourceStatusReason, 'Resource type AWS::S3::Bucket is not supported by the lambda-async-demo local emulator');
  assert.deepEqual(await statusesOf(h, 'rb'), [
    'rb CREATE_IN_PROGRESS',
    'Good CREATE_IN_PROGRESS',
    'Good CREATE_IN_PROGRESS',
    'Good CREATE_COMPLETE',
    'Bucket CREATE_IN_PROGRESS',
    'Bucket CREATE_FAILED',
    'rb ROLLBACK_IN_PROGRESS',
    'Bucket DELETE_COMPLETE',
    'Good DELETE_IN_PROGRESS',
    'Good DELETE_COMPLETE',
    'rb ROLLBACK_COMPLETE',
  ]);
  const rollback = StackEvents.find((event: any) => event.ResourceStatus === 'ROLLBACK_IN_PROGRESS');
  assert.equal(rollback.ResourceStatusReason, 'The following resource(s) failed to create: [Bucket]. Rollback requested by user.');
  // docs/aws-semantics.md §6.4: a ROLLBACK_COMPLETE stack can only be deleted.
  await assert.rejects(h.call('UpdateStack', { StackName: 'rb', TemplateBody: 'Resources: {X: {Type: Test::Thing}}' }), {
    message: `Stack:${stack.StackId} is in ROLLBACK_COMPLETE state and can not be updated.`,
  });
});

test('with DisableRollback the stack stays CREATE_FAILED and keeps what it created', async () => {
  const h = harness();
  await h.call('CreateStack', { StackName: 'keep', TemplateBody: WITH_UNSUPPORTED, DisableRollback: true });
  const stack = await stackOf(h, 'keep');
  assert.equal(stack.StackStatus, 'CREATE_FAILED');
  assert.equal(stack.DisableRollback, true);
  assert.deepEqual(h.calls, ['create Good']);
  assert.equal(h.live.size, 1);
  // Updating a stack kept in CREATE_FAILED retries what failed.
  await h.call('UpdateStack', { StackName: 'keep', TemplateBody: 'Resources: {Good: {Type: Test::Thing}, More: {Type: Test::Thing}}' });
  assert.equal((await stackOf(h, 'keep')).StackStatus, 'UPDATE_COMPLETE');
  assert.deepEqual(h.calls, ['create Good', 'create More']);
});

test('a service error becomes the resource reason in Cloud Control wording', async () => {
  const h = harness();
  await h.call('CreateStack', { StackName: 'err', TemplateBody: 'Resources: {A: {Type: Test::Thing, Properties: {Fail: boom}}}', OnFailure: 'DO_NOTHING' });
  const { StackResources } = await h.call('DescribeStackResources', { StackName: 'err' });
  assert.equal(StackResources[0].ResourceStatus, 'CREATE_FAILED');
  assert.match(
    StackResources[0].ResourceStatusReason,
    /^Resource handler returned message: "boom" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: InvalidRequest\)$/,
  );
});

test('OnFailure DELETE rolls back and then deletes the stack', async () => {
  const h = harness();
  const { StackId } = await h.call('CreateStack', { StackName: 'gone', TemplateBody: WITH_UNSUPPORTED, OnFailure: 'DELETE' });
  assert.equal((await stackOf(h, StackId)).StackStatus, 'DELETE_COMPLETE');
  await assert.rejects(stackOf(h, 'gone'), { message: 'Stack with id gone does not exist' });
});

// ------------------------------------------------------------------------------------------------ updates

test('an update modifies in place, replaces on a replacement property, and removes dropped resources', async () => {
  const h = harness();
  await h.call('CreateStack', {
    StackName: 'up',
    TemplateBody: 'Resources: {A: {Type: Test::Thing, Properties: {Size: 1}}, B: {Type: Test::Thing, Properties: {Name: one, Peer: !Ref A}}, C: {Type: Test::Thing}}',
  });
  h.calls.length = 0;
  const body = 'Resources: {A: {Type: Test::Thing, Properties: {Size: 2}}, B: {Type: Test::Thing, Properties: {Name: two, Peer: !Ref A}}}';
  const { Id } = await h.call('CreateChangeSet', { StackName: 'up', ChangeSetName: 'next', TemplateBody: body });
  const described = await h.call('DescribeChangeSet', { ChangeSetName: Id });
  assert.deepEqual(
    described.Changes.map((change: any) => [change.ResourceChange.Action, change.ResourceChange.LogicalResourceId, change.ResourceChange.Replacement]),
    [['Modify', 'A', 'False'], ['Modify', 'B', 'True'], ['Remove', 'C', undefined]],
  );
  const { Id: otherId } = await h.call('CreateChangeSet', { StackName: 'up', ChangeSetName: 'other', TemplateBody: 'Resources: {A: {Type: Test::Thing}}' });
  await h.call('ExecuteChangeSet', { ChangeSetName: Id });
  assert.deepEqual(h.calls, ['update A', 'create B', 'delete C', 'delete B']);
  // Executing a change set deletes the stack's other change sets and takes the executed one off the list; it stays
  // describable by its ARN (docs/aws-semantics.md §6.2).
  const { Summaries } = await h.call('ListChangeSets', { StackName: 'up' });
  assert.deepEqual(Summaries, []);
  assert.equal((await h.call('DescribeChangeSet', { ChangeSetName: Id })).ExecutionStatus, 'EXECUTE_COMPLETE');
  await assert.rejects(h.call('DescribeChangeSet', { ChangeSetName: otherId }), { code: 'ChangeSetNotFound', status: 404 });
  const stack = await stackOf(h, 'up');
  assert.equal(stack.StackStatus, 'UPDATE_COMPLETE');
  const statuses = await statusesOf(h, 'up');
  assert.deepEqual(statuses.slice(statuses.indexOf('up UPDATE_IN_PROGRESS')), [
    'up UPDATE_IN_PROGRESS',
    'A UPDATE_IN_PROGRESS',
    'A UPDATE_COMPLETE',
    'B UPDATE_IN_PROGRESS',
    'B UPDATE_IN_PROGRESS',
    'B UPDATE_COMPLETE',
    'up UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'C DELETE_IN_PROGRESS',
    'C DELETE_COMPLETE',
    'B DELETE_IN_PROGRESS',
    'B DELETE_COMPLETE',
    'up UPDATE_COMPLETE',
  ]);
});

test('a failed update rolls back to the previous resources and template', async () => {
  const h = harness();
  const first = 'Resources: {A: {Type: Test::Thing, Properties: {Size: 1}}}';
  await h.call('CreateStack', { StackName: 'urb', TemplateBody: first });
  await h.call('UpdateStack', {
    StackName: 'urb',
    TemplateBody: 'Resources: {A: {Type: Test::Thing, Properties: {Size: 2}}, B: {Type: Test::Thing, DependsOn: A, Properties: {Fail: nope}}}',
  });
  const stack = await stackOf(h, 'urb');
  assert.equal(stack.StackStatus, 'UPDATE_ROLLBACK_COMPLETE');
  assert.deepEqual([...h.live.values()], [{ Size: 1 }]);
  assert.equal((await h.call('GetTemplate', { StackName: 'urb' })).TemplateBody, first);
});

test('UpdateStack with nothing to change is "No updates are to be performed."', async () => {
  const h = harness();
  const body = 'Resources: {A: {Type: Test::Thing}}';
  await h.call('CreateStack', { StackName: 'same', TemplateBody: body });
  await assert.rejects(h.call('UpdateStack', { StackName: 'same', TemplateBody: body }), {
    code: 'ValidationError',
    message: 'No updates are to be performed.',
  });
});

test('capabilities are required for IAM resources at submission', async () => {
  const h = harness();
  const role = 'Resources: {R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}}';
  const named = 'Resources: {R: {Type: AWS::IAM::Role, Properties: {RoleName: fixed, AssumeRolePolicyDocument: {}}}}';
  await assert.rejects(h.call('CreateStack', { StackName: 'iam', TemplateBody: role }), {
    code: 'InsufficientCapabilitiesException',
    message: 'Requires capabilities : [CAPABILITY_IAM]',
  });
  await assert.rejects(h.call('CreateStack', { StackName: 'iam', TemplateBody: named, Capabilities: ['CAPABILITY_IAM'] }), {
    code: 'InsufficientCapabilitiesException',
    message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]',
  });
});

test('stacks, events and change sets survive exportState/importState', async () => {
  const h = harness();
  await h.call('CreateStack', { StackName: 'saved', TemplateBody: 'Resources: {A: {Type: Test::Thing}}\nOutputs: {O: {Value: !Ref A}}' });
  await h.call('CreateChangeSet', { StackName: 'saved', ChangeSetName: 'pending', TemplateBody: 'Resources: {A: {Type: Test::Thing, Properties: {X: 1}}}' });
  const copy = harness();
  copy.cfn.importState(JSON.parse(JSON.stringify(h.cfn.exportState())));
  assert.deepEqual(outputs(await stackOf(copy, 'saved')), { O: 'A-1' });
  assert.deepEqual(await statusesOf(copy, 'saved'), await statusesOf(h, 'saved'));
  const { Summaries } = await copy.call('ListChangeSets', { StackName: 'saved' });
  assert.equal(Summaries[0].ChangeSetName, 'pending');
  assert.deepEqual(copy.cfn.stackSummaries(), [{ StackName: 'saved', StackStatus: 'CREATE_COMPLETE' }]);
});

test('a stack caught mid-operation by a restart comes back failed, not stuck IN_PROGRESS', async () => {
  const h = harness();
  await h.call('CreateStack', { StackName: 'cut', TemplateBody: 'Resources: {A: {Type: Test::Thing}}' });
  const state = JSON.parse(JSON.stringify(h.cfn.exportState()));
  state.stacks[0].StackStatus = 'UPDATE_IN_PROGRESS';
  const copy = harness();
  copy.cfn.importState(state);
  const stack = await stackOf(copy, 'cut');
  assert.equal(stack.StackStatus, 'UPDATE_FAILED');
  assert.equal(stack.StackStatusReason, 'The lambda-async-demo emulator stopped while this operation ran.');
});

// IAM roles and policy evaluation: what Lambda asks before it lets a function send to its dead-letter queue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emulator } from '../../src/emulator/index.js';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:LambdaAsync-DeadLetterQueue-ABC';
const LOG_GROUP_ARN = 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/SimpleFunc:*';

function iamWithRole(statements: unknown[], extra: { ManagedPolicyArns?: string[]; Path?: string } = {}) {
  const emulator = new Emulator();
  const role = emulator.iam.createRole({
    RoleName: 'FunctionRole',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
    Policies: [{ PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    ...extra,
  });
  return { iam: emulator.iam, role };
}

test('a role gets an IAM ARN with an empty region and an AROA role id', () => {
  const { role } = iamWithRole([], { Path: '/service-role/' });
  assert.equal(role.Arn, 'arn:aws:iam::000000000000:role/service-role/FunctionRole');
  assert.match(role.RoleId, /^AROA[A-Z2-7]{17}$/);
});

test('an inline Allow grants exactly its action on exactly its resource', () => {
  const { iam, role } = iamWithRole([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE_ARN }]);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN), true);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:ReceiveMessage', QUEUE_ARN), false);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:SendMessage', `${QUEUE_ARN}-other`), false);
});

test('action names match case-insensitively and with * and ? wildcards; resources match case-sensitively', () => {
  const { iam, role } = iamWithRole([
    { Effect: 'Allow', Action: ['SQS:send*', 'logs:Put?ogEvents'], Resource: 'arn:aws:sqs:us-east-1:000000000000:LambdaAsync-*' },
  ]);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN), true);
  assert.equal(iam.isAllowed(role.Arn, 'logs:PutLogEvents', 'arn:aws:sqs:us-east-1:000000000000:LambdaAsync-x'), true);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN.replace('LambdaAsync', 'lambdaasync')), false);
});

test('an explicit Deny wins over any Allow', () => {
  const { iam, role } = iamWithRole([
    { Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
    { Effect: 'Deny', Action: 'sqs:SendMessage', Resource: QUEUE_ARN },
  ]);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN), false);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:GetQueueUrl', QUEUE_ARN), true);
});

test('NotAction and NotResource invert their match', () => {
  const { iam, role } = iamWithRole([{ Effect: 'Allow', NotAction: 'sqs:DeleteQueue', NotResource: LOG_GROUP_ARN }]);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN), true);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:DeleteQueue', QUEUE_ARN), false);
  assert.equal(iam.isAllowed(role.Arn, 'logs:PutLogEvents', LOG_GROUP_ARN), false);
});

test('policy documents given as JSON text are evaluated like objects', () => {
  const emulator = new Emulator();
  const role = emulator.iam.createRole({
    RoleName: 'TextPolicy',
    Policies: [{ PolicyName: 'p', PolicyDocument: JSON.stringify({ Statement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' } }) }],
  });
  assert.equal(emulator.iam.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN), true);
});

test('AWSLambdaBasicExecutionRole grants the log writes and nothing else', () => {
  const { iam, role } = iamWithRole([], {
    ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  });
  assert.equal(iam.isAllowed(role.Arn, 'logs:CreateLogStream', LOG_GROUP_ARN), true);
  assert.equal(iam.isAllowed(role.Arn, 'logs:PutLogEvents', LOG_GROUP_ARN), true);
  assert.equal(iam.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN), false);
});

test('an unknown role, or a role ARN from another account, is allowed nothing', () => {
  const { iam, role } = iamWithRole([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
  assert.equal(iam.isAllowed('arn:aws:iam::000000000000:role/Nobody', 'sqs:SendMessage', QUEUE_ARN), false);
  assert.equal(iam.isAllowed(role.Arn.replace('000000000000', '111111111111'), 'sqs:SendMessage', QUEUE_ARN), false);
  assert.equal(iam.roleExists(role.Arn), true);
  assert.equal(iam.roleExists('arn:aws:iam::000000000000:role/Nobody'), false);
});

test('creating a role twice is EntityAlreadyExists; deleting a missing one is NoSuchEntity', () => {
  const { iam } = iamWithRole([]);
  assert.throws(() => iam.createRole({ RoleName: 'FunctionRole' }), {
    code: 'EntityAlreadyExists',
    message: 'Role with name FunctionRole already exists.',
  });
  iam.deleteRole('FunctionRole');
  assert.throws(() => iam.deleteRole('FunctionRole'), {
    code: 'NoSuchEntity',
    message: 'The role with name FunctionRole cannot be found.',
  });
});

test('updateRole replaces the inline policies', () => {
  const { iam, role } = iamWithRole([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE_ARN }]);
  iam.updateRole('FunctionRole', { Policies: [] });
  assert.equal(iam.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN), false);
});

test('roles survive exportState/importState with their id and policies', () => {
  const { iam, role } = iamWithRole([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE_ARN }]);
  const restored = new Emulator().iam;
  restored.importState(JSON.parse(JSON.stringify(iam.exportState())));
  assert.equal(restored.getRole('FunctionRole')?.RoleId, role.RoleId);
  assert.equal(restored.isAllowed(role.Arn, 'sqs:SendMessage', QUEUE_ARN), true);
});

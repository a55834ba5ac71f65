// What the emulator exposes and to whom: loopback only unless asked, function code without the user's secrets, a
// private state directory, and a lesson template whose role can do exactly two things.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { startEmulator } from '../../src/emulator/index.js';
import { TEST_CREDENTIALS } from '../helpers/emulator.js';
import { inlineHandler, lessonTemplate } from '../helpers/template.js';

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

/** Resolves with the HTTP status, or with the network error's code when nothing answers. */
async function probe(url: string): Promise<number | string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).name;
  }
}

const EXTERNAL = externalAddress();

test('by default the server binds 127.0.0.1 and does not answer on the machine\'s other addresses', { skip: !EXTERNAL && 'this machine has no non-loopback IPv4 address' }, async () => {
  const running = await startEmulator();
  after(() => running.close());
  assert.equal(running.host, '127.0.0.1');
  assert.equal(await probe(`http://127.0.0.1:${running.port}/_emulator/health`), 200);
  assert.equal(await probe(`http://${EXTERNAL}:${running.port}/_emulator/health`), 'ECONNREFUSED');
});

test('with host 0.0.0.0, an explicit opt-in, it answers on the other addresses too', { skip: !EXTERNAL && 'this machine has no non-loopback IPv4 address' }, async () => {
  const running = await startEmulator({ host: '0.0.0.0' });
  after(() => running.close());
  assert.equal(await probe(`http://${EXTERNAL}:${running.port}/_emulator/health`), 200);
  assert.equal(await probe(`http://127.0.0.1:${running.port}/_emulator/health`), 200);
});

test("function code never sees the user's credentials, profile or other variables, only dummy credentials", async () => {
  const secrets: Record<string, string> = {
    AWS_ACCESS_KEY_ID: 'AKIAUSERREALKEY00001',
    AWS_SECRET_ACCESS_KEY: 'user-real-secret-access-key-do-not-leak',
    AWS_SESSION_TOKEN: 'user-real-session-token-do-not-leak',
    AWS_PROFILE: 'user-real-profile',
    AWS_SHARED_CREDENTIALS_FILE: '/home/user/.aws/credentials-do-not-leak',
    LAD_UNRELATED_SECRET: 'unrelated-secret-do-not-leak',
  };
  const saved = Object.fromEntries(Object.keys(secrets).map((name) => [name, process.env[name]]));
  // Set before the emulator starts: a runtime forked ahead of time must not have copied them either.
  Object.assign(process.env, secrets);
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  const running = await startEmulator();
  const lambda = new LambdaClient({ endpoint: running.url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  after(async () => {
    lambda.destroy();
    await running.close();
  });
  const role = running.emulator.iam.createRole({ RoleName: 'env-role' });
  running.emulator.lambda.createFunction({
    FunctionName: 'shows-env',
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: role.Arn,
    Code: { ZipFile: 'exports.handler = async () => ({ ...process.env });' },
  });
  const output = await lambda.send(new InvokeCommand({ FunctionName: 'shows-env' }));
  const seen = JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, string>;

  for (const [name, value] of Object.entries(secrets)) {
    assert.ok(!JSON.stringify(seen).includes(value), `${name}'s value reached the function`);
  }
  assert.equal(seen.AWS_PROFILE, undefined);
  assert.equal(seen.AWS_SHARED_CREDENTIALS_FILE, undefined);
  assert.equal(seen.LAD_UNRELATED_SECRET, undefined);
  // Dummy credentials, so SDK calls from the function work against the emulator and identify as nobody real.
  assert.match(seen.AWS_ACCESS_KEY_ID ?? '', /^\S+$/);
  assert.match(seen.AWS_SECRET_ACCESS_KEY ?? '', /^\S+$/);
  assert.match(seen.AWS_SESSION_TOKEN ?? '', /^\S+$/);
  assert.equal(seen.AWS_LAMBDA_FUNCTION_NAME, 'shows-env');
});

test('the state directory is created private (0700), even when its parents do not exist yet', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'lad-security-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const stateDir = path.join(root, 'not', 'yet', 'there');
  const running = await startEmulator({ stateDir });
  running.emulator.sqs.createQueue('make-a-change');
  await running.close();
  assert.equal(statSync(stateDir).mode & 0o777, 0o700);
});

// ------------------------------------------------------------------------------------------------ the template

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
}

const template = lessonTemplate;

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every policy the template attaches to a role, as [policy name, statement]. */
function roleStatements(): Array<[string, Statement]> {
  const roles = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::IAM::Role');
  assert.equal(roles.length, 1, 'one execution role');
  const policies = (roles[0]!.Properties!.Policies ?? []) as Array<{ PolicyName: string; PolicyDocument: { Statement: Statement | Statement[] } }>;
  return policies.flatMap((policy) => list(policy.PolicyDocument.Statement).map((statement): [string, Statement] => [policy.PolicyName, statement]));
}

test('the template role allows exactly sqs:SendMessage on the DLQ and log writes on its own log group, nothing else', () => {
  const role = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::IAM::Role')!;
  assert.equal(role.Properties!.ManagedPolicyArns, undefined, 'no managed policies (AWSLambdaBasicExecutionRole grants logs on *)');
  const grants = roleStatements().map(([, statement]) => ({
    effect: statement.Effect,
    actions: list(statement.Action).sort(),
    resources: list(statement.Resource),
  }));
  assert.deepEqual(grants, [
    { effect: 'Allow', actions: ['sqs:SendMessage'], resources: [{ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }] },
    { effect: 'Allow', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [{ 'Fn::GetAtt': ['LogGroup', 'Arn'] }] },
  ]);
  assert.equal(template.Resources.DeadLetterQueue?.Type, 'AWS::SQS::Queue');
  assert.equal(template.Resources.LogGroup?.Type, 'AWS::Logs::LogGroup');
});

test('no statement anywhere in the template has a * action or a * resource', () => {
  const statements: Statement[] = [];
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if ('Statement' in record) statements.push(...list(record.Statement as Statement | Statement[]));
      Object.values(record).forEach(collect);
    }
  };
  collect(template);
  assert.ok(statements.length >= 3, 'the trust policy and the two role policies');
  for (const statement of statements) {
    for (const action of list(statement.Action ?? [])) assert.ok(!String(action).includes('*'), `action ${String(action)}`);
    for (const resource of list(statement.Resource ?? [])) {
      assert.ok(typeof resource !== 'string' || !resource.includes('*'), `resource ${String(resource)}`);
    }
  }
});

test('both runtimes run under that one role: Node.js and Python differ only in runtime, handler and code', () => {
  const fn = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::Lambda::Function')!;
  const properties = fn.Properties as Record<string, unknown>;
  assert.deepEqual(properties.Role, { 'Fn::GetAtt': ['FunctionRole', 'Arn'] }, 'the role is not chosen by a condition');
  assert.deepEqual(properties.Runtime, { Ref: 'Runtime' });
  assert.deepEqual(properties.Handler, { 'Fn::If': ['UsesPython', 'index.lambda_handler', 'index.handler'] });
  assert.match(inlineHandler('python'), /def lambda_handler\(event, context\):/);
  assert.match(inlineHandler('nodejs'), /exports\.handler = async \(event\)/);
  assert.deepEqual(template.Parameters.Runtime!.AllowedValues, [
    'nodejs24.x',
    'python3.12',
    'python3.13',
    'python3.14',
  ]);
});

// GetFunction as AWS answers it for a function CloudFormation made: Code.Location, a presigned-style URL the emulator
// serves as a real zip of the inline code (and refuses unsigned or tampered), and the aws:cloudformation:* Tags.
import { CreateStackCommand, DescribeStacksCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { inlineHandler, LESSON_TEMPLATE_TEXT } from '../helpers/template.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { functionMaker } from '../helpers/functions.js';
import { sendRaw } from '../helpers/raw-request.js';

const TEMPLATE = LESSON_TEMPLATE_TEXT;
const env: TestEmulator = await startTestEmulator();

await env.cfn.send(
  new CreateStackCommand({ StackName: 'GetFunctionStack', TemplateBody: TEMPLATE, Capabilities: ['CAPABILITY_IAM'] }),
);
await waitUntilStackCreateComplete({ client: env.cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: 'GetFunctionStack' });
const stackId = (await env.cfn.send(new DescribeStacksCommand({ StackName: 'GetFunctionStack' }))).Stacks![0]!.StackId!;
const INLINE_CODE = inlineHandler('nodejs');

/** The path and query of a Code.Location, sent as a raw GET (the URL itself carries the signature). */
function pathOf(location: string): string {
  const url = new URL(location);
  return `${url.pathname}${url.search}`;
}

/** The files in a zip, read by Python's zipfile: an independent reader, which checks every CRC. */
function unzip(bytes: Buffer): Record<string, string> {
  const script = 'import sys, zipfile, io, json; z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())); assert z.testzip() is None; print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))';
  const run = spawnSync('python3', ['-c', script], { input: bytes });
  assert.equal(run.status, 0, run.stderr?.toString());
  return JSON.parse(run.stdout.toString()) as Record<string, string>;
}

test('GetFunction of a CloudFormation function has the aws:cloudformation logical-id, stack-id and stack-name tags', async () => {
  // Recorded: localstack/localstack tests/aws/services/cloudformation/resources/test_lambda.snapshot.json,
  // TestCfnLambdaIntegrations::test_cfn_lambda_permissions "get_function_result".
  const output = await env.lambda.send(new GetFunctionCommand({ FunctionName: 'SimpleFunc' }));
  assert.deepEqual(output.Tags, {
    'aws:cloudformation:logical-id': 'Function',
    'aws:cloudformation:stack-id': stackId,
    'aws:cloudformation:stack-name': 'GetFunctionStack',
  });
  assert.equal(output.Code?.RepositoryType, 'S3');
});

test('GetFunction of a function without tags has no Tags key', async () => {
  // test_lambda_api.snapshot.json, TestLambdaFunction::test_function_lifecycle "get_function_response".
  const role = env.running.emulator.iam.createRole({ RoleName: 'untagged-role' });
  const name = functionMaker(env.running.emulator, role.Arn, 'untagged')('exports.handler = async () => 1;');
  const output = await env.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  assert.equal('Tags' in output, false);
});

test('Code.Location is a presigned-style URL on the emulator that serves the zip holding the inline code as index.js', async () => {
  const output = await env.lambda.send(new GetFunctionCommand({ FunctionName: 'SimpleFunc' }));
  const location = new URL(output.Code!.Location!);
  assert.equal(location.origin, env.url);
  for (const parameter of ['X-Amz-Algorithm', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires', 'X-Amz-Credential', 'X-Amz-Signature']) {
    assert.ok(location.searchParams.get(parameter), `${parameter} in ${location}`);
  }
  assert.equal(location.searchParams.get('X-Amz-Expires'), '600');
  assert.match(location.searchParams.get('X-Amz-Signature')!, /^[0-9a-f]{64}$/);

  // Fetched as any HTTP client would fetch an S3 presigned URL: no credentials, only the URL.
  const response = await fetch(location);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/zip');
  const files = unzip(Buffer.from(await response.arrayBuffer()));
  assert.deepEqual(Object.keys(files), ['index.js']);
  assert.equal(files['index.js'], INLINE_CODE);
});

test('a Code.Location with a tampered, missing or foreign signature is refused with 403 and no code', async () => {
  const output = await env.lambda.send(new GetFunctionCommand({ FunctionName: 'SimpleFunc' }));
  const location = new URL(output.Code!.Location!);
  const signature = location.searchParams.get('X-Amz-Signature')!;
  const variants: URL[] = [];
  const tampered = new URL(location);
  tampered.searchParams.set('X-Amz-Signature', `${signature[0] === '0' ? '1' : '0'}${signature.slice(1)}`);
  variants.push(tampered);
  const longer = new URL(location);
  longer.searchParams.set('X-Amz-Expires', '604800');
  variants.push(longer);
  const otherFunction = new URL(location);
  otherFunction.pathname = otherFunction.pathname.replace('SimpleFunc', 'untagged-1');
  variants.push(otherFunction);
  for (const url of variants) {
    const answer = await sendRaw(env.url, { method: 'GET', path: pathOf(url.href) });
    assert.equal(answer.status, 403, url.href);
    assert.match(answer.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.doesNotMatch(answer.text, /exports\.handler/);
  }
  const unsigned = new URL(location);
  unsigned.search = '';
  const answer = await sendRaw(env.url, { method: 'GET', path: pathOf(unsigned.href) });
  assert.equal(answer.status, 403);
});

test('a Code.Location older than its X-Amz-Expires (600 s) is refused with 403 Request has expired', async () => {
  const output = await env.lambda.send(new GetFunctionCommand({ FunctionName: 'SimpleFunc' }));
  const { emulator } = env.running;
  const realNow = emulator.now;
  // The emulator's clock moved 601 s on: the signature is still its own, but too old.
  emulator.now = () => realNow.call(emulator) + 601_000;
  try {
    const answer = await sendRaw(env.url, { method: 'GET', path: pathOf(output.Code!.Location!) });
    assert.equal(answer.status, 403);
    assert.match(answer.text, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
  } finally {
    emulator.now = realNow;
  }
  assert.equal((await fetch(output.Code!.Location!)).status, 200);
});

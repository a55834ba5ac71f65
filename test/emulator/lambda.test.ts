// Lambda's API through the real SDK v3 client: sync Invoke, DryRun, errors, function and event-invoke-config operations.
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  type InvocationType,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { decode, encode, functionMaker } from '../helpers/functions.js';
import { SIGNED_SHAPE } from '../helpers/raw-request.js';

// The lesson's handler (templates/LambdaAsync.yaml): greets event.name, throws when it is missing, null or empty.
const LESSON_HANDLER = `exports.handler = async (event) => {
  console.log('EVENT', JSON.stringify(event));
  const name = event == null ? undefined : event.name;
  if (name === undefined || name === null || name === '') {
    throw new Error('The event has no name: "name" is missing, null or empty');
  }
  return { statusCode: 200, body: \`Hello, \${name}!\` };
};
`;

const env: TestEmulator = await startTestEmulator();
const { emulator } = env.running;
const dlq = emulator.sqs.createQueue('lambda-api-dlq');
const role = emulator.iam.createRole({
  RoleName: 'lambda-api-role',
  AssumeRolePolicyDocument: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  },
  Policies: [
    {
      PolicyName: 'dlq',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlq.QueueArn }] },
    },
  ],
});
const bareRole = emulator.iam.createRole({ RoleName: 'lambda-api-bare-role' });

const makeFunction = functionMaker(emulator, role.Arn, 'api-fn');
const createFunction = (code = LESSON_HANDLER, extra: Record<string, unknown> = {}): string => makeFunction(code, extra);

async function logMessages(functionName: string): Promise<string[]> {
  const output = await env.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }));
  return (output.events ?? []).map((event) => event.message ?? '');
}

async function rejectsWith(promise: Promise<unknown>, name: string, message: string | RegExp, status: number): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.equal(error.$metadata?.httpStatusCode, status);
    return true;
  });
}

test('sync invoke of a succeeding function returns 200 with the payload and ExecutedVersion $LATEST', async () => {
  const name = createFunction();
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: encode({ from: 'sync', name: 'chucks' }) }));
  assert.equal(output.StatusCode, 200);
  assert.equal(output.ExecutedVersion, '$LATEST');
  assert.equal(output.FunctionError, undefined);
  assert.deepEqual(decode(output.Payload), { statusCode: 200, body: 'Hello, chucks!' });
});

test('sync invoke of a failing function returns 200 with FunctionError Unhandled and the error document', async () => {
  const name = createFunction();
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: encode({ from: 'sync', name: '' }) }));
  assert.equal(output.StatusCode, 200);
  assert.equal(output.FunctionError, 'Unhandled');
  const body = decode(output.Payload) as { errorType: string; errorMessage: string; trace: string[] };
  assert.deepEqual(Object.keys(body), ['errorType', 'errorMessage', 'trace']);
  assert.equal(body.errorType, 'Error');
  assert.equal(body.errorMessage, 'The event has no name: "name" is missing, null or empty');
  assert.equal(body.trace[0], 'Error: The event has no name: "name" is missing, null or empty');
  assert.ok(body.trace.length > 1);
  // As on AWS, the handler's frames point into /var/task, and none of the emulator's own frames show.
  assert.match(body.trace[1]!, /\(\/var\/task\/index\.js:\d+:\d+\)$/);
  assert.ok(body.trace.every((line) => !/lambda-async-demo|bootstrap|node:internal/.test(line)), body.trace.join('\n'));
});

test('the x-amzn-RequestId of a sync invoke is the RequestId of its START, END and REPORT lines', async () => {
  const name = createFunction();
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: encode({ name: 'a' }) }));
  const requestId = output.$metadata.requestId!;
  assert.match(requestId, /^[0-9a-f-]{36}$/);
  const messages = await logMessages(name);
  assert.ok(messages.includes(`START RequestId: ${requestId} Version: $LATEST\n`));
  assert.ok(messages.includes(`END RequestId: ${requestId}\n`));
  assert.ok(messages.some((message) => message.startsWith(`REPORT RequestId: ${requestId}\t`)));
});

test('LogType Tail returns the base64 log of this invocation with START, the console line, END and REPORT', async () => {
  const name = createFunction();
  const output = await env.lambda.send(
    new InvokeCommand({ FunctionName: name, LogType: 'Tail', Payload: encode({ name: 'tail' }) }),
  );
  const log = Buffer.from(output.LogResult!, 'base64').toString('utf8');
  const requestId = output.$metadata.requestId!;
  assert.match(log, new RegExp(`START RequestId: ${requestId} Version: \\$LATEST\\n`));
  assert.match(log, new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${requestId}\\tINFO\\tEVENT {"name":"tail"}\\n`));
  assert.match(log, new RegExp(`END RequestId: ${requestId}\\n`));
  assert.match(log, new RegExp(`REPORT RequestId: ${requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\t`));
});

test('LogType Tail on a cold start begins at START: INIT_START is in CloudWatch Logs, not in LogResult', async () => {
  // Recorded: localstack/localstack tests/aws/services/lambda_/test_lambda.snapshot.json,
  // TestLambdaFeatures::test_invocation_with_logs[nodejs16.x] (24-11-2025): a cold start (Init Duration in REPORT) whose
  // tail is START, the console line, END, REPORT.
  const name = createFunction(`console.log('loading'); exports.handler = async (event) => { console.log(JSON.stringify(event)); return event; };`);
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail', Payload: encode({}) }));
  const requestId = output.$metadata.requestId!;
  const lines = Buffer.from(output.LogResult!, 'base64').toString('utf8').split(/(?<=\n)/);
  assert.equal(lines[0], `START RequestId: ${requestId} Version: $LATEST\n`);
  assert.equal(lines.length, 4, lines.join(''));
  assert.match(lines[1]!, new RegExp(`^\\S+Z\\t${requestId}\\tINFO\\t\\{\\}\\n$`));
  assert.equal(lines[2], `END RequestId: ${requestId}\n`);
  assert.match(lines[3]!, /\tInit Duration: [\d.]+ ms\t\n$/);
  const messages = await logMessages(name);
  assert.ok(messages.some((message) => message.startsWith('INIT_START Runtime Version: ')), messages.join(''));
  assert.ok(messages.some((message) => message.endsWith('\tINFO\tloading\n')), messages.join(''));
});

test('without LogType Tail there is no X-Amz-Log-Result', async () => {
  const name = createFunction();
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: encode({ name: 'x' }) }));
  assert.equal(output.LogResult, undefined);
});

test('a Tail log of a long log keeps only its last 4 KB', async () => {
  const name = createFunction(`exports.handler = async () => { for (let i = 0; i < 200; i++) console.log('line', i, 'x'.repeat(50)); return 1; };`);
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }));
  const log = Buffer.from(output.LogResult!, 'base64');
  assert.equal(log.length, 4096);
  assert.match(log.toString('utf8'), /REPORT RequestId: .*\t\n$/);
});

test('DryRun answers 204 with an empty body and runs nothing', async () => {
  const name = createFunction();
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'DryRun', Payload: encode({}) }));
  assert.equal(output.StatusCode, 204);
  assert.equal(output.Payload?.length ?? 0, 0);
  assert.deepEqual(await logMessages(name).catch(() => []), []);
});

test('a handler that returns nothing answers the 4 bytes null', async () => {
  const name = createFunction('exports.handler = async () => {};');
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name }));
  assert.equal(new TextDecoder().decode(output.Payload), 'null');
});

test('invoking a missing function fails with the SDK ResourceNotFoundException and the :$LATEST message', async () => {
  await assert.rejects(
    env.lambda.send(new InvokeCommand({ FunctionName: 'no-such-function', Payload: encode({}) })),
    (error: unknown) => {
      assert.ok(error instanceof ResourceNotFoundException);
      assert.equal(error.message, 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function:$LATEST');
      assert.equal(error.$metadata.httpStatusCode, 404);
      return true;
    },
  );
});

test('GetFunction of a missing function names the ARN without :$LATEST', async () => {
  await rejectsWith(
    env.lambda.send(new GetFunctionCommand({ FunctionName: 'no-such-function' })),
    'ResourceNotFoundException',
    'Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function',
    404,
  );
});

test('a payload that is not JSON fails with InvalidRequestContentException', async () => {
  const name = createFunction();
  await rejectsWith(
    env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode('not json') })),
    'InvalidRequestContentException',
    /^Could not parse request body into json: Could not parse payload into json: Unrecognized token 'not'/,
    400,
  );
});

test('a sync payload over 6 MB fails with 413 RequestEntityTooLargeException and AWS message', async () => {
  const name = createFunction();
  const payload = encode({ big: 'x'.repeat(6291456) });
  await rejectsWith(
    env.lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload })),
    'RequestEntityTooLargeException',
    'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    413,
  );
});

test('an Event payload over 1 MB fails with 413 and the Event-type message', async () => {
  const name = createFunction();
  const payload = encode({ big: 'x'.repeat(1048576) });
  await rejectsWith(
    env.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: payload })),
    'RequestEntityTooLargeException',
    `${payload.length} byte payload is too large for the Event invocation type (limit 1048576 bytes)`,
    413,
  );
});

test('an unknown invocation type fails with InvalidParameterValueException', async () => {
  const name = createFunction();
  await rejectsWith(
    env.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Later' as InvocationType })),
    'InvalidParameterValueException',
    /'Later' at 'invocationType'/,
    400,
  );
});

test('a function can be invoked by full ARN, partial ARN and name:$LATEST', async () => {
  const name = createFunction();
  for (const reference of [
    `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    `000000000000:function:${name}`,
    `${name}:$LATEST`,
  ]) {
    const output = await env.lambda.send(new InvokeCommand({ FunctionName: reference, Payload: encode({ name: 'arn' }) }));
    assert.equal(output.StatusCode, 200, reference);
    assert.equal(output.FunctionError, undefined, reference);
  }
  await rejectsWith(
    env.lambda.send(new InvokeCommand({ FunctionName: `${name}:7` })),
    'ResourceNotFoundException',
    `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}:7`,
    404,
  );
});

test('createFunction refuses a DLQ the role cannot SendMessage to, with AWS message', () => {
  assert.throws(
    () =>
      emulator.lambda.createFunction({
        FunctionName: 'no-permission',
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Role: bareRole.Arn,
        Code: { ZipFile: LESSON_HANDLER },
        DeadLetterConfig: { TargetArn: dlq.QueueArn },
      }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'InvalidParameterValueException');
      assert.equal(error.message, 'The provided execution role does not have permissions to call SendMessage on SQS');
      return true;
    },
  );
});

test('createFunction with a role that does not exist fails as AWS says', () => {
  assert.throws(
    () =>
      emulator.lambda.createFunction({
        FunctionName: 'no-role',
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/missing',
        Code: { ZipFile: LESSON_HANDLER },
      }),
    /The role defined for the function cannot be assumed by Lambda\./,
  );
});

test('creating a function twice fails with ResourceConflictException', () => {
  const name = createFunction();
  assert.throws(
    () => emulator.lambda.createFunction({ FunctionName: name, Runtime: 'nodejs24.x', Handler: 'index.handler', Role: role.Arn, Code: { ZipFile: '' } }),
    (error: Error & { code?: string; status?: number }) => {
      assert.equal(error.code, 'ResourceConflictException');
      assert.equal(error.status, 409);
      assert.equal(error.message, `Function already exist: ${name}`);
      return true;
    },
  );
});

test('GetFunction and GetFunctionConfiguration return the configuration in AWS shape', async () => {
  const name = createFunction(LESSON_HANDLER, { DeadLetterConfig: { TargetArn: dlq.QueueArn }, Description: 'greets' });
  const output = await env.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  const configuration = output.Configuration!;
  assert.equal(configuration.FunctionName, name);
  assert.equal(configuration.FunctionArn, `arn:aws:lambda:us-east-1:000000000000:function:${name}`);
  assert.equal(configuration.Runtime, 'nodejs24.x');
  assert.equal(configuration.Handler, 'index.handler');
  assert.equal(configuration.Role, role.Arn);
  assert.equal(configuration.Description, 'greets');
  assert.equal(configuration.Timeout, 5);
  assert.equal(configuration.MemorySize, 128);
  assert.equal(configuration.Version, '$LATEST');
  assert.equal(configuration.State, 'Active');
  assert.equal(configuration.LastUpdateStatus, 'Successful');
  assert.equal(configuration.PackageType, 'Zip');
  assert.deepEqual(configuration.Architectures, ['x86_64']);
  assert.deepEqual(configuration.TracingConfig, { Mode: 'PassThrough' });
  assert.deepEqual(configuration.EphemeralStorage, { Size: 512 });
  assert.deepEqual(configuration.DeadLetterConfig, { TargetArn: dlq.QueueArn });
  assert.deepEqual(configuration.LoggingConfig, { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` });
  assert.match(configuration.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  // As on AWS, both describe the deployment package: the zip Code.Location serves.
  const zip = Buffer.from(await (await fetch(output.Code!.Location!)).arrayBuffer());
  assert.equal(configuration.CodeSha256, (await import('node:crypto')).createHash('sha256').update(zip).digest('base64'));
  assert.equal(configuration.CodeSize, zip.length);
  assert.match(configuration.RevisionId!, /^[0-9a-f-]{36}$/);
  assert.equal(output.Code?.RepositoryType, 'S3');

  const direct = await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  assert.equal(direct.RevisionId, configuration.RevisionId);
});

test('ListFunctions lists created functions', async () => {
  const name = createFunction();
  const output = await env.lambda.send(new ListFunctionsCommand({}));
  assert.ok(output.Functions?.some((fn) => fn.FunctionName === name));
});

test('UpdateFunctionConfiguration changes the environment the next invocation sees', async () => {
  const name = createFunction('exports.handler = async () => process.env.GREETING ?? "none";');
  const before = await env.lambda.send(new InvokeCommand({ FunctionName: name }));
  assert.equal(decode(before.Payload), 'none');
  const updated = await env.lambda.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { GREETING: 'hi' } }, Timeout: 9 }),
  );
  assert.equal(updated.Timeout, 9);
  assert.deepEqual(updated.Environment?.Variables, { GREETING: 'hi' });
  const after = await env.lambda.send(new InvokeCommand({ FunctionName: name }));
  assert.equal(decode(after.Payload), 'hi');
});

test('UpdateFunctionConfiguration with a stale RevisionId fails with PreconditionFailedException', async () => {
  const name = createFunction();
  await rejectsWith(
    env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 4, RevisionId: '00000000-0000-0000-0000-000000000000' })),
    'PreconditionFailedException',
    /does not match the latest Revision Id/,
    412,
  );
});

test('setting a reserved environment variable is refused', () => {
  assert.throws(
    () => createFunction(LESSON_HANDLER, { Environment: { Variables: { AWS_REGION: 'eu-west-1' } } }),
    /Reserved keys used in this request: AWS_REGION/,
  );
});

test('DeleteFunction answers 204 and the function is gone', async () => {
  const name = createFunction();
  const output = await env.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  assert.equal(output.$metadata.httpStatusCode, 204);
  await rejectsWith(env.lambda.send(new GetFunctionCommand({ FunctionName: name })), 'ResourceNotFoundException', /Function not found/, 404);
});

test('event-invoke configs: put replaces, update merges, get, list and delete (204)', async () => {
  const name = createFunction();
  const arn = `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
  const put = await env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1 }));
  assert.equal(put.FunctionArn, `${arn}:$LATEST`);
  assert.equal(put.MaximumRetryAttempts, 1);
  assert.equal(put.MaximumEventAgeInSeconds, undefined);
  assert.deepEqual(put.DestinationConfig, { OnSuccess: {}, OnFailure: {} });
  assert.ok(put.LastModified instanceof Date && Math.abs(put.LastModified.getTime() - Date.now()) < 60_000);

  const merged = await env.lambda.send(
    new UpdateFunctionEventInvokeConfigCommand({
      FunctionName: name,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: dlq.QueueArn } },
    }),
  );
  assert.equal(merged.MaximumRetryAttempts, 1);
  assert.equal(merged.MaximumEventAgeInSeconds, 300);
  assert.deepEqual(merged.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: dlq.QueueArn } });

  const replaced = await env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 60 }));
  assert.equal(replaced.MaximumRetryAttempts, undefined);
  assert.deepEqual(replaced.DestinationConfig, { OnSuccess: {}, OnFailure: {} });

  const got = await env.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: '$LATEST' }));
  assert.equal(got.MaximumEventAgeInSeconds, 60);
  const list = await env.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name }));
  assert.equal(list.FunctionEventInvokeConfigs?.length, 1);

  const deleted = await env.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name }));
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  await rejectsWith(
    env.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name })),
    'ResourceNotFoundException',
    `The function ${arn}:$LATEST doesn't have an EventInvokeConfig`,
    404,
  );
});

test('event-invoke config limits are enforced with AWS validation messages', async () => {
  const name = createFunction();
  await rejectsWith(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 5 })),
    'ValidationException',
    "1 validation error detected: Value '5' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2",
    400,
  );
  await rejectsWith(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 59 })),
    'ValidationException',
    "1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60",
    400,
  );
  await rejectsWith(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name })),
    'InvalidParameterValueException',
    'You must specify at least one of error handling or destination setting.',
    400,
  );
  await rejectsWith(
    env.lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1 })),
    'ResourceNotFoundException',
    `The function arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST doesn't have an EventInvokeConfig`,
    404,
  );
  await rejectsWith(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'missing-fn', MaximumRetryAttempts: 1 })),
    'ResourceNotFoundException',
    "The function doesn't exist.",
    404,
  );
});

test('an operation the emulator does not serve answers with a clear not-supported error', async () => {
  const response = await fetch(`${env.url}/2015-03-31/functions`, { method: 'POST', headers: { authorization: SIGNED_SHAPE }, body: '{}' });
  assert.equal(response.status, 400);
  assert.equal(response.headers.get('x-amzn-errortype'), 'UnknownOperationException');
  assert.match(await response.text(), /CreateFunction is not supported/);
});

test('Invoke takes a raw body without Content-Type, as botocore sends it, and answers with X-Amz headers', async () => {
  const name = createFunction();
  const response = await fetch(`${env.url}/2015-03-31/functions/${name}/invocations?Qualifier=%24LATEST`, {
    method: 'POST',
    headers: { authorization: SIGNED_SHAPE, 'X-Amz-Invocation-Type': 'RequestResponse', 'X-Amz-Log-Type': 'None' },
    body: new TextEncoder().encode('{"name":"raw"}'),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-amz-executed-version'), '$LATEST');
  assert.equal(response.headers.get('x-amz-function-error'), null);
  const requestId = response.headers.get('x-amzn-requestid')!;
  assert.deepEqual(await response.json(), { statusCode: 200, body: 'Hello, raw!' });
  assert.ok((await logMessages(name)).includes(`START RequestId: ${requestId} Version: $LATEST\n`));
});

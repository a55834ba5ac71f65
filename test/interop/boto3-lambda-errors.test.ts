// boto3 and AWS CLI v1 see Lambda's answers as they see AWS's: the top-level Message/message and Type boto3 fills from
// the error body, and the repro (an Event invoke with no --payload ends in the DLQ as {}).
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findAwsClis, notInstalledReason, runAwsCli, runProgram } from '../helpers/aws-cli.js';
import { eventually, startTestEmulator } from '../helpers/emulator.js';

// argv: endpoint, an existing function's name. Prints, per call, what boto3 raised and the response dict's keys.
const SCRIPT = `
import json, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
endpoint, name = sys.argv[1], sys.argv[2]
lam = boto3.session.Session().client('lambda', endpoint_url=endpoint, config=Config(retries={'max_attempts': 1, 'mode': 'standard'}))
def raised(call):
    try:
        call()
        return None
    except ClientError as e:
        r = e.response
        return {'class': type(e).__name__, 'error': r['Error'], 'status': r['ResponseMetadata']['HTTPStatusCode'],
                'top': {k: v for k, v in r.items() if k not in ('Error', 'ResponseMetadata')}}
missing_dest = 'arn:aws:lambda:us-east-1:000000000000:function:doesnotexist'
print(json.dumps({
  'getFunction': raised(lambda: lam.get_function(FunctionName='no-such-fn')),
  'invoke': raised(lambda: lam.invoke(FunctionName='no-such-fn', Payload=b'{}')),
  'getConfig': raised(lambda: lam.get_function_event_invoke_config(FunctionName='no-such-fn')),
  'badQualifier': raised(lambda: lam.get_function(FunctionName=name, Qualifier='invalid!')),
  'longName': raised(lambda: lam.get_function(FunctionName='a' * 65)),
  'badDestination': raised(lambda: lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={'OnSuccess': {'Destination': missing_dest}})),
}))
`;

test('boto3 gets the top-level Message and Type on ResourceNotFoundException, message on InvalidParameterValueException', async (t) => {
  const probe = await runProgram('python3', ['-c', 'import boto3']).catch(() => ({ exitCode: -1 }));
  if (probe.exitCode !== 0) {
    t.skip('boto3 not installed: python3 -c "import boto3" failed');
    return;
  }
  const env = await startTestEmulator({}, t);
  const { emulator } = env.running;
  const role = emulator.iam.createRole({ RoleName: 'boto3-errors-role' });
  emulator.lambda.createFunction({
    FunctionName: 'boto3-errors-fn',
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: role.Arn,
    Code: { ZipFile: 'exports.handler = async () => 1;' },
  });
  const run = await runProgram('python3', ['-c', SCRIPT, env.url, 'boto3-errors-fn'], { timeoutMs: 60_000 });
  assert.equal(run.exitCode, 0, run.stderr);
  const observed = JSON.parse(run.stdout) as Record<string, { class: string; error: { Code: string; Message: string }; status: number; top: Record<string, string> }>;
  const arn = 'arn:aws:lambda:us-east-1:000000000000:function:';

  // As recorded (localstack/localstack tests/aws/services/lambda_/test_lambda_api.snapshot.json): test_function_lifecycle
  // "delete_postdelete", test_ops_with_arn_qualifier_mismatch, test_lambda_eventinvokeconfig_exceptions.
  const notFound = (message: string) => ({
    class: 'ResourceNotFoundException',
    error: { Code: 'ResourceNotFoundException', Message: message },
    status: 404,
    top: { Message: message, Type: 'User' },
  });
  assert.deepEqual(observed.getFunction, notFound(`Function not found: ${arn}no-such-fn`));
  assert.deepEqual(observed.invoke, notFound(`Function not found: ${arn}no-such-fn:$LATEST`));
  assert.deepEqual(observed.getConfig, notFound(`The function ${arn}no-such-fn:$LATEST doesn't have an EventInvokeConfig`));
  assert.deepEqual(observed.longName, notFound(`Function not found: ${arn}${'a'.repeat(65)}`));
  // test_function_name_and_qualifier_validation[invalid_characters_in_qualifier-get_function]: an unmodelled code.
  assert.deepEqual(observed.badQualifier, {
    class: 'ClientError',
    error: {
      Code: 'ValidationException',
      Message:
        "1 validation error detected: Value 'invalid!' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: \\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
    },
    status: 400,
    top: {},
  });
  // put_destination_lambda_doesntexist: InvalidParameterValueException's model member is lowercase message.
  const invalid = `The destination ARN ${arn}doesnotexist is invalid.`;
  assert.deepEqual(observed.badDestination, {
    class: 'InvalidParameterValueException',
    error: { Code: 'InvalidParameterValueException', Message: invalid },
    status: 400,
    top: { Type: 'User', message: invalid },
  });
});

test('aws lambda invoke --invocation-type Event without --payload on a failing function ends in the DLQ as {}', async (t) => {
  const clis = await findAwsClis();
  if (!clis.v1) {
    t.skip(notInstalledReason(clis, 1));
    return;
  }
  const env = await startTestEmulator({ retryDelaysMs: [0, 0] }, t);
  const { emulator } = env.running;
  const dlq = emulator.sqs.createQueue('cli-no-payload-dlq');
  const role = emulator.iam.createRole({
    RoleName: 'cli-no-payload-role',
    Policies: [
      {
        PolicyName: 'dlq',
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlq.QueueArn }] },
      },
    ],
  });
  emulator.lambda.createFunction({
    FunctionName: 'SimpleFunc',
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: role.Arn,
    Code: { ZipFile: "exports.handler = async (event) => { throw new Error('no name in ' + JSON.stringify(event)); };" },
    DeadLetterConfig: { TargetArn: dlq.QueueArn },
  });
  const dir = mkdtempSync(join(tmpdir(), 'lambda-async-demo-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The command, verbatim but for the endpoint.
  const invoke = await runAwsCli(clis.v1, [
    '--endpoint-url', env.url, 'lambda', 'invoke', '--invocation-type', 'Event', '--function-name', 'SimpleFunc', join(dir, 'out.json'),
  ]);
  assert.equal(invoke.exitCode, 0, invoke.stderr);
  assert.equal(JSON.parse(invoke.stdout).StatusCode, 202);

  const message = await eventually(async () => {
    const received = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageAttributeNames: ['All'] }));
    return received.Messages?.[0];
  });
  assert.equal(message.Body, '{}');
  assert.equal(message.MD5OfBody, '99914b932bd37a50b983c5e7c90ae93b');
  assert.equal(message.MessageAttributes?.ErrorMessage?.StringValue, 'no name in {}');
});

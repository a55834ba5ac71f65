// Lambda answers held against AWS recordings: the errors (Message key, validation patterns, qualifier, 65-character
// names, refused destinations) and GetFunction of a CloudFormation-made function.
import {
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployLesson, failure, fidelityEmulator, matchesRecording, recorded, restJsonError, type RawResponse } from './recorded.js';

const aws = await fidelityEmulator();
await deployLesson(aws.cfn);
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:SimpleFunc';

/** What LocalStack's test_function_name_and_qualifier_validation keeps of an error: the validation clauses, sorted. */
function validationSummary(code: string, raw: RawResponse): Record<string, unknown> {
  const { Error: error } = restJsonError(raw, code) as { Error: { Code: string; Message: string } };
  const clauses = [...error.Message.matchAll(/(Value '.*?' at '.*?' failed to satisfy constraint: .+?(?=;|$))/g)].map((match) => match[1]!);
  return clauses.length > 0 ? { Code: code, Errors: clauses.sort(), Count: clauses.length } : { Code: code, Message: error.Message };
}

async function rejected(call: Promise<unknown>): Promise<string> {
  return (await failure(call)).name;
}

test('Lambda: LogType Tail on a cold start begins at START (INIT_START stays in CloudWatch Logs) and ends at END', async () => {
  const result = await aws.lambda.send(
    new InvokeCommand({ FunctionName: 'SimpleFunc', LogType: 'Tail', Payload: new TextEncoder().encode('{"name":""}') }),
  );
  const lines = Buffer.from(result.LogResult!, 'base64').toString('utf8').split('\n').filter((line) => line !== '');
  // As the recording keeps it: the tail without its REPORT line. Its first and last lines are the platform's; the
  // lines between are the runtime's own (a Python function's in the recording).
  const withoutReport = lines.filter((line) => !line.startsWith('REPORT'));
  const { expected, source } = recorded('lambda-invoke.json', 'test_dead_letter_queue', 'log_result');
  const recordedLines = (expected as { result: string[] }).result;
  matchesRecording([withoutReport[0], withoutReport.at(-1)], { source, expected: [recordedLines[0], recordedLines.at(-1)] });
  assert.equal(withoutReport[0], `START RequestId: ${result.$metadata.requestId} Version: $LATEST`);
});

test('Lambda: Invoke of a missing function is a 404 whose body has Type and Message', async () => {
  const code = await rejected(aws.lambda.send(new InvokeCommand({ FunctionName: 'doesnotexist' })));
  matchesRecording(restJsonError(aws.raw, code), recorded('lambda-errors.json', 'test_invoke_exceptions', 'invoke_function_doesnotexist'));
});

test('Lambda: GetFunction of a missing function names its ARN without a qualifier', async () => {
  const code = await rejected(aws.lambda.send(new GetFunctionCommand({ FunctionName: 'nonexisting-fn' })));
  matchesRecording(restJsonError(aws.raw, code), recorded('lambda-errors.json', 'test_ops_on_nonexisting_fn[get_function]', 'not_found_exception'));
});

test('Lambda: GetFunctionEventInvokeConfig of a missing function has no EventInvokeConfig at $LATEST', async () => {
  const code = await rejected(aws.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'nonexisting-fn' })));
  matchesRecording(
    restJsonError(aws.raw, code),
    recorded('lambda-errors.json', 'test_ops_on_nonexisting_fn[get_function_event_invoke_config]', 'not_found_exception'),
  );
});

test('Lambda: a Qualifier of invalid! is a ValidationException at qualifier on GetFunction and Invoke', async () => {
  let code = await rejected(aws.lambda.send(new GetFunctionCommand({ FunctionName: 'SimpleFunc', Qualifier: 'invalid!' })));
  matchesRecording(
    validationSummary(code, aws.raw),
    recorded('lambda-errors.json', 'invalid_characters_in_qualifier-get_function]', 'get_function_exception'),
  );
  code = await rejected(aws.lambda.send(new InvokeCommand({ FunctionName: 'SimpleFunc', Qualifier: 'invalid!' })));
  matchesRecording(validationSummary(code, aws.raw), recorded('lambda-errors.json', 'invalid_characters_in_qualifier-invoke]', 'invoke_exception'));
});

test('Lambda: an invalid function name quotes the current name pattern, eusc- partitions included', async () => {
  const code = await rejected(aws.lambda.send(new GetFunctionCommand({ FunctionName: 'my-function!' })));
  matchesRecording(
    validationSummary(code, aws.raw),
    recorded('lambda-errors.json', 'invalid_characters_in_function_name-get_function]', 'get_function_exception'),
  );
});

test('Lambda: GetFunction of a 65-character name is a 404 Function not found', async () => {
  const code = await rejected(aws.lambda.send(new GetFunctionCommand({ FunctionName: 'a'.repeat(65) })));
  matchesRecording(validationSummary(code, aws.raw), recorded('lambda-errors.json', 'function_name_too_long-get_function]', 'get_function_exception'));
});

test('Lambda: PutFunctionEventInvokeConfig refuses a missing function, a missing destination function and a non-destination service', async () => {
  const test = 'test_lambda_eventinvokeconfig_exceptions';
  let code = await rejected(aws.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'doesnotexist', MaximumRetryAttempts: 1 })));
  matchesRecording(restJsonError(aws.raw, code), recorded('lambda-errors.json', test, 'put_functionname_name_notfound'));
  code = await rejected(
    aws.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'SimpleFunc',
        DestinationConfig: { OnSuccess: { Destination: 'arn:aws:lambda:us-east-1:000000000000:function:doesnotexist' } },
      }),
    ),
  );
  matchesRecording(restJsonError(aws.raw, code), recorded('lambda-errors.json', test, 'put_destination_lambda_doesntexist'));
  code = await rejected(
    aws.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'SimpleFunc',
        DestinationConfig: { OnSuccess: { Destination: FUNCTION_ARN.replace(':lambda:', ':iam:') } },
      }),
    ),
  );
  matchesRecording(restJsonError(aws.raw, code), recorded('lambda-errors.json', test, 'put_destination_invalid_service_arn'));
});

test('Lambda: GetFunction of a CloudFormation function has Code.Location and the aws:cloudformation:* tags', async () => {
  const got = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'SimpleFunc' }));
  const { expected, source } = recorded('lambda-errors.json', 'test_cfn_lambda_permissions', 'get_function_result');
  const { Code, Tags } = expected as { Code: unknown; Tags: Record<string, string> };
  // The recording's logical id is its own template's (fn5FF616E3); the lesson's function is `Function`.
  matchesRecording({ Code: got.Code, Tags: got.Tags }, { source, expected: { Code, Tags: { ...Tags, 'aws:cloudformation:logical-id': 'Function' } } });
  // Location is masked in the recording: AWS documents a presigned URL to the deployment package (GetFunction API
  // reference, FunctionCodeLocation). The emulator serves the zip there.
  const zip = await fetch(got.Code!.Location!);
  assert.equal(zip.status, 200);
  assert.equal(Buffer.from(await zip.arrayBuffer()).subarray(0, 2).toString('latin1'), 'PK');
});

// Lambda's error answers as AWS recorded them: the body's Message/message key per error shape, AWS's current name and
// qualifier patterns, a too-long name that is simply not found, and the destinations PutFunctionEventInvokeConfig refuses.
// Recordings: localstack/localstack tests/aws/services/lambda_/test_lambda_api.snapshot.json (validated against AWS).
import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { functionMaker } from '../helpers/functions.js';
import { sendRaw } from '../helpers/raw-request.js';

const env: TestEmulator = await startTestEmulator();
const { emulator } = env.running;
const role = emulator.iam.createRole({ RoleName: 'lambda-errors-role' });
const createFunction = functionMaker(emulator, role.Arn, 'errors-fn');
const CODE = 'exports.handler = async () => 1;';
const ARN_PREFIX = 'arn:aws:lambda:us-east-1:000000000000:function:';

// As recorded, with the partition and region of the emulator (test_function_name_and_qualifier_validation).
const NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?';
const QUALIFIER_PATTERN = '\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+';

/** A SigV4-looking header, as every AWS client sends (the server refuses unsigned requests). */
const SIGNED = {
  authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0',
};

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown> & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown> & { $metadata: { httpStatusCode?: number } };
  }
  assert.fail('expected the call to fail');
}

test('a missing function answers {"Type":"User","Message":...}: ResourceNotFoundException spells Message capitalised', async () => {
  // test_function_lifecycle "delete_postdelete": boto3's top-level "Message" and "Type" come from these body keys.
  const raw = await sendRaw(env.url, { method: 'GET', path: '/2015-03-31/functions/no-such-fn', headers: SIGNED });
  assert.equal(raw.status, 404);
  assert.equal(raw.headers['x-amzn-errortype'], 'ResourceNotFoundException');
  assert.deepEqual(JSON.parse(raw.text), { Type: 'User', Message: `Function not found: ${ARN_PREFIX}no-such-fn` });

  for (const [method, path, message] of [
    ['POST', '/2015-03-31/functions/no-such-fn/invocations', `Function not found: ${ARN_PREFIX}no-such-fn:$LATEST`],
    ['GET', '/2019-09-25/functions/no-such-fn/event-invoke-config', `The function ${ARN_PREFIX}no-such-fn:$LATEST doesn't have an EventInvokeConfig`],
  ] as const) {
    const answer = await sendRaw(env.url, { method, path, headers: SIGNED });
    assert.equal(answer.status, 404);
    assert.deepEqual(JSON.parse(answer.text), { Type: 'User', Message: message });
  }
  // The SDK (which reads either key) still raises its modelled class.
  const error = await failure(env.lambda.send(new InvokeCommand({ FunctionName: 'no-such-fn' })));
  assert.ok(error instanceof ResourceNotFoundException);
  assert.equal(error.Type, 'User');
});

test('InvalidParameterValueException keeps the lowercase message key its model has', async () => {
  // test_lambda_eventinvokeconfig_exceptions "put_functionname_nootherargs": top-level "message", no "Message".
  const raw = await sendRaw(env.url, {
    method: 'PUT',
    path: '/2019-09-25/functions/doesnotexist/event-invoke-config',
    headers: { ...SIGNED, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(raw.status, 400);
  assert.deepEqual(JSON.parse(raw.text), {
    Type: 'User',
    message: 'You must specify at least one of error handling or destination setting.',
  });
});

test('an invalid Qualifier is a 400 ValidationException at qualifier with AWS pattern, on GetFunction and Invoke', async () => {
  // test_function_name_and_qualifier_validation[invalid_characters_in_qualifier-get_function / -invoke], 25-11-2025.
  const name = createFunction(CODE);
  for (const call of [
    env.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: 'invalid!' })),
    env.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'invalid!' })),
  ]) {
    const error = await failure(call);
    assert.equal(error.name, 'ValidationException');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal(
      error.message,
      `1 validation error detected: Value 'invalid!' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`,
    );
  }
  const tooLong = await failure(env.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: 'a'.repeat(129) })));
  assert.equal(
    tooLong.message,
    `1 validation error detected: Value '${'a'.repeat(129)}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128`,
  );
});

test('a function name AWS pattern refuses is quoted with the current pattern, (eusc-)? and $LATEST(.PUBLISHED)? included', async () => {
  // ...[invalid_characters_in_function_name], [missing_region_in_arn], [partial_arn_with_extra_qualifier].
  for (const functionName of ['my-function!', 'arn:aws:lambda::000000000000:function:my-function', 'function:my-function:$LATEST:extra']) {
    const error = await failure(env.lambda.send(new GetFunctionCommand({ FunctionName: functionName })));
    assert.equal(error.name, 'ValidationException');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal(
      error.message,
      `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN}`,
    );
  }
  // [full_arn_and_qualifier_too_long_and_invalid_region]: both problems in one answer.
  const both = await failure(
    env.lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:invalid-region:000000000000:function:x', Qualifier: 'a'.repeat(129) })),
  );
  assert.match(both.message, /^2 validation errors detected: Value '.+' at '(qualifier|functionName)' .+; Value '.+' at '(qualifier|functionName)' .+$/);
});

test('a 65-character function name on GetFunction and Invoke is a 404 Function not found, not a validation error', async () => {
  // ...[function_name_too_long-get_function / -invoke], 25-11-2025.
  const long = 'a'.repeat(65);
  const get = await failure(env.lambda.send(new GetFunctionCommand({ FunctionName: long })));
  assert.equal(get.name, 'ResourceNotFoundException');
  assert.equal(get.$metadata.httpStatusCode, 404);
  assert.equal(get.message, `Function not found: ${ARN_PREFIX}${long}`);
  const invoke = await failure(env.lambda.send(new InvokeCommand({ FunctionName: long })));
  assert.equal(invoke.message, `Function not found: ${ARN_PREFIX}${long}:$LATEST`);
  // [lowercase_latest_qualifier-get_function / -delete_function]: $latest is a valid alias-like qualifier; GetFunction
  // names it, DeleteFunction does not.
  const fullArn = `${ARN_PREFIX}my-function`;
  const getLower = await failure(env.lambda.send(new GetFunctionCommand({ FunctionName: fullArn, Qualifier: '$latest' })));
  assert.equal(getLower.message, `Function not found: ${fullArn}:$latest`);
  const deleteLower = await failure(env.lambda.send(new DeleteFunctionCommand({ FunctionName: fullArn, Qualifier: '$latest' })));
  assert.equal(deleteLower.name, 'ResourceNotFoundException');
  assert.equal(deleteLower.message, `Function not found: ${fullArn}`);
  // [latest_version_with_additional_qualifier-delete_function]: the mismatch is found before the missing function.
  const mismatch = await failure(env.lambda.send(new DeleteFunctionCommand({ FunctionName: `${fullArn}:$LATEST`, Qualifier: '1' })));
  assert.equal(mismatch.name, 'InvalidParameterValueException');
  assert.equal(mismatch.message, 'The derived qualifier from the function name does not match the specified qualifier.');
  // [incomplete_arn]: an ARN that ends at "function" names a function called "function".
  const incomplete = await failure(env.lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function' })));
  assert.equal(incomplete.message, `Function not found: ${ARN_PREFIX}function`);
});

test('PutFunctionEventInvokeConfig refuses a destination function that does not exist and a service that cannot be one', async () => {
  // test_lambda_eventinvokeconfig_exceptions: put_destination_lambda_doesntexist, put_destination_invalid_service_arn.
  const name = createFunction(CODE);
  const missing = `${ARN_PREFIX}doesnotexist`;
  const noFunction = await failure(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: missing } } })),
  );
  assert.equal(noFunction.name, 'InvalidParameterValueException');
  assert.equal(noFunction.$metadata.httpStatusCode, 400);
  assert.equal(noFunction.message, `The destination ARN ${missing} is invalid.`);

  const iamArn = `arn:aws:iam:us-east-1:000000000000:function:${name}`;
  const wrongService = await failure(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: iamArn } } })),
  );
  assert.equal(wrongService.name, 'InvalidParameterValueException');
  assert.equal(
    wrongService.message,
    `The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=${iamArn}), onFailure=null) is invalid.`,
  );

  // put_destination_recursive and put_destination_other_lambda.
  const itself = await failure(
    env.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: `${ARN_PREFIX}${name}` } } }),
    ),
  );
  assert.equal(itself.message, "You can't specify the function as a destination for itself.");
  const other = createFunction(CODE);
  const accepted = await env.lambda.send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: `${ARN_PREFIX}${other}` } } }),
  );
  assert.deepEqual(accepted.DestinationConfig, { OnSuccess: { Destination: `${ARN_PREFIX}${other}` }, OnFailure: {} });

  // put_destination_invalid_arn_pattern: the recorded pattern, kafka:// and (eusc-)? included.
  const badArn = `arn:aws:_-/!lambda:us-east-1:000000000000:function:${name}`;
  const pattern = await failure(
    env.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnFailure: { Destination: badArn } } })),
  );
  assert.equal(pattern.name, 'ValidationException');
  assert.equal(
    pattern.message,
    `1 validation error detected: Value '${badArn}' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ` +
      '$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)',
  );
});

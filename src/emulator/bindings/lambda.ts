// Lambda's rest-json route table: which method and path is which operation, and how Invoke's headers and raw body map.
import { header, type HttpRequest, type HttpResponse } from '../protocol/http.js';
import type { MessageKeyOf, RestRoute } from '../protocol/rest-json.js';
import { escapeXml } from '../protocol/query.js';
import { isServiceError, ServiceError } from '../errors.js';
import { LAMBDA_CODE_PATH, type CodePackageRequest } from '../services/lambda/code-package.js';
import type { InvokeOperationOutput } from '../services/lambda/invoke-request.js';


const NAME = '([^/]+)';

/**
 * Lambda's error shapes whose member is `Message`, capitalised (botocore lambda/2015-03-31/service-2.json; the others,
 * InvalidParameterValueException, ResourceConflictException, TooManyRequestsException ..., and unmodelled codes such
 * as ValidationException, say `message`). Recorded: localstack/localstack
 * tests/aws/services/lambda_/test_lambda_api.snapshot.json, TestLambdaFunction::test_function_lifecycle ("Message" at
 * the top level of a GetFunction ResourceNotFoundException, which boto3 only fills from a `Message` key).
 */
const CAPITALISED_MESSAGE = new Set([
  'ResourceNotFoundException', 'ServiceException', 'CodeSigningConfigNotFoundException', 'CodeVerificationFailedException',
  'InvalidCodeSignatureException', 'InvalidRuntimeException', 'InvalidZipFileException', 'NoPublishedVersionException',
  'RecursiveInvocationException', 'ResourceInUseException', 'SnapStartException', 'SnapStartNotReadyException',
  'SnapStartTimeoutException', 'EC2AccessDeniedException', 'EC2ThrottledException', 'EC2UnexpectedException',
  'ENILimitReachedException', 'InvalidSecurityGroupIDException', 'InvalidSubnetIDException', 'KMSAccessDeniedException',
  'KMSDisabledException', 'KMSInvalidStateException', 'KMSNotFoundException', 'SubnetIPAddressLimitReachedException',
  'EFSIOException', 'EFSMountConnectivityException', 'EFSMountFailureException', 'EFSMountTimeoutException',
]);

export const lambdaMessageKey: MessageKeyOf = (code) => (CAPITALISED_MESSAGE.has(code) ? 'Message' : 'message');

function jsonBody(request: HttpRequest): Record<string, unknown> {
  if (request.body.length === 0) return {};
  try {
    const parsed = JSON.parse(request.body.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ServiceError('InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`);
  }
  throw new ServiceError('InvalidRequestContentException', 'Could not parse request body into json: expected a JSON object');
}

function query(request: HttpRequest, name: string): string | undefined {
  return request.query.get(name) ?? undefined;
}

function maxItems(request: HttpRequest): number | undefined {
  const value = query(request, 'MaxItems');
  return value === undefined ? undefined : Number(value);
}

/** 204 with no body, as the model says for the Delete* operations. */
function noContent(_output: unknown, requestId: string): HttpResponse {
  return { status: 204, headers: { 'x-amzn-requestid': requestId }, body: '' };
}

// Sync: 200, X-Amz-Executed-Version, raw payload, X-Amz-Function-Error on failure, X-Amz-Log-Result with Tail.
// Event: 202 with an empty body and no executed version; DryRun: 204 (docs/aws-semantics.md §1.2, §7 item 10).
function invokeResponse(output: unknown, requestId: string): HttpResponse {
  const result = output as InvokeOperationOutput;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': requestId };
  if (result.ExecutedVersion) headers['x-amz-executed-version'] = result.ExecutedVersion;
  if (result.FunctionError) headers['x-amz-function-error'] = result.FunctionError;
  if (result.LogResult) headers['x-amz-log-result'] = result.LogResult;
  const body = result.Payload ? Buffer.from(result.Payload.buffer, result.Payload.byteOffset, result.Payload.byteLength) : '';
  return { status: result.StatusCode, headers, body };
}

function withQualifier(labels: string[], request: HttpRequest, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, FunctionName: labels[0], Qualifier: query(request, 'Qualifier') };
}

export const lambdaRoutes: RestRoute[] = [
  {
    method: 'POST',
    pattern: new RegExp(`^/2015-03-31/functions/${NAME}/invocations/?$`),
    operation: 'Invoke',
    // botocore sends no Content-Type on Invoke: the body is taken raw, whatever it says (docs/aws-semantics.md §1.1).
    toInput: (labels, request) => ({
      FunctionName: labels[0],
      Qualifier: query(request, 'Qualifier'),
      InvocationType: header(request, 'x-amz-invocation-type'),
      LogType: header(request, 'x-amz-log-type'),
      ClientContext: header(request, 'x-amz-client-context'),
      Payload: request.body,
    }),
    toResponse: invokeResponse,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/2014-11-13/functions/${NAME}/invoke-async/?$`),
    operation: 'InvokeAsync',
    toInput: (labels, request) => ({ FunctionName: labels[0], InvokeArgs: request.body }),
    toResponse: (_output, requestId) => ({
      status: 202,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ Status: 202 }),
    }),
  },
  {
    method: 'GET',
    pattern: /^\/2015-03-31\/functions\/?$/,
    operation: 'ListFunctions',
    toInput: (_labels, request) => ({
      Marker: query(request, 'Marker'),
      MaxItems: maxItems(request),
      FunctionVersion: query(request, 'FunctionVersion'),
      MasterRegion: query(request, 'MasterRegion'),
    }),
  },
  {
    // Served so the answer says "not supported locally" rather than a bare method error: functions come from templates.
    method: 'POST',
    pattern: /^\/2015-03-31\/functions\/?$/,
    operation: 'CreateFunction',
    toInput: (_labels, request) => jsonBody(request),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/2015-03-31/functions/${NAME}/?$`),
    operation: 'GetFunction',
    toInput: (labels, request) => withQualifier(labels, request),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/2015-03-31/functions/${NAME}/?$`),
    operation: 'DeleteFunction',
    toInput: (labels, request) => withQualifier(labels, request),
    toResponse: noContent,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/2015-03-31/functions/${NAME}/configuration/?$`),
    operation: 'GetFunctionConfiguration',
    toInput: (labels, request) => withQualifier(labels, request),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/2015-03-31/functions/${NAME}/configuration/?$`),
    operation: 'UpdateFunctionConfiguration',
    toInput: (labels, request) => ({ ...jsonBody(request), FunctionName: labels[0] }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/2019-09-25/functions/${NAME}/event-invoke-config/list/?$`),
    operation: 'ListFunctionEventInvokeConfigs',
    toInput: (labels, request) => ({ FunctionName: labels[0], Marker: query(request, 'Marker'), MaxItems: maxItems(request) }),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/2019-09-25/functions/${NAME}/event-invoke-config/?$`),
    operation: 'PutFunctionEventInvokeConfig',
    toInput: (labels, request) => withQualifier(labels, request, jsonBody(request)),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/2019-09-25/functions/${NAME}/event-invoke-config/?$`),
    operation: 'UpdateFunctionEventInvokeConfig',
    toInput: (labels, request) => withQualifier(labels, request, jsonBody(request)),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/2019-09-25/functions/${NAME}/event-invoke-config/?$`),
    operation: 'GetFunctionEventInvokeConfig',
    toInput: (labels, request) => withQualifier(labels, request),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/2019-09-25/functions/${NAME}/event-invoke-config/?$`),
    operation: 'DeleteFunctionEventInvokeConfig',
    toInput: (labels, request) => withQualifier(labels, request),
    toResponse: noContent,
  },
];

/** True for GET <LAMBDA_CODE_PATH><name>: the URL GetFunction's Code.Location hands out. */
export function isCodePackagePath(path: string): boolean {
  return path.startsWith(LAMBDA_CODE_PATH);
}

/**
 * Serves a function's deployment package as S3 serves a presigned GET: the zip with application/zip, or S3's XML error
 * document with 403 when the signature is not one the emulator issued or has expired.
 */
export function codePackageResponse(
  lambda: { codePackage(request: CodePackageRequest): Buffer },
  request: HttpRequest,
  requestId: string,
): HttpResponse {
  let functionName = request.path.slice(LAMBDA_CODE_PATH.length);
  try {
    functionName = decodeURIComponent(functionName);
  } catch {
    // Left as is: it then matches no function and the signature check refuses it.
  }
  try {
    if (request.method !== 'GET') throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', { status: 405 });
    const zip = lambda.codePackage({
      functionName,
      amzDate: request.query.get('X-Amz-Date') ?? '',
      expiresSeconds: request.query.get('X-Amz-Expires') ?? '',
      signature: request.query.get('X-Amz-Signature') ?? '',
    });
    return { status: 200, headers: { 'content-type': 'application/zip', 'x-amz-request-id': requestId }, body: zip };
  } catch (error) {
    const failure = isServiceError(error) ? error : new ServiceError('InternalError', String(error), { status: 500 });
    return {
      status: failure.status,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${escapeXml(failure.code)}</Code><Message>${escapeXml(failure.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
    };
  }
}

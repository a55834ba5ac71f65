// Which service and protocol a request speaks: X-Amz-Target first, then the Lambda path table, then a query Action.
import type { HttpRequest } from './protocol/http.js';
import { header } from './protocol/http.js';

export type Route =
  | { kind: 'json'; service: 'sqs' | 'logs'; target: string }
  | { kind: 'rest-json'; service: 'lambda' }
  | { kind: 'query'; service: 'cloudformation' | 'sts' | 'sqs'; form: URLSearchParams }
  | { kind: 'internal'; path: string }
  | { kind: 'unknown'; reason: string };

const TARGET_PREFIXES: Record<string, 'sqs' | 'logs'> = {
  AmazonSQS: 'sqs',
  Logs_20140328: 'logs',
};

const LAMBDA_PATH = /^\/(2015-03-31|2019-09-25|2014-11-13|2017-03-31|2016-08-19|2018-10-31|2020-06-30|2021-10-31)\//;

// The SigV4 credential scope names the service: Credential=AKID/20260101/us-east-1/cloudformation/aws4_request.
function signingName(request: HttpRequest): string | undefined {
  const authorization = header(request, 'authorization');
  const match = authorization && /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization);
  return match ? match[1] : undefined;
}

const SQS_ACTIONS = new Set([
  'CreateQueue', 'GetQueueUrl', 'GetQueueAttributes', 'SetQueueAttributes', 'ListQueues', 'DeleteQueue',
  'SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch',
  'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch', 'PurgeQueue', 'TagQueue', 'UntagQueue',
  'ListQueueTags', 'ListDeadLetterSourceQueues',
]);
const STS_ACTIONS = new Set(['GetCallerIdentity', 'AssumeRole', 'GetSessionToken']);

function isForm(request: HttpRequest): boolean {
  const type = header(request, 'content-type') ?? '';
  return type.startsWith('application/x-www-form-urlencoded');
}

export function routeRequest(request: HttpRequest): Route {
  if (request.path.startsWith('/_emulator/')) return { kind: 'internal', path: request.path };

  const target = header(request, 'x-amz-target');
  if (target) {
    const prefix = target.split('.')[0] ?? '';
    // Own keys only: `X-Amz-Target: valueOf` once found Object.prototype.valueOf here and crashed the request.
    const service = Object.hasOwn(TARGET_PREFIXES, prefix) ? TARGET_PREFIXES[prefix] : undefined;
    if (service) return { kind: 'json', service, target };
    return { kind: 'unknown', reason: `The X-Amz-Target ${JSON.stringify(target)} names no service this emulator runs.` };
  }

  if (LAMBDA_PATH.test(request.path)) return { kind: 'rest-json', service: 'lambda' };

  const form =
    request.method === 'POST' && isForm(request)
      ? new URLSearchParams(request.body.toString('utf8'))
      : request.query.has('Action')
        ? request.query
        : undefined;
  if (form?.has('Action')) {
    const action = form.get('Action')!;
    const scope = signingName(request);
    if (scope === 'sqs' || (scope === undefined && SQS_ACTIONS.has(action))) return { kind: 'query', service: 'sqs', form };
    if (scope === 'sts' || (scope === undefined && STS_ACTIONS.has(action))) return { kind: 'query', service: 'sts', form };
    return { kind: 'query', service: 'cloudformation', form };
  }
  return { kind: 'unknown', reason: `No AWS operation is served at ${request.method} ${request.path}.` };
}

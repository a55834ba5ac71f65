// AWS JSON 1.0 / 1.1 protocols (SQS, CloudWatch Logs): X-Amz-Target names the operation, JSON both ways.
import type { HttpRequest, HttpResponse } from './http.js';
import { ServiceError } from '../errors.js';

export interface JsonDialect {
  /** "1.0" for SQS, "1.1" for Logs. */
  version: '1.0' | '1.1';
  /** JSON 1.0 errors name the shape with its namespace (com.amazonaws.sqs#QueueDoesNotExist); 1.1 uses the bare name. */
  errorNamespace?: string;
}

export function parseJsonBody(request: HttpRequest): Record<string, unknown> {
  if (request.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new ServiceError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ServiceError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return parsed as Record<string, unknown>;
}

export function renderJsonResult(result: unknown, requestId: string, dialect: JsonDialect): HttpResponse {
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${dialect.version}`, 'x-amzn-requestid': requestId },
    body: JSON.stringify(result ?? {}, (_key, value) => (value instanceof Date ? value.getTime() / 1000 : value)),
  };
}

export function renderJsonError(error: ServiceError, requestId: string, dialect: JsonDialect): HttpResponse {
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${dialect.version}`,
    'x-amzn-requestid': requestId,
    ...error.headers,
  };
  // Query-compatible services (SQS) carry the legacy code here; botocore and SDK v3 map exceptions from it
  // (docs/aws-semantics.md §5.2).
  if (error.queryCode) headers['x-amzn-query-error'] = `${error.queryCode};${error.sender ? 'Sender' : 'Receiver'}`;
  const type = dialect.errorNamespace ? `${dialect.errorNamespace}#${error.code}` : error.code;
  return {
    status: error.status,
    headers,
    body: JSON.stringify({ __type: type, message: error.message, ...error.fields }),
  };
}

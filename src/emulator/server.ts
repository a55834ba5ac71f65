// node:http plumbing: read the body, pick the protocol, call the service's operation, write its answer or error.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { codePackageResponse, isCodePackagePath, lambdaMessageKey, lambdaRoutes } from './bindings/lambda.js';
import { cloudFormationQueryBinding } from './bindings/cloudformation-query.js';
import { sqsQueryBinding } from './bindings/sqs-query.js';
import type { Operation, RequestContext, Service } from './context.js';
import { parseJsonBody, renderJsonError, renderJsonResult, type JsonDialect } from './protocol/aws-json.js';
import { header, type HttpRequest, type HttpResponse } from './protocol/http.js';
import { parseQueryParams, renderQueryError, renderQueryResult, type QueryDialect } from './protocol/query.js';
import { matchRoute, pathKnown, renderRestJsonError, renderRestJsonResult } from './protocol/rest-json.js';
import { ServiceError, isServiceError } from './errors.js';
import { refusalOf } from './admission.js';
import { routeRequest } from './router.js';

/** Bodies above this are refused before they are read: far above every AWS limit the emulator checks itself. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const JSON_DIALECTS: Record<'sqs' | 'logs', JsonDialect> = {
  sqs: { version: '1.0', errorNamespace: 'com.amazonaws.sqs' },
  logs: { version: '1.1' },
};
const QUERY_DIALECTS: Record<'cloudformation' | 'sts' | 'sqs', QueryDialect> = {
  cloudformation: { xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/' },
  sts: { xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/' },
  // docs/aws-semantics.md §5.2; recorded with "Detail": null in LocalStack's AWS-validated test_sqs.snapshot.json.
  sqs: { xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/', flattened: true, emptyDetail: true },
};

export interface ServiceTable {
  sqs: Service;
  logs: Service;
  lambda: Service & Parameters<typeof codePackageResponse>[0];
  cloudformation: Service;
  sts: Service;
}

export interface InternalEndpoints {
  health(): unknown;
}

function operationOf(service: Service, name: string): Operation | undefined {
  return Object.hasOwn(service.operations, name) ? service.operations[name] : undefined;
}

function internalFailure(error: unknown): ServiceError {
  const detail = error instanceof Error ? error.message : String(error);
  return new ServiceError('InternalFailure', `The local emulator failed to process the request: ${detail}`, {
    status: 500,
  });
}

export async function handle(
  request: HttpRequest,
  services: ServiceTable,
  internal: InternalEndpoints,
): Promise<HttpResponse> {
  const requestId = randomUUID();
  const context: RequestContext = { requestId };
  const route = routeRequest(request);

  switch (route.kind) {
    case 'internal': {
      if (request.method !== 'GET') {
        return { status: 405, headers: { 'content-type': 'application/json' }, body: '{"message":"Method not allowed"}' };
      }
      if (route.path === '/_emulator/health') {
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(internal.health()) };
      }
      // GetFunction's Code.Location: the function's zip, behind the signature the emulator put in the URL.
      if (isCodePackagePath(route.path)) return codePackageResponse(services.lambda, request, requestId);
      return { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not found"}' };
    }

    case 'json': {
      const dialect = JSON_DIALECTS[route.service];
      const name = route.target.slice(route.target.indexOf('.') + 1);
      try {
        const operation = operationOf(services[route.service], name);
        if (!operation) {
          throw new ServiceError(
            'UnknownOperationException',
            `The operation ${name} is not supported by the lambda-async-demo local emulator.`,
          );
        }
        const output = await operation(parseJsonBody(request), context);
        return renderJsonResult(output, requestId, dialect);
      } catch (error) {
        return renderJsonError(isServiceError(error) ? error : internalFailure(error), requestId, dialect);
      }
    }

    case 'query': {
      const dialect = QUERY_DIALECTS[route.service];
      const action = route.form.get('Action') ?? '';
      try {
        const params = parseQueryParams(route.form);
        delete params.Action;
        delete params.Version;
        const operation = operationOf(services[route.service], action);
        if (!operation) {
          throw new ServiceError(
            'InvalidAction',
            `The action ${action} is not valid for this endpoint, or is not supported by the lambda-async-demo local emulator.`,
          );
        }
        if (route.service === 'sqs') {
          const output = await operation(sqsQueryBinding.toInput(action, params), context);
          return renderQueryResult(action, sqsQueryBinding.toResult(action, output), requestId, dialect);
        }
        if (route.service === 'cloudformation') {
          const output = await operation(cloudFormationQueryBinding.toInput(action, params), context);
          return renderQueryResult(action, cloudFormationQueryBinding.toResult(action, output), requestId, dialect);
        }
        return renderQueryResult(action, await operation(params, context), requestId, dialect);
      } catch (error) {
        const serviceError = isServiceError(error) ? error : internalFailure(error);
        return renderQueryError(route.service === 'sqs' ? sqsQueryBinding.toError(serviceError) : serviceError, requestId, dialect);
      }
    }

    case 'rest-json': {
      try {
        const matched = matchRoute(lambdaRoutes, request);
        if (!matched) {
          if (pathKnown(lambdaRoutes, request)) {
            throw new ServiceError('MethodNotAllowedException', `${request.method} is not allowed on ${request.path}.`, {
              status: 405,
            });
          }
          throw new ServiceError(
            'UnknownOperationException',
            `No Lambda operation is served at ${request.method} ${request.path} by the lambda-async-demo local emulator.`,
            { status: 404 },
          );
        }
        const operation = operationOf(services.lambda, matched.route.operation);
        if (!operation) {
          throw new ServiceError(
            'UnknownOperationException',
            `The operation ${matched.route.operation} is not supported by the lambda-async-demo local emulator.`,
          );
        }
        const output = await operation(matched.route.toInput(matched.labels, request), context);
        return matched.route.toResponse
          ? matched.route.toResponse(output, requestId)
          : renderRestJsonResult(output, requestId);
      } catch (error) {
        return renderRestJsonError(isServiceError(error) ? error : internalFailure(error), requestId, lambdaMessageKey);
      }
    }

    case 'unknown':
      return renderError(new ServiceError('UnknownOperationException', route.reason), request, requestId);
  }
}

type Protocol =
  | { kind: 'json'; dialect: JsonDialect }
  | { kind: 'rest-json' }
  | { kind: 'query'; dialect: QueryDialect };

/**
 * The protocol a request speaks, for errors raised before any operation is known. Without a target, a Lambda path or an
 * Action, a JSON client still says application/x-amz-json-1.x and must get JSON: the SDK cannot parse XML there
 * (test/reliability/fuzz.test.ts); anything else gets an XML query-style error.
 */
function protocolOf(request: HttpRequest): Protocol {
  const route = routeRequest(request);
  if (route.kind === 'json') return { kind: 'json', dialect: JSON_DIALECTS[route.service] };
  if (route.kind === 'rest-json') return { kind: 'rest-json' };
  if (route.kind === 'query') return { kind: 'query', dialect: QUERY_DIALECTS[route.service] };
  const json = /^application\/x-amz-json-(1\.[01])\b/.exec(header(request, 'content-type') ?? '');
  if (json) return { kind: 'json', dialect: { version: json[1] as '1.0' | '1.1' } };
  return { kind: 'query', dialect: { xmlNamespace: 'https://lambda-async-demo.local/doc/' } };
}

function renderError(error: ServiceError, request: HttpRequest, requestId: string): HttpResponse {
  const protocol = protocolOf(request);
  if (protocol.kind === 'json') return renderJsonError(error, requestId, protocol.dialect);
  if (protocol.kind === 'rest-json') return renderRestJsonError(error, requestId, lambdaMessageKey);
  return renderQueryError(error, requestId, protocol.dialect);
}

/**
 * Undefined when the request may be served, else its refusal in its own protocol (admission.ts): JSON and rest-json
 * codes end in `Exception`, as AWS's do (MissingAuthenticationTokenException), query codes do not.
 */
export function refusalResponse(
  request: HttpRequest,
  hostAllowed: (host: string | undefined) => boolean,
): { response: HttpResponse; reason: string } | undefined {
  const refusal = refusalOf(request, hostAllowed, routeRequest(request).kind === 'internal');
  if (!refusal) return undefined;
  const code = protocolOf(request).kind === 'query' ? refusal.code : `${refusal.code}Exception`;
  const response = renderError(new ServiceError(code, refusal.message, { status: refusal.status }), request, randomUUID());
  return { response, reason: refusal.message };
}

/**
 * A request whose body was too large to read carries `tooLarge` and an empty body; one whose request-target is no URL
 * (`//`, `http://[`) carries `malformed`. Never rejects: a read error resolves as a malformed request too.
 */
export function readRequest(incoming: IncomingMessage): Promise<HttpRequest & { tooLarge?: boolean; malformed?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const finish = (malformed?: string) => {
      // `//` or `//x` parse as a host, not a path, and `%zz` is kept as is: the path is the raw target's path part.
      const target = incoming.url ?? '/';
      let url: URL | undefined;
      try {
        url = new URL(target.startsWith('/') ? `http://emulator.local${target}` : target, 'http://emulator.local');
      } catch {
        malformed ??= `The request-target ${JSON.stringify(target.slice(0, 100))} is not a valid URL.`;
      }
      resolve({
        method: incoming.method ?? 'GET',
        path: url?.pathname ?? '/',
        query: url?.searchParams ?? new URLSearchParams(),
        headers: incoming.headers,
        body: Buffer.concat(chunks),
        ...(tooLarge ? { tooLarge } : {}),
        ...(malformed ? { malformed } : {}),
      });
    };
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    incoming.on('error', (error) => finish(`The request could not be read: ${error.message}`));
    incoming.on('end', () => finish());
  });
}

/** The request line for the server log: method and target, cut short and with control characters escaped. */
export function requestLine(incoming: IncomingMessage): string {
  const target = JSON.stringify((incoming.url ?? '').slice(0, 200)).slice(1, -1);
  return `${incoming.method ?? '?'} ${target}`;
}

export function malformedResponse(request: HttpRequest, reason: string): HttpResponse {
  return renderError(new ServiceError('MalformedRequest', reason, { status: 400 }), request, randomUUID());
}

/** What the server answers when the handler itself failed: InternalFailure in the request's protocol. */
export function failureResponse(request: HttpRequest, error: unknown): HttpResponse {
  return renderError(internalFailure(error), request, randomUUID());
}

export function writeResponse(outgoing: ServerResponse, response: HttpResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  outgoing.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  outgoing.end(body);
}

// In the request's own protocol: a rest-json answer to an SQS or CloudFormation client was unparseable there.
export function tooLargeResponse(request: HttpRequest): HttpResponse {
  const error = new ServiceError('RequestEntityTooLargeException', `Request must be smaller than ${MAX_BODY_BYTES} bytes.`, {
    status: 413,
  });
  return renderError(error, request, randomUUID());
}

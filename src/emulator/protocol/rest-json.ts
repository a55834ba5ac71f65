// AWS rest-json protocol (Lambda): the route table says which method and path is which operation.
import type { HttpRequest, HttpResponse } from './http.js';
import type { ServiceError } from '../errors.js';

export interface RestRoute {
  method: string;
  /** Matched against the still-encoded path; capture groups are the path labels. */
  pattern: RegExp;
  operation: string;
  /** Builds the operation input from path labels (already decoded), query, headers and body. */
  toInput(labels: string[], request: HttpRequest): unknown;
  /** Builds the HTTP response from the operation output; default 200 with the output as JSON. */
  toResponse?(output: unknown, requestId: string): HttpResponse;
}

export function matchRoute(routes: RestRoute[], request: HttpRequest): { route: RestRoute; labels: string[] } | undefined {
  for (const route of routes) {
    if (route.method !== request.method) continue;
    const match = route.pattern.exec(request.path);
    if (!match) continue;
    const labels = match.slice(1).map((label) => {
      try {
        return decodeURIComponent(label);
      } catch {
        return label;
      }
    });
    return { route, labels };
  }
  return undefined;
}

/** True when some route serves this path with another method (AWS answers those with a 4xx, not a 404 route miss). */
export function pathKnown(routes: RestRoute[], request: HttpRequest): boolean {
  return routes.some((route) => route.pattern.test(request.path));
}

export function renderRestJsonResult(output: unknown, requestId: string, status = 200): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body: output === undefined ? '' : JSON.stringify(output),
  };
}

/** Which body key carries an error's message: each service's model spells it per error shape. */
export type MessageKeyOf = (code: string) => 'message' | 'Message';

// The code travels in x-amzn-ErrorType; the body is {"Type":"User","Message"|"message":...}, the key as the service's
// model spells it for that error shape (docs/aws-semantics.md §1.3).
export function renderRestJsonError(error: ServiceError, requestId: string, messageKey: MessageKeyOf = () => 'message'): HttpResponse {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.code,
      ...error.headers,
    },
    body: JSON.stringify({ Type: error.sender ? 'User' : 'Service', [messageKey(error.code)]: error.message, ...error.fields }),
  };
}

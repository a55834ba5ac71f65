// Who may talk to the emulator: a program the user runs, never a web page (docs/DESIGN.md §5). Loopback is no wall: any
// page the user opens can send a request to 127.0.0.1, and a DNS-rebinding page can even name its own host there.
import { header, type HttpRequest } from './protocol/http.js';

export interface Refusal {
  status: 403;
  /** The error code in the query protocol; JSON and rest-json clients get `<code>Exception`. */
  code: 'MissingAuthenticationToken' | 'AccessDenied';
  message: string;
}

/** The Host values a request may carry: the address the server is bound to, by any of its loopback names. */
export function allowedHosts(boundHost: string, port: number): (host: string | undefined) => boolean {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', boundHost.includes(':') ? `[${boundHost}]` : boundHost].map((name) => name.toLowerCase()));
  // Bound to every interface on purpose (--host 0.0.0.0): any address of the machine, but only as an IP literal. A
  // rebinding page needs a DNS name of its own, so names other than localhost are still refused.
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::';
  return (host) => {
    if (!host) return false;
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(host.trim());
    if (!match) return false;
    const [, name, portText] = match;
    if (Number(portText ?? 80) !== port) return false;
    const lower = name!.toLowerCase();
    return names.has(lower) || (wildcard && (/^\d{1,3}(\.\d{1,3}){3}$/.test(lower) || lower.startsWith('[')));
  };
}

// Every AWS SDK and both AWS CLI generations sign with SigV4 (or SigV4a); a page cannot set Authorization without a
// CORS preflight, which is refused below.
function signed(request: HttpRequest): boolean {
  const authorization = header(request, 'authorization');
  if (authorization && /^AWS4-[A-Z0-9-]+ Credential=/.test(authorization.trim())) return true;
  return request.query.has('X-Amz-Signature');
}

/**
 * Undefined when the request may be served. `internal` marks the emulator's own read-only endpoints (the health check
 * the CLI uses), which need no signature but get every other check.
 */
export function refusalOf(request: HttpRequest, hostAllowed: (host: string | undefined) => boolean, internal: boolean): Refusal | undefined {
  const page = 'The lambda-async-demo local emulator serves programs you run (the AWS SDKs and CLIs), never web pages';
  if (request.method === 'OPTIONS') {
    return { status: 403, code: 'AccessDenied', message: `${page}: CORS preflight requests are refused.` };
  }
  if (header(request, 'origin') !== undefined) {
    return { status: 403, code: 'AccessDenied', message: `${page}: a request with an Origin header is refused.` };
  }
  const fetchSite = header(request, 'sec-fetch-site');
  if (fetchSite !== undefined && fetchSite !== 'none') {
    return { status: 403, code: 'AccessDenied', message: `${page}: a request with Sec-Fetch-Site: ${fetchSite.slice(0, 40)} is refused.` };
  }
  if (!hostAllowed(header(request, 'host'))) {
    return {
      status: 403,
      code: 'AccessDenied',
      message: `${page}: the Host ${JSON.stringify((header(request, 'host') ?? '').slice(0, 100))} is not the address it listens on.`,
    };
  }
  if (!internal && !signed(request)) {
    // What AWS answers an unsigned request, e.g. `aws --no-sign-request` (the query services' ErrorResponse carries
    // code MissingAuthenticationToken and this message; recorded in amzn/selling-partner-api-docs#3081 for STS and in
    // aws/aws-sdk-js#4286 for CloudFormation). UNVERIFIED(§5): the JSON protocols' exact __type and message.
    return { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' };
  }
  return undefined;
}

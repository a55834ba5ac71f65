// Raw HTTP to the emulator (any method, path, header and byte, no SDK in between) and checks that an answer is a
// well-formed AWS error of the protocol the request spoke.
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent as is: not normalised, not re-encoded, so `..` and `%2F` reach the server untouched. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Leave out the SigV4-shaped Authorization header every raw request gets otherwise (the emulator refuses those). */
  unsigned?: boolean;
}

/**
 * A SigV4-shaped Authorization header (the emulator checks the shape, it cannot know a secret). Its credential names
 * no scope, so the router picks the service from the request as it does for a client that signs for another one.
 */
export const SIGNED_SHAPE = 'AWS4-HMAC-SHA256 Credential=test, SignedHeaders=host, Signature=0';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  durationMs: number;
}

export type WireProtocol = 'json-1.0' | 'json-1.1' | 'rest-json' | 'query';

export interface AwsErrorFacts {
  code: string;
  message: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends one request and reads the whole answer; rejects when no complete answer arrives within timeoutMs. */
export function sendRaw(baseUrl: string, raw: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const origin = new URL(baseUrl);
  const body = raw.body === undefined ? undefined : typeof raw.body === 'string' ? Buffer.from(raw.body, 'utf8') : Buffer.from(raw.body);
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent,
        host: origin.hostname,
        port: origin.port,
        method: raw.method,
        path: raw.path,
        headers: {
          ...(raw.unsigned || Object.keys(raw.headers ?? {}).some((name) => name.toLowerCase() === 'authorization')
            ? {}
            : { authorization: SIGNED_SHAPE }),
          ...(raw.headers ?? {}),
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          const buffer = Buffer.concat(chunks);
          resolve({
            status: incoming.statusCode ?? 0,
            headers,
            body: buffer,
            text: buffer.toString('utf8'),
            durationMs: performance.now() - startedAt,
          });
        });
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy(new Error(`no answer within ${timeoutMs} ms to ${raw.method} ${raw.path.slice(0, 200)}`));
    }, timeoutMs);
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end(body);
  });
}

/** Frees the keep-alive sockets so the test process can end. */
export function closeRawConnections(): void {
  agent.destroy();
}

function jsonObject(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`${what}: the body is not JSON: ${text.slice(0, 300)}`);
  }
  assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `${what}: the body is not a JSON object`);
  return parsed as Record<string, unknown>;
}

const XML_TEXT = /^(?:[^<&]|&(?:amp|lt|gt|quot|apos|#x[0-9A-Fa-f]+|#\d+);)*$/;

function xmlText(value: string, what: string): string {
  assert.match(value, XML_TEXT, `${what}: text holds a raw < or an undefined entity`);
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9A-Fa-f]+);/g, (_match, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_match, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&amp;/g, '&');
}

/**
 * Asserts the answer is a well-formed AWS error of `protocol` and returns its code and message:
 * JSON 1.0/1.1: the matching content type and a JSON object with a string __type and message;
 * rest-json: an x-amzn-ErrorType header and a JSON object with message (or Message);
 * query: a text/xml <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
 */
export function assertAwsError(protocol: WireProtocol, response: RawResponse, context = ''): AwsErrorFacts {
  const what = `${context} (HTTP ${response.status})`.trim();
  assert.ok(response.status >= 400 && response.status <= 599, `${what}: not an error status`);
  assert.ok(response.headers['x-amzn-requestid'], `${what}: no x-amzn-RequestId header`);
  switch (protocol) {
    case 'json-1.0':
    case 'json-1.1': {
      assert.equal(response.headers['content-type'], `application/x-amz-${protocol}`, `${what}: content type`);
      const body = jsonObject(response.text, what);
      assert.equal(typeof body.__type, 'string', `${what}: no __type in ${response.text.slice(0, 300)}`);
      assert.equal(typeof body.message, 'string', `${what}: no message in ${response.text.slice(0, 300)}`);
      const type = body.__type as string;
      return { code: type.slice(type.indexOf('#') + 1), message: body.message as string };
    }
    case 'rest-json': {
      const code = response.headers['x-amzn-errortype'];
      assert.ok(code, `${what}: no x-amzn-ErrorType header`);
      const body = jsonObject(response.text, what);
      const message = body.message ?? body.Message;
      assert.equal(typeof message, 'string', `${what}: no message in ${response.text.slice(0, 300)}`);
      return { code: code.split(':')[0]!, message: message as string };
    }
    case 'query': {
      assert.match(response.headers['content-type'] ?? '', /^text\/xml/, `${what}: content type`);
      const match =
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<ErrorResponse xmlns="[^"<>]+"><Error><Type>(Sender|Receiver)<\/Type><Code>([^<]+)<\/Code><Message>([^<]*)<\/Message>(?:<Detail\/>)?<\/Error><RequestId>([^<]+)<\/RequestId><\/ErrorResponse>$/.exec(
          response.text,
        );
      assert.ok(match, `${what}: not an XML ErrorResponse: ${response.text.slice(0, 300)}`);
      return { code: xmlText(match[2]!, what), message: xmlText(match[3]!, what) };
    }
  }
}

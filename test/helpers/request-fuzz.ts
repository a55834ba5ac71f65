// Whole-request fuzzing over raw sockets: methods, request-targets, Host, Content-Type, Content-Length lies,
// Transfer-Encoding oddities, half-closed and pipelined connections. Shared by the default suite and the stress run.
import fc from 'fast-check';
import { connect } from 'node:net';
import { SIGNED_SHAPE } from './raw-request.js';

export interface WireCase {
  /** The bytes sent on one connection: one request, or several pipelined. */
  bytes: Buffer;
  /** Requests that are complete and well framed: each must get its own answer. 0 when the framing is broken on purpose. */
  wellFramed: number;
  label: string;
}

export interface WireOutcome {
  statuses: number[];
  /** The answers' raw text, for the 5xx check. */
  text: string;
  /** The connection neither answered nor closed within the bound. */
  hung: boolean;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'X-WEIRD', 'get'];
const TARGETS = [
  '/', '//', '///', '%', '%zz', '/%zz', '/%00', '/%2e%2e/%2e%2e/etc/passwd', '/../..', '/./././', '*', 'http://x/y',
  'http://[::1', 'https://attacker.example/', '/?Action=ListStacks', '/?Action=CreateStack&X-Amz-Signature=x', '/?%zz=%',
  '/2015-03-31/functions/', '/2015-03-31/functions/%00/invocations', '/2015-03-31/functions/a%2Fb/invocations',
  '/2015-03-31/functions/x/invocations?Qualifier=%zz', '/_emulator/health', '/_emulator/../_emulator/health', '/_emulator/',
  '/000000000000/q', `/${'a'.repeat(8192)}`, `/?${'b='.repeat(2000)}`, '/\u00e9', '/;/', '/#frag',
];
const CONTENT_TYPES = [
  undefined, 'application/x-www-form-urlencoded', 'application/x-amz-json-1.0', 'application/x-amz-json-1.1',
  'application/json', 'text/plain', 'multipart/form-data; boundary=x', '', 'application/x-www-form-urlencoded; charset=utf-16',
];
const TARGET_HEADERS = [undefined, 'AmazonSQS.ListQueues', 'AmazonSQS.SendMessage', 'Logs_20140328.DescribeLogGroups', 'AmazonSQS.', 'valueOf', '__proto__.x'];
const BODIES = ['', '{}', '{"QueueUrl":1}', 'Action=ListStacks&Version=2010-05-15', 'Action=CreateStack&StackName=x', '{', '\u0000\u00ff', 'x'.repeat(3000)];

function hostValues(port: number): Array<string | undefined> {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `attacker.example:${port}`, '127.0.0.1', '', undefined, `[::1]:${port}`, `127.0.0.1:${port}, evil`];
}

function request(parts: {
  method: string;
  target: string;
  host: string | undefined;
  signed: boolean;
  contentType: string | undefined;
  amzTarget: string | undefined;
  body: string;
  framing: 'exact' | 'chunked' | 'short' | 'long' | 'bad-chunk' | 'both' | 'none';
}): { bytes: Buffer; wellFramed: boolean } {
  const body = Buffer.from(parts.body, 'utf8');
  const lines = [`${parts.method} ${parts.target} HTTP/1.1`];
  if (parts.host !== undefined) lines.push(`Host: ${parts.host}`);
  if (parts.signed) lines.push(`Authorization: ${SIGNED_SHAPE}`);
  if (parts.contentType !== undefined) lines.push(`Content-Type: ${parts.contentType}`);
  if (parts.amzTarget !== undefined) lines.push(`X-Amz-Target: ${parts.amzTarget}`);
  let payload: Buffer = body;
  const framed = (size: string, data: Buffer) => Buffer.concat([Buffer.from(`${size}\r\n`), data, Buffer.from(data.length ? '\r\n0\r\n\r\n' : '')]);
  switch (parts.framing) {
    case 'exact':
      lines.push(`Content-Length: ${body.length}`);
      break;
    case 'chunked':
      lines.push('Transfer-Encoding: chunked');
      payload = body.length ? framed(body.length.toString(16), body) : Buffer.from('0\r\n\r\n');
      break;
    case 'short':
      lines.push(`Content-Length: ${Math.max(0, body.length - 1)}`);
      break;
    case 'long':
      lines.push(`Content-Length: ${body.length + 10}`);
      break;
    case 'bad-chunk':
      lines.push('Transfer-Encoding: chunked');
      payload = framed('zz', body.length ? body : Buffer.from('x'));
      break;
    case 'both':
      lines.push('Transfer-Encoding: chunked', `Content-Length: ${body.length}`);
      payload = body.length ? framed(body.length.toString(16), body) : Buffer.from('0\r\n\r\n');
      break;
    case 'none':
      break;
  }
  // Only exact and chunked framing (or none, with no body) parse as a complete request with nothing left over, and
  // HTTP/1.1 needs a Host: without one Node answers 400 and closes the connection.
  const framedWell = parts.framing === 'exact' || parts.framing === 'chunked' || (parts.framing === 'none' && body.length === 0);
  const wellFramed = framedWell && !!parts.host;
  return { bytes: Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]), wellFramed };
}

/** One connection's worth of requests: mostly one odd request, sometimes several well-framed ones pipelined. */
export function wireCases(port: number): fc.Arbitrary<WireCase> {
  const one = fc.record({
    method: fc.oneof(fc.constantFrom(...METHODS), fc.stringMatching(/^[A-Z]{1,12}$/)),
    target: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TARGETS) }, fc.stringMatching(/^\/[\x21-\x7e]{0,60}$/)),
    host: fc.constantFrom(...hostValues(port)),
    signed: fc.boolean(),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    amzTarget: fc.constantFrom(...TARGET_HEADERS),
    body: fc.oneof(fc.constantFrom(...BODIES), fc.string({ maxLength: 200 })),
    framing: fc.constantFrom('exact', 'exact', 'exact', 'chunked', 'short', 'long', 'bad-chunk', 'both', 'none') as fc.Arbitrary<
      'exact' | 'chunked' | 'short' | 'long' | 'bad-chunk' | 'both' | 'none'
    >,
  });
  const single = one.map((parts) => {
    const built = request(parts);
    return { bytes: built.bytes, wellFramed: built.wellFramed ? 1 : 0, label: `${parts.method} ${parts.target.slice(0, 60)} (${parts.framing})` };
  });
  // Pipelined requests that HTTP itself accepts: a target the parser refuses (`%`, a raw non-ASCII byte) ends the
  // connection with its 400, leaving the rest unread by design.
  const parseable = TARGETS.filter((target) => /^\/[\x21-\x7e]*$/.test(target));
  const pipelined = fc.array(
    fc.tuple(one, fc.constantFrom(...parseable)).map(([parts, target]) => ({ ...parts, target, framing: 'exact' as const, method: 'POST', host: parts.host || `127.0.0.1:${port}` })),
    { minLength: 2, maxLength: 5 },
  ).map((list) => ({
    bytes: Buffer.concat(list.map((parts) => request(parts).bytes)),
    wellFramed: list.length,
    label: `${list.length} pipelined`,
  }));
  return fc.oneof({ weight: 4, arbitrary: single }, { weight: 1, arbitrary: pipelined });
}

/**
 * Sends the bytes, half-closes the connection (a client that has nothing more to say), and reads until the server
 * closes it. `boundMs` only decides when a silent connection counts as hung; nothing here measures speed.
 */
export function sendWire(port: number, bytes: Buffer, boundMs = 15_000): Promise<WireOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (hung: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
      resolve({ statuses, text, hung });
    };
    const timer = setTimeout(() => finish(true), boundMs);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** The answers that break the rules: a 5xx other than InternalFailure. */
export function unexplained5xx(outcome: WireOutcome): boolean {
  return outcome.statuses.some((status) => status >= 500) && !/InternalFailure/.test(outcome.text);
}

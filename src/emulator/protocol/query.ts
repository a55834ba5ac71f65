// AWS query protocol (CloudFormation, STS, SQS's older clients): form-encoded params in, XML out.
// Knows the wire format only: `member.N` lists, `entry.N.key/value` maps, <XResponse><XResult> wrappers.
import type { HttpResponse } from './http.js';
import type { ServiceError } from '../errors.js';

export type QueryParams = Record<string, unknown>;

/** The parameter tree while it is built: Maps, so no parameter name can reach Object.prototype. */
type QueryNode = Map<string, QueryNode | string>;

/**
 * Turns `Parameters.member.1.ParameterKey=a` into `{ Parameters: [{ ParameterKey: 'a' }] }`.
 * A numeric segment (with or without a `member` before it) becomes an array index, so SQS's flattened
 * `AttributeName.1=All` becomes `{ AttributeName: ['All'] }`; `entry.N.key/value` pairs become objects.
 */
export function parseQueryParams(form: URLSearchParams): QueryParams {
  const root: QueryNode = new Map();
  for (const [key, value] of form) {
    const segments = key.split('.').filter((segment) => segment !== 'member');
    // `__proto__.0=x` used to write into Object.prototype (found by test/reliability/fuzz.test.ts); no AWS member has
    // that name, so such a parameter is ignored like any unknown one.
    if (segments.includes('__proto__')) continue;
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      const child = node.get(segment);
      if (child instanceof Map) {
        node = child;
      } else {
        const created: QueryNode = new Map();
        node.set(segment, created);
        node = created;
      }
    }
    node.set(segments[segments.length - 1]!, value);
  }
  return mapEntries(plain(root)) as QueryParams;
}

// A node whose keys are all indexes becomes a dense array in index order. Indexes are sorted, never used as array
// positions: `member.4294967294` once built a sparse array that took minutes to walk (test/reliability/fuzz.test.ts).
function plain(node: QueryNode | string): unknown {
  if (typeof node === 'string') return node;
  const keys = [...node.keys()];
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((key) => plain(node.get(key)!));
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = plain(node.get(key)!);
  return out;
}

// `Attributes.entry.1.key=K&Attributes.entry.1.value=V` parses to { entry: [{ key, value }] }; make it { K: V }.
function mapEntries(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mapEntries);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'entry' && Array.isArray(record.entry)) {
    const out: Record<string, unknown> = {};
    for (const item of record.entry as Array<Record<string, unknown>>) {
      if (item && typeof item.key === 'string' && item.key !== '__proto__') out[item.key] = mapEntries(item.value);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = mapEntries(record[key]);
  return out;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#xD;');
}

/** Arrays become <member> items unless `flattened`, Dates ISO-8601 with milliseconds, undefined is left out. */
function toXml(name: string, value: unknown, options: { flattened?: boolean } = {}): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (options.flattened) return value.map((item) => toXml(name, item, options)).join('');
    return `<${name}>${value.map((item) => toXml('member', item, options)).join('')}</${name}>`;
  }
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => toXml(key, child, options))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export interface QueryDialect {
  /** e.g. http://cloudformation.amazonaws.com/doc/2010-05-15/ */
  xmlNamespace: string;
  /** SQS's query responses use flattened lists; CloudFormation and STS wrap them in <member>. */
  flattened?: boolean;
  /** SQS's error documents carry an empty <Detail/> after the message; CloudFormation's and STS's do not. */
  emptyDetail?: boolean;
}

export function renderQueryResult(
  operation: string,
  result: unknown,
  requestId: string,
  dialect: QueryDialect,
): HttpResponse {
  // An operation with an output shape answers <XResult/> even when empty (botocore looks the wrapper up by name and
  // fails with a KeyError without it, e.g. on ExecuteChangeSet); one without an output returns undefined.
  const body =
    result && typeof result === 'object'
      ? Object.keys(result).length > 0
        ? toXml(`${operation}Result`, result, { flattened: dialect.flattened })
        : `<${operation}Result/>`
      : '';
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${dialect.xmlNamespace}">` +
      `${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

export function renderQueryError(error: ServiceError, requestId: string, dialect: QueryDialect): HttpResponse {
  const code = error.queryCode ?? error.code;
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, ...error.headers },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${dialect.xmlNamespace}"><Error>` +
      `<Type>${error.sender ? 'Sender' : 'Receiver'}</Type><Code>${escapeXml(code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message>${dialect.emptyDetail ? '<Detail/>' : ''}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

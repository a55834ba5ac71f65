// Recorded AWS answers and the comparison that holds the emulator's answers against them, placeholders and all.
import { CloudFormationClient, CreateChangeSetCommand, DescribeStacksCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after } from 'node:test';
import type { EmulatorOptions } from '../../src/emulator/index.js';
import { TEST_CREDENTIALS, startTestEmulator } from '../helpers/emulator.js';

export interface RecordingSource {
  repository?: string;
  commit?: string;
  file?: string;
  test?: string;
  recordedDate?: string;
  url?: string;
}

interface RecordingFile {
  source: RecordingSource;
  entries: Record<string, unknown>;
}

/**
 * One recorded answer: `file` is under test/fidelity/recordings/, `test` the end of the recording's test id (e.g.
 * `test_invoke_exceptions`), `entry` the snapshot key. Returns the answer with its source, for the failure message.
 */
export function recorded(file: string, test: string, entry: string): { expected: unknown; source: RecordingSource } {
  const recordings = JSON.parse(readFileSync(new URL(`./recordings/${file}`, import.meta.url), 'utf8')) as RecordingFile[];
  const match = recordings.find((recording) => (recording.source.test ?? recording.source.url ?? '').endsWith(test));
  assert.ok(match, `no recording ${test} in ${file}`);
  assert.ok(entry in match.entries, `no entry ${entry} in ${file} ${test}`);
  return { expected: match.entries[entry], source: match.source };
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * What a snapshot placeholder may stand for. LocalStack's transformers replace ids, names and times with `<kind:n>`
 * (the same n is the same value throughout one test), `<kind>` (any value of that kind), or the bare words
 * `datetime`/`timestamp`/`date`; its account id is always 111111111111.
 */
function placeholderPattern(token: string): string {
  if (token === '111111111111') return '\\d{12}';
  const kind = /^<([^:>]+)/.exec(token)![1]!;
  const length = /^<[^:>]+:len\((\d+)\)>$/.exec(token)?.[1];
  if (length) return `.{${length}}`;
  if (kind === 'uuid' || kind === 'request-id') return UUID;
  if (kind === 'partition') return 'aws(?:-[a-z]+)*';
  if (kind === 'region') return '[a-z]{2}(?:-[a-z]+)+-\\d';
  if (kind === 'duration') return '\\d+(?:\\.\\d+)?';
  if (kind === 'memory') return '\\d+';
  return '.+?';
}

const TOKEN = /(<[a-z][a-z0-9-]*(?::[^<>\s]+)?>|111111111111)/g;

export class Comparison {
  /** `<uuid:1>` and friends: the value each numbered placeholder took the first time it matched. */
  private readonly bound = new Map<string, string>();

  constructor(
    private readonly source: RecordingSource,
    /** Paths (dot-separated, `*` for any array index) the recording leaves out or the scenario does not check, each with why. */
    private readonly skip: Record<string, string> = {},
  ) {}

  check(actual: unknown, expected: unknown, path = '$'): void {
    const where = `${path} (recorded in ${this.source.repository ?? ''} ${this.source.test ?? this.source.url ?? ''})`;
    if (this.skipped(path)) return;
    if (expected === 'datetime') {
      assert.ok(actual instanceof Date || (typeof actual === 'string' && !Number.isNaN(Date.parse(actual))), `${where}: a date-time, got ${String(actual)}`);
      return;
    }
    if (expected === 'timestamp') {
      assert.ok(/^\d{10,13}(\.\d+)?$/.test(String(actual)), `${where}: a timestamp, got ${String(actual)}`);
      return;
    }
    if (expected === 'date') {
      assert.ok(typeof actual === 'string' && !Number.isNaN(Date.parse(actual)), `${where}: a date string, got ${String(actual)}`);
      return;
    }
    if (actual instanceof Uint8Array) actual = new TextDecoder().decode(actual);
    if (expected !== null && typeof expected === 'object' && typeof actual === 'string') {
      // LocalStack's snapshots store JSON bodies and payloads parsed.
      try {
        actual = JSON.parse(actual);
      } catch {
        assert.fail(`${where}: recorded as JSON, got ${actual}`);
      }
    }
    if (Array.isArray(expected)) {
      assert.ok(Array.isArray(actual), `${where}: an array, got ${JSON.stringify(actual)}`);
      assert.equal(actual.length, expected.length, `${where}: ${expected.length} items, got ${JSON.stringify(actual)}`);
      for (const [index, item] of expected.entries()) this.check(actual[index], item, `${path}.${index}`);
      return;
    }
    if (expected !== null && typeof expected === 'object') {
      assert.ok(actual !== null && typeof actual === 'object', `${where}: an object, got ${JSON.stringify(actual)}`);
      const have = actual as Record<string, unknown>;
      const want = expected as Record<string, unknown>;
      const keys = (object: Record<string, unknown>) =>
        Object.keys(object).filter((key) => object[key] !== undefined && !this.skipped(`${path}.${key}`)).sort();
      assert.deepEqual(keys(have), keys(want), `${where}: the keys`);
      for (const key of keys(want)) this.check(have[key], want[key], `${path}.${key}`);
      return;
    }
    if (typeof expected === 'string') {
      this.checkString(actual, expected, where);
      return;
    }
    assert.deepEqual(actual, expected, where);
  }

  private checkString(actual: unknown, expected: string, where: string): void {
    assert.equal(typeof actual, 'string', `${where}: a string, got ${JSON.stringify(actual)}`);
    const parts = expected.split(TOKEN);
    const tokens: string[] = [];
    const pattern = parts
      .map((part, index) => {
        if (index % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        tokens.push(part);
        return `(${placeholderPattern(part)})`;
      })
      .join('');
    const match = new RegExp(`^${pattern}$`, 's').exec(actual as string);
    assert.ok(match, `${where}: ${JSON.stringify(actual)} does not have the recorded shape ${JSON.stringify(expected)}`);
    tokens.forEach((token, index) => {
      if (!/:\d+>$/.test(token)) return;
      const value = match[index + 1]!;
      const previous = this.bound.get(token);
      if (previous === undefined) this.bound.set(token, value);
      else assert.equal(value, previous, `${where}: ${token} stood for ${previous} earlier`);
    });
  }

  private skipped(path: string): boolean {
    return Object.keys(this.skip).some((pattern) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]+')}$`).test(path),
    );
  }
}

/** Checks one answer against one recording. */
export function matchesRecording(
  actual: unknown,
  recording: { expected: unknown; source: RecordingSource },
  skip: Record<string, string> = {},
  comparison = new Comparison(recording.source, skip),
): void {
  comparison.check(actual, recording.expected);
}

// ------------------------------------------------------------------------------------- the wire as botocore reads it

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The real SDK's HTTP handler, keeping the last raw response: LocalStack's recordings are botocore's reading of the
 * wire (top-level body keys, `QueryErrorCode`, `<Detail/>` as null), which the SDK v3 exception objects do not keep.
 */
export class RecordingHandler extends NodeHttpHandler {
  last: RawResponse | undefined;

  override async handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const result = await super.handle(...args);
    const chunks: Buffer[] = [];
    for await (const chunk of result.response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    this.last = { status: result.response.statusCode, headers: { ...result.response.headers } as Record<string, string>, body: body.toString('utf8') };
    result.response.body = Readable.from([body]);
    return result;
  }
}

/** A rest-json (Lambda) error as botocore reports it: Error.Code/Message plus every body key at the top level. */
export function restJsonError(raw: RawResponse, code: string): Record<string, unknown> {
  const body = JSON.parse(raw.body) as Record<string, unknown>;
  const message = (body.Message ?? body.message) as string;
  return { Error: { Code: code, Message: message }, ...body, ResponseMetadata: { HTTPStatusCode: raw.status, HTTPHeaders: {} } };
}

/** A JSON 1.0/1.1 error as botocore reports it, with the query-compatible code and type from x-amzn-query-error. */
export function awsJsonError(raw: RawResponse): Record<string, unknown> {
  const body = JSON.parse(raw.body) as Record<string, unknown>;
  const shape = String(body.__type ?? '').split('#').pop()!;
  const error: Record<string, unknown> = { Code: shape, Message: body.message ?? body.Message };
  const queryError = raw.headers['x-amzn-query-error'];
  if (queryError) {
    const [code, type] = queryError.split(';');
    Object.assign(error, { Code: code, QueryErrorCode: shape, Type: type });
  }
  return { Error: error, ResponseMetadata: { HTTPStatusCode: raw.status, HTTPHeaders: {} } };
}

/** A query-protocol error document as botocore reports it: every <Error> child, an empty one (<Detail/>) as null. */
export function queryError(raw: RawResponse): Record<string, unknown> {
  const inner = /<Error>([\s\S]*?)<\/Error>/.exec(raw.body)?.[1] ?? '';
  const error: Record<string, unknown> = {};
  for (const match of inner.matchAll(/<(\w+)\/>|<(\w+)>([\s\S]*?)<\/\2>/g)) {
    if (match[1]) error[match[1]] = null;
    else error[match[2]!] = unescapeXml(match[3]!);
  }
  return { Error: error, ResponseMetadata: { HTTPStatusCode: raw.status, HTTPHeaders: {} } };
}

/** A botocore-style success answer: the SDK output without $metadata, with the status as ResponseMetadata. */
export function answer(output: { $metadata: { httpStatusCode?: number } }): Record<string, unknown> {
  const { $metadata, ...rest } = output;
  return { ...rest, ResponseMetadata: { HTTPStatusCode: $metadata.httpStatusCode, HTTPHeaders: {} } };
}

export function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&amp;/g, '&');
}

/** Expects the call to fail and returns what it failed with. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  assert.fail('expected the call to fail');
}

// ------------------------------------------------------------------------------------------------ clients

/** The emulator on a free port and real SDK v3 clients whose raw responses the scenarios can read. */
export async function fidelityEmulator(options: EmulatorOptions = {}) {
  const emulator = await startTestEmulator(options);
  const handler = new RecordingHandler();
  const config = { endpoint: emulator.url, region: 'us-east-1', credentials: TEST_CREDENTIALS, requestHandler: handler, maxAttempts: 1 };
  const clients = {
    emulator,
    url: emulator.url,
    handler,
    cfn: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
    logs: new CloudWatchLogsClient(config),
    /** The raw answer to the last call made through these clients. */
    get raw(): RawResponse {
      assert.ok(handler.last, 'no response yet');
      return handler.last;
    },
  };
  after(() => {
    for (const client of [clients.cfn, clients.lambda, clients.sqs, clients.logs]) client.destroy();
  });
  return clients;
}

/** The lesson's stack as `deploy` makes it (templates/LambdaAsync.yaml through a CREATE change set, executed). */
export async function deployLesson(cfn: CloudFormationClient, stackName = 'LambdaAsync'): Promise<Record<string, string>> {
  const TemplateBody = readFileSync(new URL('../../templates/LambdaAsync.yaml', import.meta.url), 'utf8');
  const { Id } = await cfn.send(
    new CreateChangeSetCommand({ StackName: stackName, ChangeSetName: 'lesson', ChangeSetType: 'CREATE', TemplateBody, Capabilities: ['CAPABILITY_IAM'] }),
  );
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  assert.equal(Stacks?.[0]?.StackStatus, 'CREATE_COMPLETE');
  return Object.fromEntries(Stacks![0]!.Outputs!.map((output) => [output.OutputKey!, output.OutputValue!]));
}

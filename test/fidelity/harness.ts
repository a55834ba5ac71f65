// Held against recorded AWS answers: scenarios drive the emulator with boto3 (the client the recordings were taken
// with, so both sides are parsed alike) and compare what it returns to the recording, key for key.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

export interface Recording {
  source: { repository: string; commit: string; file: string; test: string; recorded: string };
  recorded: Record<string, unknown>;
}

/** The recordings of one area (test/fidelity/recordings/<area>.json), by scenario name. */
export function recordings(area: string): Record<string, Recording> {
  return JSON.parse(readFileSync(new URL(`./recordings/${area}.json`, import.meta.url), 'utf8')) as Record<string, Recording>;
}

/** Why boto3 cannot be used here, or undefined when it can. */
export async function boto3Unavailable(): Promise<string | undefined> {
  try {
    await promisify(execFile)('python3', ['-c', 'import boto3'], { timeout: 30_000 });
    return undefined;
  } catch {
    return 'boto3 is not installed for python3 (pip install boto3): the recordings are compared through it';
  }
}

const PRELUDE = `
import json, boto3, datetime
from botocore.config import Config
from botocore.exceptions import ClientError
session = boto3.session.Session(aws_access_key_id='test', aws_secret_access_key='test', region_name='us-east-1')
config = Config(retries={'max_attempts': 1})
def client(name): return session.client(name, endpoint_url=ENDPOINT, config=config)
sqs, cfn, lam = client('sqs'), client('cloudformation'), client('lambda')
out = {}
def error(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as e:
        return e.response
    raise AssertionError('expected an error')
`;

/** Runs a boto3 script against the endpoint; the script fills `out`, which comes back as JSON (datetimes as "datetime"). */
export async function withBoto3(endpoint: string, script: string): Promise<Record<string, unknown>> {
  const program = `ENDPOINT = ${JSON.stringify(endpoint)}\n${PRELUDE}\n${script}\nprint(json.dumps(out, default=lambda value: 'datetime' if isinstance(value, (datetime.datetime, datetime.date)) else str(value)))`;
  const { stdout } = await promisify(execFile)('python3', ['-c', program], {
    timeout: 60_000,
    env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

const PLACEHOLDER = /<[a-z0-9-]+(?::\d+)?>/g;

function patternOf(recorded: string): RegExp {
  const escaped = recorded.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<[a-z0-9-]+(?::\d+)?>/g, '.+').replace(/111111111111/g, '\\d{12}');
  return new RegExp(`^${escaped}$`);
}

/**
 * Where `actual` differs from `recorded`: the same keys (none missing, none extra), the same values, where a masked
 * value (`<uuid:1>`, `arn:<partition>:...`, `datetime`) must be present and of that shape, and one placeholder stands
 * for one value throughout. ResponseMetadata is compared by its status code only.
 */
export function differences(actual: unknown, recorded: unknown, path = '$', seen = new Map<string, unknown>()): string[] {
  if (typeof recorded === 'string') {
    if (recorded === 'datetime' || recorded === 'date') return actual === 'datetime' || typeof actual === 'string' ? [] : [`${path}: expected a date, got ${JSON.stringify(actual)}`];
    if (/^<[a-z0-9-]+(?::\d+)?>$/.test(recorded)) {
      if (actual === undefined || actual === null || actual === '') return [`${path}: expected a value for ${recorded}, got ${JSON.stringify(actual)}`];
      if (/:\d+>$/.test(recorded)) {
        if (seen.has(recorded) && seen.get(recorded) !== actual) return [`${path}: ${recorded} stood for ${JSON.stringify(seen.get(recorded))} before, now ${JSON.stringify(actual)}`];
        seen.set(recorded, actual);
      }
      return [];
    }
    if (PLACEHOLDER.test(recorded) || recorded.includes('111111111111')) {
      PLACEHOLDER.lastIndex = 0;
      return typeof actual === 'string' && patternOf(recorded).test(actual) ? [] : [`${path}: expected the shape ${recorded}, got ${JSON.stringify(actual)}`];
    }
    return actual === recorded ? [] : [`${path}: expected ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(recorded)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, got ${JSON.stringify(actual)}`];
    if (actual.length !== recorded.length) return [`${path}: expected ${recorded.length} items, got ${actual.length}`];
    return recorded.flatMap((item, index) => differences(actual[index], item, `${path}[${index}]`, seen));
  }
  if (recorded !== null && typeof recorded === 'object') {
    // A JSON body the recording's transformer parsed: parse ours the same way.
    if (typeof actual === 'string') {
      try {
        return differences(JSON.parse(actual), recorded, path, seen);
      } catch {
        return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
      }
    }
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const wanted = recorded as Record<string, unknown>;
    const got = actual as Record<string, unknown>;
    if (path.endsWith('.ResponseMetadata')) return differences(got.HTTPStatusCode, wanted.HTTPStatusCode, `${path}.HTTPStatusCode`, seen);
    const problems: string[] = [];
    for (const key of Object.keys(wanted)) {
      if (!(key in got)) problems.push(`${path}.${key}: missing (recorded ${JSON.stringify(wanted[key])})`);
      else problems.push(...differences(got[key], wanted[key], `${path}.${key}`, seen));
    }
    for (const key of Object.keys(got)) if (!(key in wanted)) problems.push(`${path}.${key}: not in the recording (got ${JSON.stringify(got[key])})`);
    return problems;
  }
  return actual === recorded ? [] : [`${path}: expected ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`];
}

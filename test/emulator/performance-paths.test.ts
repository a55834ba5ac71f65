// The emulator's fast paths keep AWS's behaviour: spare runtimes for cold starts, background saves of function logs.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { NO_PYTHON_REASON, python312 } from '../helpers/python.js';

const interpreter = python312();
// The emulator runs in this process: it finds the interpreter through the variable a user would set.
if (interpreter) process.env.LAMBDA_ASYNC_DEMO_PYTHON = interpreter;

const env: TestEmulator = await startTestEmulator();
const { emulator } = env.running;
const role = emulator.iam.createRole({ RoleName: 'spare-role' });
const scratch = mkdtempSync(join(tmpdir(), 'lad-fast-paths-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function createFunction(name: string, code: string, variables: Record<string, string> = {}, runtime = 'nodejs24.x'): void {
  emulator.lambda.createFunction({
    FunctionName: name,
    Runtime: runtime,
    Handler: runtime.startsWith('python') ? 'index.lambda_handler' : 'index.handler',
    Role: role.Arn,
    Code: { ZipFile: code },
    Timeout: 5,
    Environment: { Variables: variables },
  });
}

async function invoke(name: string): Promise<Record<string, unknown>> {
  const output = await env.lambda.send(new InvokeCommand({ FunctionName: name }));
  assert.equal(output.FunctionError, undefined, new TextDecoder().decode(output.Payload));
  return JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, unknown>;
}

test('a cold start on the spare runtime runs in its function environment and code directory, with no trace of the spare', async () => {
  // Creating a function forks the spare runtime; the first invoke is a cold start that claims it.
  createFunction('on-spare', 'exports.handler = async () => ({ env: { ...process.env }, cwd: process.cwd(), pid: process.pid });', {
    GREETING: 'hello',
  });
  const first = await invoke('on-spare');
  const seen = first.env as Record<string, string>;
  assert.equal(seen.GREETING, 'hello');
  assert.equal(seen.AWS_LAMBDA_FUNCTION_NAME, 'on-spare');
  assert.equal(seen.LAMBDA_ASYNC_DEMO_SPARE_RUNTIME, undefined);
  assert.equal(first.cwd, seen.LAMBDA_TASK_ROOT);

  // A second function's cold start gets a runtime of its own, with its own environment.
  createFunction('on-next-spare', 'exports.handler = async () => ({ name: process.env.AWS_LAMBDA_FUNCTION_NAME, pid: process.pid });');
  const second = await invoke('on-next-spare');
  assert.equal(second.name, 'on-next-spare');
  assert.notEqual(second.pid, first.pid);
});

test('a function that sets NODE_OPTIONS gets a fresh runtime, which honours it', async () => {
  // Node reads NODE_OPTIONS only as it starts: a spare forked earlier could not apply it.
  createFunction('small-heap', "exports.handler = async () => ({ limit: require('node:v8').getHeapStatistics().heap_size_limit });", {
    NODE_OPTIONS: '--max-old-space-size=64',
  });
  const { limit } = await invoke('small-heap');
  assert.ok((limit as number) < 200 * 1024 * 1024, `heap limit ${limit} bytes: NODE_OPTIONS was not applied`);
});



/** This process's children now: the runtime processes the emulator started. */
function childPids(): Set<number> {
  const children = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) children.add(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

test('a Python cold start runs on the interpreter started when the function was created, in its own environment and directory', { skip: interpreter ? (process.platform === 'linux' ? false : 'needs /proc') : NO_PYTHON_REASON }, async () => {
  createFunction(
    'py-on-spare',
    'import os, sys\ndef lambda_handler(event, context):\n    return {"env": dict(os.environ), "cwd": os.getcwd(), "path0": sys.path[0], "pid": os.getpid()}\n',
    { GREETING: 'hello' },
    'python3.12',
  );
  // createFunction started the spare interpreter (synchronously): it is among this process's children already.
  const startedBefore = childPids();
  const first = await invoke('py-on-spare');
  assert.ok(startedBefore.has(first.pid as number), `pid ${first.pid} was started for the invoke, not before it`);
  const seen = first.env as Record<string, string>;
  assert.equal(seen.GREETING, 'hello');
  assert.equal(seen.AWS_LAMBDA_FUNCTION_NAME, 'py-on-spare');
  assert.equal(seen.LAMBDA_ASYNC_DEMO_SPARE_RUNTIME, undefined);
  assert.equal(first.cwd, seen.LAMBDA_TASK_ROOT);
  assert.equal(first.path0, seen.LAMBDA_TASK_ROOT);
});

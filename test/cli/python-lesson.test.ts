// The lesson in Python as a user runs it: `run --runtime python`, and `deploy --runtime python` then the steps, which
// follow the deployed runtime (step 2 checks Python's error shape).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSandbox } from '../helpers/local-cli.js';
import { NO_PYTHON_REASON, python312 } from '../helpers/python.js';

const PYTHON = python312();
const SKIP = PYTHON ? false : NO_PYTHON_REASON;
const PYTHON_STEP_2 = 'HTTP 200 and FunctionError Unhandled, payload errorType Exception + errorMessage + a stackTrace list';

test('run --runtime python passes all six steps, step 2 on the Python error shape', { skip: SKIP }, async () => {
  const sandbox = await createSandbox();
  const outcome = await sandbox.cli(['run', '--runtime', 'python', '--json', '--retry-delays', '0.05,0.1'], { env: { LAMBDA_ASYNC_DEMO_PYTHON: PYTHON } });
  assert.equal(outcome.code, 0, outcome.stderr);
  const report = JSON.parse(outcome.stdout) as { ok: boolean; steps: Array<{ status: string; expected: string; observed: string }> };
  assert.deepEqual(report.steps.map((step) => step.status), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
  assert.equal(report.steps[1]!.expected, PYTHON_STEP_2);
  assert.match(report.steps[1]!.observed, /Exception: The event has no name: "name" is None or empty/);
});

test('deploy --runtime python, then step 2 and step 5 follow the deployed Python function', { skip: SKIP }, async () => {
  const sandbox = await createSandbox();
  const env = { LAMBDA_ASYNC_DEMO_PYTHON: PYTHON };
  assert.equal((await sandbox.cli(['local', 'start', '-d', '--retry-delays', '0.05,0.1'], { env })).code, 0);
  const deploy = await sandbox.cli(['deploy', '--runtime', 'python'], { env });
  assert.equal(deploy.code, 0, deploy.stderr);
  const step2 = await sandbox.cli(['step', '2', '--json'], { env });
  assert.equal(step2.code, 0, step2.stderr);
  assert.equal(JSON.parse(step2.stdout).steps[0].expected, PYTHON_STEP_2);
  for (const id of ['3', '4', '5', '6']) {
    const step = await sandbox.cli(['step', id], { env });
    assert.equal(step.code, 0, `step ${id}: ${step.stdout}${step.stderr}`);
  }
});

test('--runtime accepts nodejs and python only', async () => {
  const sandbox = await createSandbox();
  const outcome = await sandbox.cli(['run', '--runtime', 'ruby']);
  assert.equal(outcome.code, 2);
  assert.match(outcome.stderr, /ruby.*nodejs, python|Allowed choices are nodejs, python/);
});

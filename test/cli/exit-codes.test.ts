// The one table from what happened to the exit code the README promises: failure kinds and command outcomes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode, exitCodeFor, exitCodeOfOutcome } from '../../src/cli/exit-codes.js';
import { DemoError, environmentError, usageError } from '../../src/errors.js';

test('each failure kind has its exit code: usage 2, environment 3, interrupted 130', () => {
  assert.equal(exitCodeFor(usageError('bad')), 2);
  assert.equal(exitCodeFor(environmentError('down')), 3);
  assert.equal(exitCodeFor(new DemoError('interrupted', 'Interrupted.')), 130);
  assert.equal(exitCodeFor('environment'), ExitCode.environment);
});

test('each command outcome has its exit code: ok 0, a failed check or a leftover 1, an unhealthy server 3', () => {
  assert.equal(exitCodeOfOutcome('ok'), 0);
  assert.equal(exitCodeOfOutcome('checks-failed'), 1);
  assert.equal(exitCodeOfOutcome('left-behind'), 1);
  assert.equal(exitCodeOfOutcome('unhealthy'), 3);
});

// The services' shared input checks: one helper each, throwing whichever errors the calling service passes in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type IntegerRule, optionalInteger, optionalString, requiredString, type StringErrors, shown } from '../../src/emulator/services/validation.js';

class Missing extends Error {}
class NotString extends Error {}
class Invalid extends Error {}

const STRICT: StringErrors = { missing: (name) => new Missing(name), notString: (_value, name) => new NotString(name) };
const EMPTY_IS_MISSING: StringErrors = { ...STRICT, emptyIsMissing: true };

test('shown: strings as they are, anything else as bounded JSON, and never a throw', () => {
  assert.equal(shown('text'), 'text');
  assert.equal(shown(42), '42');
  assert.equal(shown({ a: [1] }), '{"a":[1]}');
  assert.equal(shown(undefined), 'undefined');
  assert.equal(shown('x'.repeat(300)).length, 300);
  assert.equal(shown(['y'.repeat(300)]).length, 256);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(shown(cyclic), 'object');
  let deep: unknown[] = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(shown(deep), 'object');
});

test('requiredString: missing, not a string, and the empty string as each service counts it', () => {
  assert.equal(requiredString('name', 'Field', STRICT), 'name');
  assert.throws(() => requiredString(undefined, 'Field', STRICT), Missing);
  assert.throws(() => requiredString(null, 'Field', STRICT), Missing);
  assert.throws(() => requiredString(5, 'Field', STRICT), NotString);
  assert.equal(requiredString('', 'Field', STRICT), '');
  assert.throws(() => requiredString('', 'Field', EMPTY_IS_MISSING), Missing);
  assert.throws(() => requiredString({}, 'Field', EMPTY_IS_MISSING), (error: unknown) => error instanceof NotString && error.message === 'Field');
});

test('optionalString: absent is undefined, another type is the service error', () => {
  assert.equal(optionalString(undefined, 'Field', STRICT), undefined);
  assert.equal(optionalString(null, 'Field', STRICT), undefined);
  assert.equal(optionalString('v', 'Field', STRICT), 'v');
  assert.throws(() => optionalString(true, 'Field', STRICT), NotString);
});

test('optionalInteger: JSON numbers always, digits only where allowed, and the range', () => {
  const numbersOnly: IntegerRule = { invalid: (_value, name) => new Invalid(name) };
  const ranged: IntegerRule = { min: 1, max: 10, digitsAllowed: true, invalid: (value) => new Invalid(String(value)) };
  assert.equal(optionalInteger(undefined, 'n', numbersOnly), undefined);
  assert.equal(optionalInteger(null, 'n', numbersOnly), undefined);
  assert.equal(optionalInteger(-7, 'n', numbersOnly), -7);
  assert.throws(() => optionalInteger('7', 'n', numbersOnly), Invalid);
  assert.throws(() => optionalInteger(1.5, 'n', numbersOnly), Invalid);
  assert.throws(() => optionalInteger(Number.NaN, 'n', numbersOnly), Invalid);
  assert.equal(optionalInteger('7', 'n', ranged), 7);
  assert.equal(optionalInteger(10, 'n', ranged), 10);
  assert.throws(() => optionalInteger(0, 'n', ranged), Invalid);
  assert.throws(() => optionalInteger('11', 'n', ranged), Invalid);
  assert.throws(() => optionalInteger('7.0', 'n', ranged), Invalid);
  assert.throws(() => optionalInteger(' 7', 'n', ranged), Invalid);
});

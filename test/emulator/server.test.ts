// The emulator's front door: health, unknown operations and protocols answer with well-formed errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestEmulator } from '../helpers/emulator.js';
import { SIGNED_SHAPE } from '../helpers/raw-request.js';

test('health endpoint answers with status ok', async () => {
  const { url } = await startTestEmulator();
  const response = await fetch(`${url}/_emulator/health`);
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { status: string }).status, 'ok');
});

test('the emulator binds 127.0.0.1 by default', async () => {
  const { running } = await startTestEmulator();
  assert.equal(running.host, '127.0.0.1');
  assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('an unknown JSON target gets a 400 with a __type, not a crash', async () => {
  const { url } = await startTestEmulator();
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: SIGNED_SHAPE, 'x-amz-target': 'Nope_2020.DoThing', 'content-type': 'application/x-amz-json-1.1' },
    body: '{}',
  });
  assert.equal(response.status, 400);
  assert.match(await response.text(), /UnknownOperationException/);
});

test('an unknown query action gets an XML ErrorResponse with InvalidAction', async () => {
  const { url } = await startTestEmulator();
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: SIGNED_SHAPE, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=FlyToTheMoon&Version=2010-05-15',
  });
  assert.equal(response.status, 400);
  const body = await response.text();
  assert.match(body, /<ErrorResponse/);
  assert.match(body, /<Code>InvalidAction<\/Code>/);
});

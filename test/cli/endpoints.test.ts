// Faulty endpoints as a user meets them: one that accepts and never answers, and a web server where AWS should be.
// Each ends in one sentence, a hint and exit 3: never a hang, never a parser's message.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { createSandbox } from '../helpers/local-cli.js';

/** Accepts every connection and never says a word. */
const sockets = new Set<Socket>();
const silent = createServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => {});
});
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;

/** A web server: every request gets an HTML page. */
const web = createHttpServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'text/html' });
  response.end('<!doctype html><html><head><meta charset="utf-8"><title>Hello</title></head><body>It works</body></html>');
});
await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
const webUrl = `http://127.0.0.1:${(web.address() as { port: number }).port}`;

after(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
  web.close();
});

for (const command of [['run'], ['step', '1'], ['outputs'], ['deploy'], ['teardown', '--yes']]) {
  test(`${command.join(' ')} against an endpoint that accepts and never answers: exit 3 with one sentence, no hang`, async () => {
    const sandbox = await createSandbox();
    const outcome = await sandbox.cli([...command, '--endpoint-url', silentUrl], { timeoutMs: 45_000 });
    assert.equal(outcome.signal, null, 'the command hung and was killed');
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(outcome.stderr, new RegExp(`✖ Cannot reach ${silentUrl.replace(/\./g, '\\.')} \\(ETIMEDOUT\\)\\.\\n  Hint: `));
  });
}

test('run against a web server says it does not answer like AWS, never an XML parser message', async () => {
  const sandbox = await createSandbox();
  const outcome = await sandbox.cli(['run', '--endpoint-url', webUrl], { timeoutMs: 45_000 });
  assert.equal(outcome.code, 3, outcome.stderr);
  assert.match(outcome.stderr, new RegExp(`${webUrl.replace(/\./g, '\\.')} does not answer like an AWS endpoint`));
  assert.match(outcome.stderr, /Hint: Check that .* is an AWS-compatible endpoint/);
  assert.doesNotMatch(outcome.stderr, /XML parse error|mismatched tags|Deserialization/);
});

// Whole requests fuzzed over raw sockets (methods, request-targets, Host, Content-Type, Content-Length lies,
// Transfer-Encoding, half-closed and pipelined connections): every well-framed request is answered, nothing hangs, no
// 5xx but an InternalFailure the log explains, and the server still serves the lesson afterwards.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { startTestEmulator } from '../helpers/emulator.js';
import { runLessonCheck } from '../helpers/lesson-check.js';
import { guarded } from '../../src/emulator/fault.js';
import { sendWire } from '../helpers/request-fuzz.js';
import { fuzzRequests } from '../helpers/request-fuzz-run.js';

const RUNS = Number(process.env.REQUEST_FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);

test(`${RUNS} fuzzed connections: all answered or closed, none hung, no unexplained 5xx, and the lesson still passes`, async () => {
  const serverLog: string[] = [];
  const env = await startTestEmulator({ log: (line) => serverLog.push(line) });
  const tally = await fuzzRequests(env.running.port, RUNS, SEED);
  console.log(`# request fuzz: ${tally.connections} connections, ${tally.requests} requests, ${tally.answered} answers, ${tally.hung.length} hung, ${tally.internalFailures} InternalFailure`);
  assert.deepEqual(tally.hung, []);
  assert.deepEqual(tally.unanswered, []);
  assert.deepEqual(tally.unexplained, []);
  assert.equal(serverLog.filter((line) => line.startsWith('InternalFailure on ')).length, tally.internalFailures);
  await runLessonCheck(env);
});

test('a request sent one byte at a time is answered, while a half-sent request idles beside it', async () => {
  const env = await startTestEmulator();
  const idle = connect({ port: env.running.port, host: '127.0.0.1' });
  idle.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${env.running.port}\r\nContent-Length: 100\r\n\r\n{"half":`);
  const bytes = Buffer.from(`GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1:${env.running.port}\r\nConnection: close\r\n\r\n`);
  const answer = await new Promise<string>((resolve, reject) => {
    const slow = connect({ port: env.running.port, host: '127.0.0.1' });
    let text = '';
    slow.on('data', (chunk: Buffer) => (text += chunk.toString()));
    slow.on('close', () => resolve(text));
    slow.on('error', reject);
    slow.on('connect', async () => {
      for (const byte of bytes) {
        slow.write(Buffer.from([byte]));
        await new Promise((next) => setImmediate(next));
      }
    });
  });
  idle.destroy();
  assert.match(answer, /^HTTP\/1\.1 200 /);
});

test('a complete request followed on its connection by bytes that are no request gets its answer, then 400 and close', async () => {
  const env = await startTestEmulator();
  const port = env.running.port;
  const request = `GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
  const outcome = await sendWire(port, Buffer.from(`${request}NOT A REQUEST AT ALL\r\n\r\n`));
  assert.deepEqual(outcome.statuses, [200, 400]);
  assert.equal(outcome.hung, false);
});

test('CONNECT is answered 405 and logged (the emulator is no proxy), and the server goes on serving', async () => {
  const logged: string[] = [];
  const env = await startTestEmulator({ log: (line) => logged.push(line) });
  const port = env.running.port;
  const outcome = await sendWire(port, Buffer.from('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
  assert.deepEqual(outcome.statuses, [405]);
  assert.ok(logged.some((line) => line === 'refused CONNECT example.com:443: the emulator is not a proxy'), logged.join('\n'));
  const after = await sendWire(port, Buffer.from(`GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
  assert.deepEqual(after.statuses, [200]);
});

test('a timer that throws is reported and the server keeps serving', async () => {
  const env = await startTestEmulator();
  const written: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    setTimeout(guarded('a test timer', () => {
      throw new Error('boom in a timer');
    }), 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.stderr.write = write;
  }
  assert.ok(written.some((line) => line.includes('internal failure in a test timer: Error: boom in a timer')), written.join(''));
  const health = await sendWire(env.running.port, Buffer.from(`GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1:${env.running.port}\r\n\r\n`));
  assert.deepEqual(health.statuses, [200]);
});

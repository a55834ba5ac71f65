// The servers the bench talks to: ours (`local start -d`, or the bare emulator in a process of its own) and moto.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, runTimed, stopChild, waitUntil } from './processes.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'lambda-async-demo.js');

/**
 * The package as `npm install` lays it out: `npm pack` extracted, beside the dependencies (this checkout's
 * node_modules, linked: what an install adds, where the function runtime finds the AWS SDK). Its bin/ runs the bundle
 * directly, without the checkout's look at the sources (scripts/bundle.mjs ensureBuilt, for a clone's first start).
 */
export function installedPackage() {
  const dir = temporaryDir('installed');
  const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr.trim().split('\n').slice(-2).join(' / ')}`);
  // Some npm versions print the prepack script's banner on stdout too: the report starts at its opening bracket.
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m)));
  const extracted = spawnSync('tar', ['-xzf', join(dir, filename), '-C', dir], { encoding: 'utf8' });
  if (extracted.status !== 0) throw new Error(`could not extract ${filename}: ${extracted.stderr.trim()}`);
  const root = join(dir, 'package');
  mkdirSync(root, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { bin: join(root, 'bin', 'lambda-async-demo.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A bench-private state directory and port, so no user's running server is ever touched or used. */
export function isolatedEnv(stateDir, port) {
  return {
    ...process.env,
    NO_COLOR: '1',
    LAMBDA_ASYNC_DEMO_STATE_DIR: stateDir,
    LAMBDA_ASYNC_DEMO_PORT: String(port),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  };
}

export function temporaryDir(label) {
  return mkdtempSync(join(tmpdir(), `lambda-async-demo-bench-${label}-`));
}

/**
 * The cheapest real API call, SQS ListQueues over JSON 1.0 with no SDK in the way, so "first answer" measures the
 * server, not the client's first-call set-up. Resolves true on HTTP 200 (on any answer with anyStatus).
 */
export function listQueuesAnswers(url, { anyStatus = false } = {}) {
  return new Promise((resolve) => {
    const req = request(
      `${url}/`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AmazonSQS.ListQueues',
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(anyStatus || response.statusCode === 200));
      },
    );
    req.on('error', () => resolve(false));
    req.end('{}');
  });
}

/** Does this build have `local start -d`? Another part of the project adds it; the bench says so when it is missing. */
export function localServerCommand() {
  const help = spawnSync(process.execPath, [BIN, 'local', 'start', '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (help.status !== 0) return { available: false, reason: '`lambda-async-demo local start` is not in this build yet' };
  if (!/(^|\s)-d\b|--detach/.test(help.stdout)) return { available: false, reason: '`local start` has no -d (detach) option in this build' };
  return { available: true };
}

/** Our server as users run it: `local start -d`, persisting every acknowledged change to its state directory. */
export async function startLocalServer() {
  const port = await freePort();
  const stateDir = temporaryDir('server');
  const url = `http://127.0.0.1:${port}`;
  const env = isolatedEnv(stateDir, port);
  const started = await runTimed(process.execPath, [BIN, 'local', 'start', '-d', '--port', String(port), '--state-dir', stateDir], { env });
  if (started.code !== 0) throw new Error(`local start -d failed (exit ${started.code}): ${started.stderr.trim()}`);
  await waitUntil(() => listQueuesAnswers(url), { what: `the server on ${url}` });
  return {
    url,
    kind: '`local start -d` server, durable',
    async stop() {
      await runTimed(process.execPath, [BIN, 'local', 'stop', '--state-dir', stateDir], { env });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A node script of ours serving on a fresh port; resolves once it answers. */
async function startScript(script, label) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'lib', script), String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitUntil(() => listQueuesAnswers(url, { anyStatus: true }), { what: `${label} on ${url}` });
  return { url, stop: () => stopChild(child) };
}

/** The emulator in memory, in a process of its own: what `run` embeds, and a like-for-like match for moto. */
export async function startMemoryEmulator() {
  const { url, stop } = await startScript('emulator-process.mjs', 'the emulator');
  await waitUntil(() => listQueuesAnswers(url), { what: `the emulator on ${url}` });
  return { url, kind: 'emulator in memory, own process', stop };
}

/** Fixed answers for SendMessage and Invoke (canned-server.mjs): what the SDK client costs on its own. */
export async function startCannedServer() {
  return startScript('canned-server.mjs', 'the canned server');
}

/** moto is a Python package; the bench compares against it where it is installed. */
export function motoAvailability() {
  const probe = spawnSync('python3', ['-c', 'import moto.server, flask; print(moto.__version__)'], { encoding: 'utf8' });
  if (probe.error) return { available: false, reason: 'python3 is not installed' };
  if (probe.status !== 0) return { available: false, reason: 'moto (with its server extra) is not installed: pip install "moto[server]"' };
  return { available: true, version: probe.stdout.trim() };
}

export async function startMoto() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await waitUntil(() => listQueuesAnswers(url), { what: `moto on ${url}`, intervalMs: 50, timeoutMs: 60_000 });
  return {
    url,
    async stop() {
      await stopChild(child);
    },
  };
}

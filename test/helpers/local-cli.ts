// The built CLI spawned as a user runs it, inside a sandbox: a temp state dir, a free port, no colour, servers stopped after.
// Needs `npm run build` first (the test script runs it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

export const BIN = fileURLToPath(new URL('../../bin/lambda-async-demo.js', import.meta.url));

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A port nothing listens on right now: bound to 0, read, released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Sandbox {
  stateDir: string;
  port: number;
  url: string;
  env: NodeJS.ProcessEnv;
  /** Runs the CLI to its end (killed after `timeoutMs`). */
  cli(args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliOutcome>;
  /** The pid in the state dir's pid file, if any. */
  serverPid(): number | undefined;
  /** Stops whatever server the pid file names (SIGTERM, then SIGKILL) and waits until it is gone. */
  stopServer(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (exited, not reaped yet) is gone for our purposes.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/**
 * A temp state dir and a free port, passed through the environment (LAMBDA_ASYNC_DEMO_STATE_DIR/_PORT) so no command
 * ever touches the default port or the user's home. Every server is stopped and the dir removed after the file.
 */
export async function createSandbox(): Promise<Sandbox> {
  const stateDir = mkdtempSync(join(tmpdir(), 'lambda-async-demo-test-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    LAMBDA_ASYNC_DEMO_STATE_DIR: stateDir,
    LAMBDA_ASYNC_DEMO_PORT: String(port),
  };
  delete env.FORCE_COLOR;
  delete env.LAMBDA_ASYNC_DEMO_TARGET;
  delete env.CI;

  const serverPid = (): number | undefined => {
    try {
      return (JSON.parse(readFileSync(join(stateDir, 'server.json'), 'utf8')) as { pid: number }).pid;
    } catch {
      return undefined;
    }
  };

  const sandbox: Sandbox = {
    stateDir,
    port,
    url: `http://127.0.0.1:${port}`,
    env,
    cli(args, options = {}) {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: tmpdir(),
        env: { ...env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      return new Promise((resolve) => {
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr });
        });
      });
    },
    serverPid,
    async stopServer() {
      const pid = serverPid();
      if (pid === undefined || !alive(pid)) return;
      process.kill(pid, 'SIGTERM');
      if (!(await waitUntilGone(pid, 5_000))) {
        process.kill(pid, 'SIGKILL');
        await waitUntilGone(pid, 2_000);
      }
    },
  };
  after(async () => {
    await sandbox.stopServer();
    rmSync(stateDir, { recursive: true, force: true });
  });
  return sandbox;
}

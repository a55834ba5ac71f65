// The local server as a process: serve in this one, start one detached, find it, check it answers, stop it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DemoError, environmentError, type FailureKind } from '../errors.js';
import type { RunningEmulator } from '../emulator/index.js';
import type { IncidentCounts } from '../emulator/incidents.js';
import { BIN } from '../product.js';
import {
  logFilePath,
  readServerRecord,
  removeServerRecord,
  writeServerRecord,
  type ServerRecord,
  type StartedBy,
} from './pid-file.js';
import { PORT_ENV, urlFor } from './settings.js';
import { commandLineMatches, processStamp, stillRunning } from '../emulator/process-identity.js';

/** What GET /_emulator/health answers. */
interface ServerHealth {
  status: string;
  pid: number;
  url: string;
  region: string;
  startedAt: number;
  stacks: Array<{ StackName: string; StackStatus: string }>;
  /** Per function: failures on the async path, counted as the CloudWatch metrics AWS emits for them. */
  incidents: IncidentCounts;
  /** A local server's state directory; an emulator inside a `run` has none. */
  stateDir?: string;
}

export type ServerStatus =
  | { state: 'stopped' }
  /** The pid file names a process that is gone (killed, machine restarted). */
  | { state: 'stale'; record: ServerRecord }
  /** The process exists but the server does not answer: hung, still starting, or the pid now belongs to another program. */
  | { state: 'unresponsive'; record: ServerRecord }
  | { state: 'running'; record: ServerRecord; health: ServerHealth };

/** How a server is started: the emulator's options plus who asked. */
export interface ServeConfig {
  stateDir: string;
  host: string;
  port: number;
  region?: string;
  retryDelaysMs: [number, number];
  startedBy: StartedBy;
}

/** The default CLI name in hints; the commands import it from the program, which would load commander here. */
const HEALTH_PATH = '/_emulator/health';
/** How often a detached start checks whether the server answers yet. */
const START_POLL_MS = 15;
/** A cold node start plus restoring a big state file stays well under this, even on a busy 2-core machine. */
const START_TIMEOUT_MS = 8_000;
const STOP_POLL_MS = 20;
const STOP_TIMEOUT_MS = 10_000;

/** GET /_emulator/health: the answer, or undefined when nothing (or nothing of ours) answers in time. */
function probeHealth(url: string, timeoutMs = 1_000): Promise<ServerHealth | undefined> {
  return new Promise((resolve) => {
    const request = get(`${url}${HEALTH_PATH}`, { timeout: timeoutMs, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          const health = JSON.parse(body) as ServerHealth;
          resolve(response.statusCode === 200 && Number.isInteger(health.pid) ? health : undefined);
        } catch {
          resolve(undefined);
        }
      });
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** Is the local server of this state dir running? Never changes anything (callers decide what to do with a stale file). */
export async function findServer(stateDir: string): Promise<ServerStatus> {
  const record = readServerRecord(stateDir);
  if (!record) return { state: 'stopped' };
  if (!serverIsAlive(record)) return { state: 'stale', record };
  const health = await probeHealth(record.url);
  if (health && health.pid === record.pid) return { state: 'running', record, health };
  return { state: 'unresponsive', record };
}

/**
 * The server that answers on host:port, by its own word: its state directory when it is a local server, `none` for an
 * emulator inside a running `run`, undefined when nothing of ours answers there.
 */
export async function stateDirOnPort(host: string, port: number): Promise<string | 'none' | undefined> {
  const health = await probeHealth(urlFor(host, port));
  if (!health) return undefined;
  return health.stateDir ?? 'none';
}

/**
 * Whether the server a record names still runs: its pid alive and, where Linux tells, the very process that wrote the
 * record (a pid reused after a restart is not it). A zombie counts as gone: it will never answer or stop again.
 */
function serverIsAlive(record: Pick<ServerRecord, 'pid' | 'processStamp'>): boolean {
  return stillRunning(record.pid, record.processStamp);
}

/** On Linux, whether that pid runs our server (so a reused pid is never signalled); undefined when it cannot be told. */
function runsOurServer(record: Pick<ServerRecord, 'pid' | 'processStamp'>): boolean | undefined {
  const now = processStamp(record.pid);
  if (record.processStamp !== undefined && now !== undefined) return now === record.processStamp;
  return commandLineMatches(record.pid, /server-main|lambda-async-demo/);
}

/** "Port 4577 on 127.0.0.1 is already in use", with a hint naming what holds it when that is one of ours. */
async function portInUseError(host: string, port: number, cause?: unknown): Promise<DemoError> {
  const health = await probeHealth(urlFor(host, port), 500);
  const holder = health ? ' by another lambda-async-demo server' : '';
  const elsewhere = `pick another port: --port ${port === 65535 ? port - 1 : port + 1} (or ${PORT_ENV})`;
  const hint = health
    ? `That server (pid ${health.pid}) keeps its state in another directory; stop it with its --state-dir, or ${elsewhere}.`
    : `Stop the program that listens there, or ${elsewhere}.`;
  return new DemoError('environment', `Port ${port} on ${host} is already in use${holder}.`, hint, { cause });
}

function listenError(error: unknown, host: string, port: number): Promise<DemoError> | DemoError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return portInUseError(host, port, error);
  if (code === 'EACCES') {
    return environmentError(`Not allowed to listen on port ${port} of ${host}.`, 'Pick a port above 1023: --port 4577.', error);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return environmentError(`${host} is not an address of this machine.`, 'Leave --host out to listen on 127.0.0.1.', error);
  }
  return environmentError(`Cannot listen on ${host}:${port} (${code ?? String(error)}).`, 'Pick another --port or --host.', error);
}

/** Fails with the one-sentence "port in use" error before anything is spawned; the server checks again when it binds. */
async function ensurePortFree(host: string, port: number): Promise<void> {
  const probe = createServer();
  const failure = await new Promise<unknown>((resolve) => {
    probe.once('error', resolve);
    probe.listen({ host, port, exclusive: true }, () => resolve(undefined));
  });
  if (failure) throw await listenError(failure, host, port);
  await new Promise((resolve) => probe.close(resolve));
}

function alreadyRunning(record: ServerRecord): DemoError {
  return new DemoError(
    'environment',
    `The local emulator of ${record.stateDir} already runs at ${record.url} (pid ${record.pid}).`,
    `Use it as it is, or stop it first: ${BIN} local stop. If pid ${record.pid} is not the emulator, delete ${record.stateDir}/server.json.`,
  );
}

export interface ServingServer {
  record: ServerRecord;
  running: RunningEmulator;
  /** What the user should know about the start: a corrupt state file moved aside. */
  notices: string[];
  /** Stops serving, writes the last state to disk and removes the pid file. */
  stop(): Promise<void>;
}

/**
 * Serves the emulator in this process with its state in config.stateDir and writes the pid file. A corrupt state file
 * (moved aside by the persistence layer) is reported in `notices` and the server starts empty. `log` gets the
 * emulator's own lines (a failed DLQ send, say): server.log for a detached server, stderr in the foreground.
 */
export async function startServer(config: ServeConfig, log: (line: string) => void): Promise<ServingServer> {
  const existing = readServerRecord(config.stateDir);
  if (existing && existing.pid !== process.pid && serverIsAlive(existing)) throw alreadyRunning(existing);

  const [{ startEmulator }, { CorruptStateError, StateLockedError }] = await Promise.all([
    import('../emulator/index.js'),
    import('../emulator/persistence.js'),
  ]);
  const options = {
    host: config.host,
    port: config.port,
    stateDir: config.stateDir,
    retryDelaysMs: config.retryDelaysMs,
    log,
    ...(config.region ? { region: config.region } : {}),
  };
  const notices: string[] = [];
  let running: RunningEmulator;
  try {
    try {
      running = await startEmulator(options);
    } catch (error) {
      if (!(error instanceof CorruptStateError)) throw error;
      // The file is already moved aside (never deleted): say where, and start empty rather than refuse to start.
      notices.push(`${error.message} The emulator starts empty.`);
      running = await startEmulator(options);
    }
  } catch (error) {
    if (error instanceof StateLockedError) {
      throw new DemoError(
        'environment',
        error.message,
        `Use that server (${BIN} local status --state-dir ${config.stateDir}), stop it first (${BIN} local stop --state-dir ${config.stateDir}), or start this one with another --state-dir.`,
        { cause: error },
      );
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code) && (error as { syscall?: string }).syscall === 'listen') {
      throw await listenError(error, config.host, config.port);
    }
    throw error;
  }

  const record: ServerRecord = {
    pid: process.pid,
    url: running.url,
    port: running.port,
    host: config.host,
    stateDir: config.stateDir,
    startedAt: new Date().toISOString(),
    processStamp: processStamp('self'),
    startedBy: config.startedBy,
    region: running.emulator.region,
    retryDelaysMs: config.retryDelaysMs,
    logPath: logFilePath(config.stateDir),
    notices,
  };
  writeServerRecord(record);
  let stopped: Promise<void> | undefined;
  return {
    record,
    running,
    notices,
    stop() {
      stopped ??= running.close().finally(() => removeServerRecord(config.stateDir, process.pid));
      return stopped;
    },
  };
}

/**
 * Resolves with the signal's name on SIGTERM or SIGHUP, and on SIGINT unless `interrupt` is given (the CLI owns Ctrl-C
 * and turns it into that abort signal).
 */
export function waitForStopRequest(interrupt?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = interrupt ? ['SIGTERM', 'SIGHUP'] : ['SIGTERM', 'SIGHUP', 'SIGINT'];
    const finish = (name: string) => {
      for (const signal of signals) process.off(signal, handlers[signal]!);
      interrupt?.removeEventListener('abort', onAbort);
      resolve(name);
    };
    const handlers = Object.fromEntries(signals.map((signal) => [signal, () => finish(signal)])) as Record<string, () => void>;
    for (const signal of signals) process.on(signal, handlers[signal]!);
    const onAbort = () => finish('SIGINT');
    if (interrupt?.aborted) onAbort();
    else interrupt?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The detached server's entry point: server-main.js beside this code (tsc's dist/local/, or the bundle's dist/bundle/,
 * where this code sits in a chunk of another name), or server-main.ts when running from source under tsx.
 */
function serverMainPath(): string {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`./server-main.${extension}`, import.meta.url));
}

/**
 * The detached server's environment: the caller's, minus every AWS_* variable. The emulator needs no credentials and
 * its functions get dummy ones anyway; a long-lived background process has no business holding the user's keys.
 */
function serverEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('AWS_')));
}

/** Messages the detached server sends its parent over IPC while starting. */
export type StartupMessage =
  | { type: 'ready'; record: ServerRecord }
  | { type: 'failed'; kind: FailureKind; exitCode: number; message: string; hint?: string };

/** The last lines of the server log, for an error that says why a start failed. */
function logTail(path: string, lines = 5): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts the server as a detached process (its output appended to <stateDir>/server.log) and resolves once it answers
 * its health check. The port is checked first, so the common failure costs no spawn.
 */
export async function startDetached(config: ServeConfig, signal?: AbortSignal): Promise<ServerRecord> {
  await ensurePortFree(config.host, config.port);
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const logPath = logFilePath(config.stateDir);
  const log = openSync(logPath, 'a', 0o600);
  writeSync(log, `\n${new Date().toISOString()} starting (startedBy ${config.startedBy})\n`);
  const child = spawn(process.execPath, [...process.execArgv, serverMainPath(), JSON.stringify(config)], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    // The package root: never pins the user's working directory, and a loader in execArgv (tsx) still resolves.
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: serverEnvironment(process.env),
  });
  closeSync(log);

  let ready: ServerRecord | undefined;
  let failed: DemoError | undefined;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('message', (message: StartupMessage) => {
    if (message.type === 'ready') ready = message.record;
    else failed = new DemoError(message.kind, message.message, message.hint);
  });
  child.on('exit', (code, exitSignal) => (exited = { code, signal: exitSignal }));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let spawnFailure: Error | undefined;
  void spawnError.then((error) => (spawnFailure = error));

  const deadline = Date.now() + START_TIMEOUT_MS;
  const giveUp = (error: DemoError): never => {
    if (!exited) child.kill('SIGTERM');
    if (child.connected) child.disconnect();
    throw error;
  };
  for (;;) {
    if (signal?.aborted) giveUp(new DemoError('interrupted', 'Interrupted while the local emulator was starting.'));
    if (failed) giveUp(failed);
    if (spawnFailure) giveUp(environmentError(`Cannot start the local emulator: ${spawnFailure.message}.`, `Is ${process.execPath} still there?`, spawnFailure));
    if (exited && !ready) {
      // A failure it could not report over IPC (a crash while loading): its log says why.
      const how = exited.code !== null ? `exit code ${exited.code}` : `signal ${exited.signal}`;
      const tail = logTail(logPath);
      giveUp(environmentError(`The local emulator stopped while starting (${how})${tail ? `:\n${tail}` : '.'}`, `Its log: ${logPath}`));
    }
    if (ready) {
      const health = await probeHealth(ready.url, 500);
      if (health?.pid === child.pid) break;
    }
    if (Date.now() > deadline) {
      giveUp(environmentError(`The local emulator did not answer within ${START_TIMEOUT_MS / 1000} s of starting.`, `See its log: ${logPath}`));
    }
    await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
  }
  child.disconnect();
  child.unref();
  return ready!;
}

export type StopOutcome =
  | { state: 'not-running' }
  | { state: 'stale'; record: ServerRecord }
  | { state: 'stopped'; record: ServerRecord; forced: boolean };

async function waitUntilGone(record: ServerRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (serverIsAlive(record)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, STOP_POLL_MS));
  }
  return true;
}

/**
 * Stops the server of this state dir: SIGTERM (it writes its state and removes its pid file), then SIGKILL if it is
 * still there after `timeoutMs`. Not running is not an error; a stale pid file is removed.
 */
export async function stopServer(stateDir: string, timeoutMs = STOP_TIMEOUT_MS): Promise<StopOutcome> {
  const status = await findServer(stateDir);
  if (status.state === 'stopped') return { state: 'not-running' };
  if (status.state === 'stale') {
    removeServerRecord(stateDir, status.record.pid);
    return { state: 'stale', record: status.record };
  }
  const { record } = status;
  if (status.state === 'unresponsive' && runsOurServer(record) !== true) {
    throw environmentError(
      `Pid ${record.pid} from ${stateDir}/server.json does not answer as the local emulator at ${record.url}, so it was left alone.`,
      `If it is the emulator, stop it with: kill ${record.pid}. If not, delete ${stateDir}/server.json.`,
    );
  }
  try {
    process.kill(record.pid, 'SIGTERM');
  } catch {
    // Gone between the check and the signal: as good as stopped.
  }
  let forced = false;
  if (!(await waitUntilGone(record, timeoutMs))) {
    forced = true;
    try {
      process.kill(record.pid, 'SIGKILL');
    } catch {
      // Exited just now.
    }
    await waitUntilGone(record, 2_000);
  }
  removeServerRecord(stateDir, record.pid);
  return { state: 'stopped', record, forced };
}

/** Whether the state dir holds saved emulator state (so a stack may exist there while no server runs). */
export function hasSavedState(stateDir: string): boolean {
  return existsSync(join(stateDir, 'state.json'));
}

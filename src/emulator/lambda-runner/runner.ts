// Execution environments: one child process each, cold once then warm, pooled per function, with Lambda's logs.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, InvokeMessage, RuntimeErrorPayload } from './ipc-messages.js';
import {
  endLine,
  initReportErrorLine,
  initStartLine,
  logStreamName,
  logTail,
  reportLine,
  runtimeExitErrorMessage,
  runtimeExitLine,
  runtimeExitReason,
  startLine,
  timeoutErrorMessage,
  timeoutLine,
} from './log-format.js';
import { languageRuntime, spawnPython, type LanguageRuntime } from './runtimes.js';
import { guarded } from '../fault.js';

/** What the runner needs to know about a function; a snapshot taken per invocation. */
export interface RunnableFunction {
  name: string;
  arn: string;
  /** Code is written once per distinct source, so environments of one version share a directory. */
  code: string;
  handler: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  variables: Record<string, string>;
  logGroup: string;
  /** Changes whenever the configuration changes; environments built from an older revision are retired. */
  revisionId: string;
  /** The Runtime value: nodejs24.x, python3.12, ... */
  runtime: string;
}

export interface InvocationRequest {
  requestId: string;
  /** The event as JSON text (already validated). */
  payload: string;
  clientContext?: string;
  /** LogType=Tail: collect this invocation's log for X-Amz-Log-Result. */
  tailLog?: boolean;
}

export interface InvocationOutcome {
  /** The response body: the handler's result as JSON, or the error document when `error` is set. */
  payload: Buffer;
  /** Set when the function failed: thrown error, timeout, crash, oversized response (FunctionError: Unhandled). */
  error?: RuntimeErrorPayload;
  /** Base64 of the last 4 KB of this invocation's log, when asked for. */
  logResult?: string;
}

export interface RunnerHost {
  region: string;
  maxEnvironmentsPerFunction: number;
  /** The emulator's URL, handed to function code as AWS_ENDPOINT_URL so its SDK calls stay local. */
  endpointUrl(): string;
  now(): number;
  appendLog(groupName: string, streamName: string, events: Array<{ timestamp: number; message: string }>): void;
  /** appendLog threw: the lines are lost, and the host makes that visible. */
  logWriteFailed(functionName: string, lines: number, error: unknown): void;
}

/** Thrown when an invocation was cut short by the emulator itself (function deleted, emulator closing). */
export class InvocationAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvocationAborted';
  }
}

/** Sync responses above this fail with Function.ResponseSizeTooLarge (docs/aws-semantics.md §1.2). */
export const MAX_RESPONSE_BYTES = 6291556;
/** AWS bounds the init phase at 10 s. */
const INIT_TIMEOUT_MS = 10_000;
/** Idle environments are reclaimed after a while, as AWS freezes and later recycles them. */
const IDLE_ENVIRONMENT_MS = 5 * 60_000;

const DUMMY_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIALOCALEMULATOR000',
  AWS_SECRET_ACCESS_KEY: 'lambda-async-demo-local-dummy-secret-key',
  AWS_SESSION_TOKEN: 'lambda-async-demo-local-dummy-session-token',
};

// Running from src (tsx) the bootstrap is a .ts file and the child needs tsx's ESM loader; from dist it is plain .js.
const OWN_EXTENSION = path.extname(fileURLToPath(import.meta.url));
const BOOTSTRAP_PATH = fileURLToPath(new URL(`./bootstrap${OWN_EXTENSION}`, import.meta.url));

function bootstrapExecArgv(): string[] {
  if (OWN_EXTENSION !== '.ts') return [];
  return ['--import', import.meta.resolve('tsx/esm')];
}

/** The package's node_modules, offered as NODE_PATH so function code finds the AWS SDK as it does on Lambda. */
const SDK_NODE_PATH = ((): string | undefined => {
  try {
    const resolved = createRequire(import.meta.url).resolve('@aws-sdk/client-lambda');
    const marker = `${path.sep}node_modules${path.sep}`;
    return resolved.slice(0, resolved.lastIndexOf(marker) + marker.length - 1);
  } catch {
    return undefined;
  }
})();

/** Tells bootstrap.ts it is a spare runtime: wait for the function to serve before reading the environment. */
const SPARE_RUNTIME_VARIABLE = 'LAMBDA_ASYNC_DEMO_SPARE_RUNTIME';

/** What every runtime process starts with; the function's own variables come on top. Never the parent's env. */
function baseRuntimeEnvironment(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
  };
  if (SDK_NODE_PATH) env.NODE_PATH = SDK_NODE_PATH;
  if (process.platform === 'win32' && process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  return env;
}

function forkRuntime(env: Record<string, string>, cwd: string): ChildProcess {
  const child = fork(BOOTSTRAP_PATH, [], {
    cwd,
    env,
    execArgv: bootstrapExecArgv(),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  for (const stream of [child.stdout, child.stderr]) {
    // The pipes alone must not keep the emulator's process alive; the IPC channel decides that (see park()).
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
  child.on('error', () => {
    // Spawn failures surface as an exit; nothing else to do here.
  });
  return child;
}

/**
 * A runtime process forked before any function needs it, so a cold start skips Node's own boot (about 100 ms on a
 * small machine) and pays only for loading the handler, much as Lambda keeps sandboxes ready before a request lands.
 * It runs the same bootstrap, which waits on IPC for the function it will serve: environment and code directory.
 */
class SpareRuntime {
  readonly child: ChildProcess;
  private readonly base = baseRuntimeEnvironment();
  /** Resolves once the bootstrap listens for its assignment: a message sent before that could be lost. */
  private readonly standingBy: Promise<void>;

  constructor() {
    this.child = forkRuntime({ ...this.base, [SPARE_RUNTIME_VARIABLE]: '1' }, tmpdir());
    // Idle, it must not keep the emulator's process alive.
    this.child.unref();
    this.child.channel?.unref();
    this.standingBy = new Promise((resolve) => {
      const onMessage = (message: ChildMessage): void => {
        if (message.type !== 'standby') return;
        this.child.off('message', onMessage);
        resolve();
      };
      this.child.on('message', onMessage);
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  /** Node reads some variables only as it starts (NODE_OPTIONS, NODE_PATH, ...): a function that sets them gets a fresh fork. */
  fits(env: Record<string, string>): boolean {
    for (const [name, value] of Object.entries(this.base)) if (env[name] !== value) return false;
    return !Object.keys(env).some((name) => /^(NODE_|UV_)/.test(name) && !(name in this.base));
  }

  /** Hands the runtime its function; returns the process, held (ref'd) like a fresh fork until it is parked. */
  claim(env: Record<string, string>, cwd: string): ChildProcess {
    this.child.ref();
    this.child.channel?.ref();
    void this.standingBy.then(() => {
      try {
        this.child.send({ type: 'assign', env, cwd });
      } catch {
        // It died meanwhile: its exit reports the failed init.
      }
    });
    return this.child;
  }

  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.kill('SIGKILL');
    return closed;
  }
}

/** Code directories still on disk; removed at exit even when nobody called close(). */
const liveCodeRoots = new Set<string>();
let exitCleanupRegistered = false;

function registerCodeRoot(root: string): void {
  liveCodeRoots.add(root);
  if (exitCleanupRegistered) return;
  exitCleanupRegistered = true;
  process.once('exit', () => {
    for (const dir of liveCodeRoots) rmSync(dir, { recursive: true, force: true });
  });
}

type EnvironmentState = 'new' | 'starting' | 'idle' | 'busy' | 'dead';

interface ActiveInvocation {
  requestId: string;
  startedAt: number;
  timer: NodeJS.Timeout;
  finish(outcome: { payload?: string; error?: RuntimeErrorPayload; memoryUsedMb?: number }): void;
  abort(error: Error): void;
}

/** One execution environment: a child process running the bootstrap, its own log stream, one invocation at a time. */
class ExecutionEnvironment {
  state: EnvironmentState = 'new';
  readonly streamName: string;
  readonly createdAt: number;
  private child?: ChildProcess;
  private active?: ActiveInvocation;
  /** Where this invocation's log lines are also collected, for LogType=Tail. */
  private tailSink?: string[];
  private initDurationMs?: number;
  private maxMemoryUsedMb = 0;
  private idleTimer?: NodeJS.Timeout;
  private abortReason?: string;
  private killedForTimeout = false;
  private onInitMessage?: (message: ChildMessage) => void;
  private onInitExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  private stdoutRemainder = '';
  private readonly runtime: LanguageRuntime;

  constructor(
    private readonly host: RunnerHost,
    readonly fn: RunnableFunction,
    private readonly codeDir: string,
    private readonly onDead: (environment: ExecutionEnvironment) => void,
    private readonly takeSpare: (env: Record<string, string>) => SpareRuntime | undefined = () => undefined,
  ) {
    this.createdAt = host.now();
    this.streamName = logStreamName(this.createdAt);
    this.runtime = languageRuntime(fn.runtime);
  }

  private pendingLog: Array<{ timestamp: number; message: string }> = [];
  private flushScheduled = false;

  // Lines are batched per event-loop turn (one Logs call instead of one per line) and flushed before an invocation
  // answers, so a caller reading the logs right after Invoke sees them all.
  private log(message: string, timestamp = this.host.now()): void {
    this.tailSink?.push(message);
    this.pendingLog.push({ timestamp, message });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushLog());
    }
  }

  private flushLog(): void {
    this.flushScheduled = false;
    if (this.pendingLog.length === 0) return;
    const events = this.pendingLog;
    this.pendingLog = [];
    try {
      this.host.appendLog(this.fn.logGroup, this.streamName, events);
    } catch (error) {
      // A logging failure must never fail the invocation (AWS drops log lines it cannot deliver too), but it is told.
      this.host.logWriteFailed(this.fn.name, events.length, error);
    }
  }

  private childEnvironment(): Record<string, string> {
    // Never the parent's process.env: function code must not see the user's credentials or profile.
    const env: Record<string, string> = {
      ...baseRuntimeEnvironment(),
      LAMBDA_TASK_ROOT: this.codeDir,
      _HANDLER: this.fn.handler,
      AWS_EXECUTION_ENV: this.runtime.executionEnv,
      AWS_LAMBDA_FUNCTION_NAME: this.fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.fn.memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: this.fn.logGroup,
      AWS_LAMBDA_LOG_STREAM_NAME: this.streamName,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: this.host.region,
      AWS_DEFAULT_REGION: this.host.region,
      ...DUMMY_CREDENTIALS,
      AWS_ENDPOINT_URL: this.host.endpointUrl(),
      ...(this.runtime.warning ? { LAMBDA_ASYNC_DEMO_RUNTIME_WARNING: this.runtime.warning } : {}),
    };
    return { ...env, ...this.fn.variables };
  }

  /** Cold start: fork the runtime and wait until it has loaded the handler. Resolves with the init error, if any. */
  start(): Promise<RuntimeErrorPayload | undefined> {
    this.state = 'starting';
    const startedAt = performance.now();
    this.log(initStartLine(this.host.region, this.runtime.runtimeVersion));
    const env = this.childEnvironment();
    // Spare runtimes are Node.js processes: a Python function always starts its own interpreter.
    const child =
      this.runtime.family === 'python'
        ? spawnPython(this.runtime, env, this.codeDir)
        : (this.takeSpare(env)?.claim(env, this.codeDir) ?? forkRuntime(env, this.codeDir));
    this.child = child;
    const forwardRaw = (chunk: Buffer): void => this.forwardRawOutput(chunk.toString('utf8'));
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', guarded('function output', forwardRaw));
    child.on('message', guarded('function process message', (message: ChildMessage) => this.onMessage(message)));
    // 'close', not 'exit': it comes after the IPC channel has delivered everything the runtime sent before dying.
    child.on('close', guarded('function process exit', (code: number | null, signal: NodeJS.Signals | null) => this.onExit(code, signal)));

    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.killedForTimeout = true;
        child.kill('SIGKILL');
      }, INIT_TIMEOUT_MS);
      const done = (error?: RuntimeErrorPayload): void => {
        clearTimeout(timer);
        this.onInitMessage = undefined;
        this.onInitExit = undefined;
        this.initDurationMs = performance.now() - startedAt;
        if (error) this.log(initReportErrorLine(this.initDurationMs, error.errorType));
        resolve(error);
      };
      this.onInitMessage = (message) => {
        if (message.type === 'ready') {
          this.state = 'idle';
          done();
        } else if (message.type === 'init-error') {
          done(message.error);
        }
      };
      this.onInitExit = (code, signal) => {
        if (this.killedForTimeout) {
          done({ errorType: 'Runtime.Unknown', errorMessage: `Init timed out after ${INIT_TIMEOUT_MS / 1000} seconds` });
        } else {
          done({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${runtimeExitReason(code, signal)}` });
        }
      };
    });
  }

  // Raw stdout/stderr writes (process.stdout.write, native output) become log events line by line, as on AWS.
  private forwardRawOutput(text: string): void {
    const lines = (this.stdoutRemainder + text).split('\n');
    this.stdoutRemainder = lines.pop() ?? '';
    for (const line of lines) this.log(`${line}\n`);
  }

  private onMessage(message: ChildMessage): void {
    if (message.type === 'log') {
      this.log(message.message);
      return;
    }
    if (this.onInitMessage) {
      this.onInitMessage(message);
      return;
    }
    const active = this.active;
    if (!active) return;
    if (message.type === 'result' && message.requestId === active.requestId) {
      active.finish({ payload: message.payload, memoryUsedMb: message.memoryUsedMb });
    } else if (message.type === 'failure' && message.requestId === active.requestId) {
      // After an uncaught exception the runtime exits on its own: this environment must not be reused.
      if (message.exitAfter) this.state = 'dead';
      active.finish({ error: message.error, memoryUsedMb: message.memoryUsedMb });
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stdoutRemainder) this.forwardRawOutput('\n');
    const wasStarting = this.onInitExit;
    this.state = 'dead';
    this.child = undefined;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (wasStarting) wasStarting(code, signal);
    const active = this.active;
    if (active) {
      if (this.abortReason !== undefined) {
        active.abort(new InvocationAborted(this.abortReason));
      } else if (this.killedForTimeout) {
        // The timeout handler already finished the invocation.
      } else {
        const reason = runtimeExitReason(code, signal);
        this.log(runtimeExitLine(active.requestId, reason));
        active.finish({
          error: { errorType: 'Runtime.ExitError', errorMessage: runtimeExitErrorMessage(active.requestId, reason) },
        });
      }
    }
    this.onDead(this);
  }

  /** Runs one invocation; the environment must be idle (started) or new (it then cold-starts first). */
  async invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    const tail = request.tailLog ? ([] as string[]) : undefined;
    let initError: RuntimeErrorPayload | undefined;
    if (this.state === 'new') initError = await this.start();
    if (this.abortReason !== undefined) throw new InvocationAborted(this.abortReason);
    // The tail begins at START even on a cold start: INIT_START and the init phase's lines go to CloudWatch Logs only
    // (recorded: localstack/localstack tests/aws/services/lambda_/test_lambda.snapshot.json,
    // TestLambdaFeatures::test_invocation_with_logs[nodejs16.x], 24-11-2025: a cold start, Init Duration, tail from START).
    this.tailSink = tail;
    this.child?.ref();
    this.child?.channel?.ref();
    if (this.idleTimer) clearTimeout(this.idleTimer);

    return new Promise<InvocationOutcome>((resolve, reject) => {
      const initDurationMs = this.initDurationMs;
      this.initDurationMs = undefined;
      const startedAt = performance.now();
      let finished = false;
      const active: ActiveInvocation = {
        requestId: request.requestId,
        startedAt,
        timer: undefined as unknown as NodeJS.Timeout,
        finish: ({ payload, error, memoryUsedMb }) => {
          if (finished) return;
          finished = true;
          clearTimeout(active.timer);
          const durationMs = performance.now() - startedAt;
          this.maxMemoryUsedMb = Math.max(this.maxMemoryUsedMb, memoryUsedMb ?? 0);
          let body: Buffer;
          let failure = error;
          if (failure) {
            body = Buffer.from(JSON.stringify(failure));
          } else {
            body = Buffer.from(payload ?? 'null', 'utf8');
            if (body.length > MAX_RESPONSE_BYTES) {
              // Exactly AWS's text, key order included (docs/aws-semantics.md §1.2).
              const tooLarge = {
                errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
                errorType: 'Function.ResponseSizeTooLarge',
              };
              failure = { errorType: tooLarge.errorType, errorMessage: tooLarge.errorMessage };
              body = Buffer.from(JSON.stringify(tooLarge));
            }
          }
          this.log(endLine(request.requestId));
          this.log(
            reportLine({
              requestId: request.requestId,
              durationMs,
              memorySizeMb: this.fn.memorySizeMb,
              maxMemoryUsedMb: this.maxMemoryUsedMb || memoryUsedMb || 1,
              initDurationMs,
            }),
          );
          this.active = undefined;
          this.tailSink = undefined;
          this.flushLog();
          if (this.state === 'busy') this.state = 'idle';
          resolve({ payload: body, error: failure, logResult: tail ? logTail(tail) : undefined });
        },
        abort: (error) => {
          if (finished) return;
          finished = true;
          clearTimeout(active.timer);
          this.active = undefined;
          this.tailSink = undefined;
          reject(error);
        },
      };
      this.active = active;
      this.log(startLine(request.requestId));

      if (initError) {
        this.log(endLine(request.requestId));
        this.log(
          reportLine({
            requestId: request.requestId,
            durationMs: 0,
            memorySizeMb: this.fn.memorySizeMb,
            maxMemoryUsedMb: 1,
            initDurationMs,
          }),
        );
        this.active = undefined;
        this.tailSink = undefined;
        finished = true;
        const error: RuntimeErrorPayload =
          initError.errorType === 'Runtime.ExitError'
            ? { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${request.requestId} Error: ${initError.errorMessage}` }
            : initError;
        this.flushLog();
        this.kill();
        resolve({
          payload: Buffer.from(JSON.stringify(error)),
          error,
          logResult: tail ? logTail(tail) : undefined,
        });
        return;
      }

      this.state = 'busy';
      const timeoutMs = this.fn.timeoutSeconds * 1000;
      const message: InvokeMessage = {
        type: 'invoke',
        requestId: request.requestId,
        payload: request.payload,
        deadline: Date.now() + timeoutMs,
        invokedFunctionArn: this.fn.arn,
        clientContext: request.clientContext,
      };
      active.timer = setTimeout(guarded('function timeout', () => this.timeOut(active)), timeoutMs);
      try {
        this.child!.send(message);
      } catch {
        // The child died between acquire and send; its exit handler reports the invocation.
      }
    });
  }

  // Sandbox.Timedout: the log line, then END/REPORT, and the environment is replaced (docs/aws-semantics.md §1.2, §3).
  private timeOut(active: ActiveInvocation): void {
    const elapsedMs = performance.now() - active.startedAt;
    this.killedForTimeout = true;
    this.state = 'dead';
    this.child?.kill('SIGKILL');
    this.log(timeoutLine(this.host.now(), active.requestId, elapsedMs));
    active.finish({
      error: { errorType: 'Sandbox.Timedout', errorMessage: timeoutErrorMessage(active.requestId, elapsedMs) },
    });
  }

  /** Parks an idle environment: it no longer keeps the emulator's process alive, and is reclaimed after a while. */
  park(onIdleTooLong: () => void): void {
    this.child?.unref();
    this.child?.channel?.unref();
    this.idleTimer = setTimeout(guarded('idle environment reclaim', onIdleTooLong), IDLE_ENVIRONMENT_MS);
    this.idleTimer.unref();
  }

  kill(abortReason?: string): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (abortReason !== undefined && this.abortReason === undefined) this.abortReason = abortReason;
    if (this.state === 'dead' && !this.child) return;
    this.state = 'dead';
    if (this.child) this.child.kill('SIGKILL');
    else this.onDead(this);
  }

  /** Resolves once the child process is gone (or at once when there is none). */
  exited(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('close', () => resolve()));
  }
}

/** The environments of one function: reuse idle ones, start new ones up to the limit, otherwise wait. */
class FunctionPool {
  readonly environments = new Set<ExecutionEnvironment>();
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiters: Array<() => void> = [];
  private destroyedReason?: string;

  constructor(
    private readonly host: RunnerHost,
    private readonly codeDirFor: (fn: RunnableFunction) => string,
    private readonly takeSpare: (env: Record<string, string>) => SpareRuntime | undefined = () => undefined,
  ) {}

  async acquire(fn: RunnableFunction): Promise<ExecutionEnvironment> {
    for (;;) {
      if (this.destroyedReason !== undefined) throw new InvocationAborted(this.destroyedReason);
      while (this.idle.length > 0) {
        const environment = this.idle.pop()!;
        if (environment.state === 'idle' && environment.fn.revisionId === fn.revisionId) return environment;
        environment.kill();
      }
      if (this.environments.size < Math.max(1, this.host.maxEnvironmentsPerFunction)) {
        const environment = new ExecutionEnvironment(this.host, fn, this.codeDirFor(fn), (dead) => this.forget(dead), this.takeSpare);
        this.environments.add(environment);
        return environment;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(environment: ExecutionEnvironment, latestRevisionId: string | undefined): void {
    if (environment.state === 'idle' && environment.fn.revisionId === latestRevisionId && this.destroyedReason === undefined) {
      this.idle.push(environment);
      environment.park(() => {
        const index = this.idle.indexOf(environment);
        if (index >= 0) this.idle.splice(index, 1);
        environment.kill();
      });
    } else if (environment.state !== 'dead') {
      environment.kill();
    }
    this.waiters.shift()?.();
  }

  private forget(environment: ExecutionEnvironment): void {
    if (!this.environments.delete(environment)) return;
    const index = this.idle.indexOf(environment);
    if (index >= 0) this.idle.splice(index, 1);
    this.waiters.shift()?.();
  }

  /** Kills idle environments built from an older configuration; busy ones are replaced when they finish. */
  retireStale(latestRevisionId: string): void {
    for (const environment of [...this.idle]) {
      if (environment.fn.revisionId !== latestRevisionId) {
        this.idle.splice(this.idle.indexOf(environment), 1);
        environment.kill();
      }
    }
  }

  async destroy(reason: string): Promise<void> {
    this.destroyedReason = reason;
    const environments = [...this.environments];
    for (const environment of environments) environment.kill(reason);
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all(environments.map((environment) => environment.exited()));
  }
}

/** All functions' execution environments. */
export class LambdaRunner {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly latestRevision = new Map<string, string>();
  private codeRoot?: string;
  private readonly writtenCode = new Set<string>();
  private closed = false;
  private spare?: SpareRuntime;
  private keepSpare = false;

  constructor(private readonly host: RunnerHost) {}

  /** From now on keeps one runtime process forked ahead of the next cold start (see SpareRuntime). */
  prewarm(): void {
    this.keepSpare = true;
    this.replenishSpare();
  }

  private replenishSpare(): void {
    if (this.closed || !this.keepSpare || this.spare?.alive) return;
    const spare = new SpareRuntime();
    this.spare = spare;
    spare.child.once('close', () => {
      if (this.spare === spare) this.spare = undefined;
    });
  }

  private takeSpare(env: Record<string, string>): SpareRuntime | undefined {
    const spare = this.spare;
    if (!spare?.alive || !spare.fits(env)) return undefined;
    this.spare = undefined;
    // The next cold start finds another one ready. Forked on a later turn, so this request does not wait for the fork.
    setTimeout(guarded('spare environment fork', () => this.replenishSpare()), 0).unref();
    return spare;
  }

  private poolFor(functionName: string): FunctionPool {
    let pool = this.pools.get(functionName);
    if (!pool) {
      pool = new FunctionPool(this.host, (fn) => this.codeDirFor(fn), (env) => this.takeSpare(env));
      this.pools.set(functionName, pool);
    }
    return pool;
  }

  // Inline code is written once per distinct source as index.js in a CommonJS package, like Lambda's ZipFile code.
  private codeDirFor(fn: RunnableFunction): string {
    if (!this.codeRoot) {
      this.codeRoot = mkdtempSync(path.join(tmpdir(), 'lambda-async-demo-'));
      registerCodeRoot(this.codeRoot);
    }
    const digest = createHash('sha256').update(fn.runtime).update('\0').update(fn.handler).update('\0').update(fn.code).digest('hex').slice(0, 16);
    const dir = path.join(this.codeRoot, `${fn.name}-${digest}`);
    if (!this.writtenCode.has(dir) || !existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      const runtime = languageRuntime(fn.runtime);
      if (runtime.family === 'nodejs') writeFileSync(path.join(dir, 'package.json'), '{"type":"commonjs"}\n');
      writeFileSync(path.join(dir, runtime.codeFile), fn.code);
      this.writtenCode.add(dir);
    }
    return dir;
  }

  /** Runs one invocation on a warm environment when there is one, else a cold one; waits when all are busy. */
  async invoke(fn: RunnableFunction, request: InvocationRequest): Promise<InvocationOutcome> {
    if (this.closed) throw new InvocationAborted('The emulator is shutting down.');
    this.noteRevision(fn.name, fn.revisionId);
    const pool = this.poolFor(fn.name);
    const environment = await pool.acquire(fn);
    try {
      return await environment.invoke(request);
    } finally {
      pool.release(environment, this.latestRevision.get(fn.name));
    }
  }

  /** Tells the runner the function's configuration changed: environments of the old one are not reused. */
  noteRevision(functionName: string, revisionId: string): void {
    if (this.latestRevision.get(functionName) === revisionId) return;
    this.latestRevision.set(functionName, revisionId);
    this.pools.get(functionName)?.retireStale(revisionId);
  }

  /** Kills every environment of the function; invocations in flight end with InvocationAborted. */
  async removeFunction(functionName: string): Promise<void> {
    const pool = this.pools.get(functionName);
    this.pools.delete(functionName);
    this.latestRevision.delete(functionName);
    if (pool) await pool.destroy(`The function ${functionName} was deleted.`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    const spare = this.spare;
    this.spare = undefined;
    await Promise.all([...pools.map((pool) => pool.destroy('The emulator is shutting down.')), spare?.kill()]);
    if (this.codeRoot) {
      rmSync(this.codeRoot, { recursive: true, force: true });
      liveCodeRoots.delete(this.codeRoot);
    }
    this.codeRoot = undefined;
    this.writtenCode.clear();
  }
}

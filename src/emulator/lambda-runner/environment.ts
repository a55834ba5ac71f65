// One execution environment: its runtime process, cold start, one invocation at a time, and Lambda's log lines for it.
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { guarded } from '../fault.js';
import { InvocationAborted, type InvocationOutcome, type InvocationRequest, type RunnableFunction, type RunnerHost } from './invocation.js';
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
  runtimeExitPhrase,
  startLine,
  timeoutErrorMessage,
  timeoutLine,
} from './log-format.js';
import { baseRuntimeEnvironment, forkRuntime } from './runtime-process.js';
import { languageRuntime, spawnPython, type LanguageRuntime } from './runtimes.js';
import type { SpareRuntime } from './spare-runtime.js';

/** Sync responses above this fail with Function.ResponseSizeTooLarge (docs/aws-semantics.md §1.2). */
const MAX_RESPONSE_BYTES = 6291556;
/** AWS bounds the init phase at 10 s. */
const INIT_TIMEOUT_MS = 10_000;
/** Idle environments are reclaimed after a while, as AWS freezes and later recycles them. */
const IDLE_ENVIRONMENT_MS = 5 * 60_000;

const DUMMY_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIALOCALEMULATOR000',
  AWS_SECRET_ACCESS_KEY: 'lambda-async-demo-local-dummy-secret-key',
  AWS_SESSION_TOKEN: 'lambda-async-demo-local-dummy-session-token',
};

/** The response body of a finished invocation: the error document, or the result unless it is too large for AWS. */
function responseOf(payload: string | undefined, error: RuntimeErrorPayload | undefined): { body: Buffer; error?: RuntimeErrorPayload } {
  if (error) return { body: Buffer.from(JSON.stringify(error)), error };
  const body = Buffer.from(payload ?? 'null', 'utf8');
  if (body.length <= MAX_RESPONSE_BYTES) return { body };
  // Exactly AWS's text, key order included (docs/aws-semantics.md §1.2).
  const tooLarge = {
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    errorType: 'Function.ResponseSizeTooLarge',
  };
  return { body: Buffer.from(JSON.stringify(tooLarge)), error: { errorType: tooLarge.errorType, errorMessage: tooLarge.errorMessage } };
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
export class ExecutionEnvironment {
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
    private readonly takeSpare: (runtime: LanguageRuntime, env: Record<string, string>) => SpareRuntime | undefined = () => undefined,
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
    const child =
      this.takeSpare(this.runtime, env)?.claim(env, this.codeDir) ??
      (this.runtime.family === 'python' ? spawnPython(this.runtime, env, this.codeDir) : forkRuntime(env, this.codeDir));
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
          done({ errorType: 'Runtime.ExitError', errorMessage: runtimeExitPhrase(code, signal) });
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
        const phrase = runtimeExitPhrase(code, signal);
        this.log(runtimeExitLine(active.requestId, phrase));
        active.finish({
          error: { errorType: 'Runtime.ExitError', errorMessage: runtimeExitErrorMessage(active.requestId, phrase) },
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
      // The one way an invocation answers, whatever ended it (result, error, timeout, crash, failed init): END and
      // REPORT, then the log is flushed so a caller reading the logs right after Invoke sees them all, then the answer.
      // `retire`: the environment is not reused (its init failed), and is killed before the answer.
      const answer = (
        response: { body: Buffer; error?: RuntimeErrorPayload },
        figures: { durationMs: number; maxMemoryUsedMb: number },
        retire = false,
      ): void => {
        finished = true;
        clearTimeout(active.timer);
        this.log(endLine(request.requestId));
        this.log(reportLine({ requestId: request.requestId, ...figures, memorySizeMb: this.fn.memorySizeMb, initDurationMs }));
        this.active = undefined;
        this.tailSink = undefined;
        this.flushLog();
        if (retire) this.kill();
        else if (this.state === 'busy') this.state = 'idle';
        resolve({ payload: response.body, error: response.error, logResult: tail ? logTail(tail) : undefined });
      };
      const active: ActiveInvocation = {
        requestId: request.requestId,
        startedAt,
        timer: undefined as unknown as NodeJS.Timeout,
        finish: ({ payload, error, memoryUsedMb }) => {
          if (finished) return;
          const durationMs = performance.now() - startedAt;
          this.maxMemoryUsedMb = Math.max(this.maxMemoryUsedMb, memoryUsedMb ?? 0);
          answer(responseOf(payload, error), { durationMs, maxMemoryUsedMb: this.maxMemoryUsedMb || memoryUsedMb || 1 });
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
        const error: RuntimeErrorPayload =
          initError.errorType === 'Runtime.ExitError'
            ? { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${request.requestId} Error: ${initError.errorMessage}` }
            : initError;
        answer({ body: Buffer.from(JSON.stringify(error)), error }, { durationMs: 0, maxMemoryUsedMb: 1 }, true);
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

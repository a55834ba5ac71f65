// Child side of one execution environment: loads the handler as the Node.js runtime does and runs invocations sent over IPC.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';
import type { AssignMessage, ChildMessage, InvokeMessage, ParentMessage, RuntimeErrorPayload } from './ipc-messages.js';

type Handler = (event: unknown, context: unknown, callback: (error?: unknown, result?: unknown) => void) => unknown;

// The runtime's own error classes are named Runtime.<Class> (aws-lambda-nodejs-runtime-interface-client src/Errors.js).
class RuntimeError extends Error {
  constructor(type: string, message: string) {
    super(message);
    Object.defineProperty(this, 'name', { value: `Runtime.${type}`, enumerable: false, writable: true });
  }
}

// RIC keeps the reason as text and the promise alongside, so both show in the logged JSON.
class UnhandledPromiseRejection extends RuntimeError {
  readonly reason: string;
  constructor(
    reason: unknown,
    readonly promise: unknown,
  ) {
    super('UnhandledPromiseRejection', String(reason));
    this.reason = String(reason);
  }
}

// A spare runtime, forked before any function needed it (spare-runtime.ts), waits here for the function it will
// serve. Until the assignment arrives nothing below has read process.env or the working directory.
if (process.env.LAMBDA_ASYNC_DEMO_SPARE_RUNTIME === '1') {
  const assignment = await new Promise<AssignMessage>((resolve) => {
    process.once('disconnect', () => process.exit(0));
    const onMessage = (message: ParentMessage): void => {
      if (message.type !== 'assign') return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
    process.send!({ type: 'standby' } satisfies ChildMessage);
  });
  delete process.env.LAMBDA_ASYNC_DEMO_SPARE_RUNTIME;
  Object.assign(process.env, assignment.env);
  process.chdir(assignment.cwd);
}

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerString = process.env._HANDLER ?? 'index.handler';
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? '';
const functionVersion = process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST';
const memoryLimitInMB = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128';
const logGroupName = process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '';
const logStreamName = process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '';

/** `undefined` until the first invocation, as in real init-phase log lines (docs/aws-semantics.md §3). */
let currentRequestId: string | undefined;
let maxMemoryUsedMb = 0;

function send(message: ChildMessage): void {
  if (process.connected) process.send!(message);
}

// console.* writes `<ISO>\t<requestId>\t<LEVEL>\t<message>` with inner newlines turned into \r, so one call is one
// CloudWatch event; console.log is console.info (docs/aws-semantics.md §3, RIC src/LogPatch.js).
function patchConsole(): void {
  const writer =
    (level: string) =>
    (...args: unknown[]): void => {
      const text = util.format(...args).replace(/\n/g, '\r');
      send({ type: 'log', message: `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${text}\n` });
    };
  const patched = console as unknown as Record<string, unknown>;
  patched.trace = writer('TRACE');
  patched.debug = writer('DEBUG');
  patched.info = writer('INFO');
  patched.log = patched.info;
  patched.warn = writer('WARN');
  patched.error = writer('ERROR');
  patched.fatal = writer('FATAL');
}

function isErrorLike(value: unknown): value is Error {
  return util.types.isNativeError(value) || value instanceof Error;
}

/**
 * The stack as the function's author would see it on AWS: their code under /var/task, and none of the emulator's own
 * frames (on AWS the frames below the handler are the runtime's, in /var/runtime; inventing those would mislead).
 */
function stackLines(stack: string): string[] {
  return stack
    .split('\n')
    .filter((line) => !/^\s+at /.test(line) || line.includes(taskRoot))
    .map((line) => line.split(taskRoot).join('/var/task'));
}

// The invoke response body: `trace` for an Error, `typeof` and `trace: []` for anything else (RIC Errors.toRapidResponse).
function toRapidResponse(error: unknown): RuntimeErrorPayload {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: typeof error.stack === 'string' ? stackLines(error.stack) : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

// The log form: `stack` instead of `trace`, plus `code` and enumerable properties (RIC Errors.toFormatted).
function toFormatted(error: unknown): string {
  const withProperties = (_key: string, value: unknown): unknown => {
    if (!isErrorLike(value)) return value;
    const formatted: Record<string, unknown> = {
      errorType: value.name,
      errorMessage: value.message,
      code: (value as { code?: unknown }).code,
      ...value,
    };
    if (typeof value.stack === 'string') formatted.stack = stackLines(value.stack);
    return formatted;
  };
  try {
    return `\t${JSON.stringify(error, withProperties)}`;
  } catch {
    return `\t${JSON.stringify(toRapidResponse(error))}`;
  }
}

function memoryUsedMb(): number {
  maxMemoryUsedMb = Math.max(maxMemoryUsedMb, process.memoryUsage.rss() / (1024 * 1024));
  return maxMemoryUsedMb;
}

// Handler resolution as the runtime does it: `dir/module.nested.fn` -> file dir/module(.js|.mjs|.cjs), then the
// property path (RIC src/UserFunction.js).
async function loadHandler(): Promise<Handler> {
  if (handlerString.includes('..')) {
    throw new RuntimeError('MalformedHandlerName', "'../' not allowed in handler name. Relative paths are not supported.");
  }
  const baseName = path.basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.indexOf(baseName));
  const match = /^([^.]*)\.(.*)$/.exec(baseName);
  if (!match) throw new RuntimeError('MalformedHandlerName', 'Bad handler');
  const [, moduleName, propertyPath] = match as unknown as [string, string, string];

  const modulePath = path.resolve(taskRoot, moduleRoot, moduleName);
  const requireFromTask = createRequire(path.join(taskRoot, 'index.js'));
  let loaded: unknown;
  try {
    if (existsSync(`${modulePath}.js`)) loaded = requireFromTask(`${modulePath}.js`);
    else if (existsSync(`${modulePath}.mjs`)) loaded = await import(pathToFileURL(`${modulePath}.mjs`).href);
    else if (existsSync(`${modulePath}.cjs`)) loaded = requireFromTask(`${modulePath}.cjs`);
    else loaded = requireFromTask(moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('UserCodeSyntaxError', String(error));
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError(
        'ImportModuleError',
        `Error: Cannot find module '${moduleName}'\nRequire stack:\n- /var/runtime/index.mjs`,
      );
    }
    throw error;
  }

  const handler = propertyPath
    .split('.')
    .reduce<unknown>((nested, key) => (nested == null ? undefined : (nested as Record<string, unknown>)[key]), loaded);
  if (!handler) throw new RuntimeError('HandlerNotFound', `${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new RuntimeError('HandlerNotFound', `${handlerString} is not a function`);
  return handler as Handler;
}

let handler: Handler | undefined;
/** Settles the invocation in flight; replaced per invocation so late callbacks cannot answer a newer request. */
let settleCurrent: ((error: unknown, result?: unknown, exitAfter?: boolean) => void) | undefined;

function runInvocation(message: InvokeMessage): void {
  currentRequestId = message.requestId;
  let settled = false;
  const settle = (error: unknown, result?: unknown, exitAfter = false): void => {
    if (settled) return;
    settled = true;
    if (settleCurrent === settle) settleCurrent = undefined;
    if (error === null || error === undefined) {
      let payload: string;
      try {
        payload = JSON.stringify(result === undefined ? null : result);
      } catch {
        // RIC (src/utils/serialize.ts, errors.ts): a BigInt or a cycle fails the invocation with JSONStringifyError, named
        // Runtime.JSONStringifyError since the runtime client's v4 (the older one threw a plain Error).
        settled = false;
        settle(new RuntimeError('JSONStringifyError', 'Unable to stringify response body'));
        return;
      }
      send({ type: 'result', requestId: message.requestId, payload, memoryUsedMb: memoryUsedMb() });
      return;
    }
    // RIC CallbackContext: console.error('Invoke Error', toFormatted(err)) gives `Invoke Error \t{...}`.
    if (!exitAfter) console.error('Invoke Error', toFormatted(error));
    send({
      type: 'failure',
      requestId: message.requestId,
      error: toRapidResponse(error),
      memoryUsedMb: memoryUsedMb(),
      exitAfter,
    });
  };
  settleCurrent = settle;

  let clientContext: unknown;
  if (message.clientContext) {
    try {
      clientContext = JSON.parse(Buffer.from(message.clientContext, 'base64').toString('utf8'));
    } catch {
      clientContext = undefined;
    }
  }
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB,
    awsRequestId: message.requestId,
    logGroupName,
    logStreamName,
    identity: undefined,
    clientContext,
    getRemainingTimeInMillis: (): number => Math.max(0, message.deadline - Date.now()),
    // The legacy completion methods, kept by the runtime for old handlers.
    done: (error?: unknown, result?: unknown): void => settle(error, result),
    succeed: (result?: unknown): void => settle(null, result),
    fail: (error?: unknown): void => settle(error ?? new Error('handled')),
  };

  try {
    const event = JSON.parse(message.payload) as unknown;
    const returned = handler!(event, context, (error?: unknown, result?: unknown) => settle(error, result));
    // An async handler answers with its promise; a callback-style one answers when it calls back.
    if (returned && typeof (returned as Promise<unknown>).then === 'function') {
      (returned as Promise<unknown>).then(
        (result) => settle(null, result),
        (error: unknown) => settle(error ?? new Error('handled')),
      );
    }
  } catch (error) {
    settle(error ?? new Error('handled'));
  }
}

// An error escaping the handler's promise chain fails the invocation in flight and ends the runtime (RIC src/index.mjs).
function onEscapedError(label: string, error: unknown): void {
  console.error(label, toFormatted(error));
  if (settleCurrent) settleCurrent(error, undefined, true);
  setImmediate(() => process.exit(129));
}

async function main(): Promise<void> {
  patchConsole();
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (error) => onEscapedError('Uncaught Exception', error));
  process.on('unhandledRejection', (reason, promise) =>
    onEscapedError('Unhandled Promise Rejection', new UnhandledPromiseRejection(reason, promise)),
  );
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'invoke') runInvocation(message);
  });
  try {
    handler = await loadHandler();
  } catch (error) {
    // Init failures log with `undefined` in the request-id slot (docs/aws-semantics.md §3).
    console.error('Uncaught Exception', toFormatted(error));
    send({ type: 'init-error', error: toRapidResponse(error) });
    return;
  }
  send({ type: 'ready' });
}

void main();

// The runner's contract with its host: the function snapshot, one request and its outcome, and how an invocation is cut short.
import type { RuntimeErrorPayload } from './ipc-messages.js';

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

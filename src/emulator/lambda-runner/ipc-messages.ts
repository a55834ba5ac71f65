// The messages an execution environment's parent and child exchange over the IPC channel (types only).

/** The body a failed invocation returns, as the Node.js runtime builds it (docs/aws-semantics.md §1.5). */
export interface RuntimeErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /** The event as JSON text, parsed in the child. */
  payload: string;
  /** Epoch ms after which the parent kills the environment; drives getRemainingTimeInMillis(). */
  deadline: number;
  invokedFunctionArn: string;
  /** X-Amz-Client-Context, base64 JSON, synchronous calls only. */
  clientContext?: string;
}

/** To a spare runtime (spare-runtime.ts): the function it now serves. */
export interface AssignMessage {
  type: 'assign';
  /** The runtime's whole environment, as a fresh fork would have been given it. */
  env: Record<string, string>;
  /** The function's code directory (LAMBDA_TASK_ROOT), the working directory of a fresh fork. */
  cwd: string;
}

export type ParentMessage = InvokeMessage | AssignMessage;

export type ChildMessage =
  /** A spare runtime listens for its AssignMessage. */
  | { type: 'standby' }
  | { type: 'ready' }
  | { type: 'init-error'; error: RuntimeErrorPayload }
  | { type: 'log'; message: string }
  | { type: 'result'; requestId: string; payload: string; memoryUsedMb: number }
  | { type: 'failure'; requestId: string; error: RuntimeErrorPayload; memoryUsedMb: number; exitAfter?: boolean };

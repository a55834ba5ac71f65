// What every service shares: options, identity, the clock, its sibling services and the persistence hook.
import type { Incident } from './incidents.js';
import type { CloudFormationService } from './services/cloudformation/service.js';
import type { IamService } from './services/iam.js';
import type { LambdaService } from './services/lambda/service.js';
import type { LogsService } from './services/logs.js';
import type { SqsService } from './services/sqs.js';

/** 'acknowledged' (the default): a response may report it, so it is on disk before that response leaves. */
export type StateChange = 'acknowledged' | 'background';

export interface EmulatorOptions {
  /** Interface to bind; 127.0.0.1 unless the user asks otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  region?: string;
  accountId?: string;
  /**
   * Wait before retry 1 and retry 2 of a failed async invocation. AWS waits about 1 min then 2 min
   * (docs/aws-semantics.md §2); the local default keeps that 1:2 shape, 60x faster.
   */
  retryDelaysMs?: [number, number];
  /** Server mode: where state is persisted. Undefined keeps everything in memory. */
  stateDir?: string;
  /** Execution environments one function may run at once; further events wait in the async queue. */
  maxEnvironmentsPerFunction?: number;
  /**
   * Where the emulator's own log lines go (a background failure, say): the local server writes them to server.log.
   * Without it they are still counted (see incidents.ts) but printed nowhere.
   */
  log?: (line: string) => void;
}

export const DEFAULT_RETRY_DELAYS_MS: [number, number] = [1000, 2000];
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '000000000000';

/** Per-request facts a service may need without seeing the request itself. */
export interface RequestContext {
  /** The id returned in x-amzn-RequestId; Lambda's Invoke uses it as the invocation's RequestId. */
  requestId: string;
}

// biome-ignore lint/suspicious/noExplicitAny: each operation types its own input; the server hands it the decoded request.
export type Operation = (input: any, request: RequestContext) => unknown;

/** The services whose state is persisted entity by entity: they hold what grows (messages, log events). */
export type EntityService = 'sqs' | 'logs';

/** A service persisted entity by entity; keys are its own, the emulator prefixes them. */
export interface EntityState {
  exportEntities(): Iterable<[string, unknown]>;
  /** The entity's current value, or undefined when it is gone. */
  entity(key: string): unknown;
  importEntities(entities: Map<string, unknown>): void;
}

export interface Service {
  /** Operation name (exactly as AWS spells it) to handler. A name missing here is "not supported locally". */
  readonly operations: Record<string, Operation>;
  /** Plain JSON-serialisable state, for persistence. */
  exportState(): unknown;
  importState(state: unknown): void;
  /** Stops timers and child processes. */
  close(): Promise<void>;
}

export interface EmulatorContext {
  readonly region: string;
  readonly accountId: string;
  readonly retryDelaysMs: [number, number];
  readonly maxEnvironmentsPerFunction: number;
  /** The emulator's own origin, e.g. http://127.0.0.1:4566; queue URLs point here so SDK v3 calls never leave. */
  baseUrl(): string;
  now(): number;
  /**
   * Services call this after any change that must survive a restart. 'background' marks a change no response
   * acknowledges (a function's own log lines): it is saved within a fraction of a second, but no request waits for it.
   * `source` names a service that reports its changed entities itself through touch() (SQS, Logs); a change from any
   * other service saves the small services' state whole (IAM, Lambda, CloudFormation: a few kilobytes).
   */
  stateChanged(change?: StateChange, source?: EntityService): void;
  /**
   * Marks one entity of SQS or Logs changed (persistence.ts): the next save writes its value as `read` returns it then,
   * or as the service's entity(key) finds it; undefined means it is gone.
   */
  touch(service: EntityService, key: string, read?: () => unknown): void;
  /** A failure on a background path: counted as the metric AWS emits for it, and logged. */
  incident(incident: Incident): void;
  readonly sqs: SqsService;
  readonly logs: LogsService;
  readonly lambda: LambdaService;
  readonly cloudformation: CloudFormationService;
  readonly iam: IamService;
}

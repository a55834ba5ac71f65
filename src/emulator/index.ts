// The emulator's public door: startEmulator() serves CloudFormation, Lambda, SQS, CloudWatch Logs and STS on one port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  DEFAULT_RETRY_DELAYS_MS,
  type EmulatorContext,
  type EmulatorOptions,
  type StateChange,
} from './context.js';
import { Incidents, type Incident } from './incidents.js';
import { StatePersistence } from './persistence.js';
import { allowedHosts } from './admission.js';
import type { HttpRequest } from './protocol/http.js';
import {
  failureResponse,
  handle,
  malformedResponse,
  readRequest,
  refusalResponse,
  requestLine,
  tooLargeResponse,
  writeResponse,
  type ServiceTable,
} from './server.js';
import { CloudFormationService } from './services/cloudformation.js';
import { IamService } from './services/iam.js';
import { LambdaService } from './services/lambda.js';
import { LogsService } from './services/logs.js';
import { SqsService } from './services/sqs.js';
import { StsService } from './services/sts.js';

export type { EmulatorOptions } from './context.js';

/** Execution environments per function when the caller does not say; AWS's default account limit is far higher. */
export const DEFAULT_MAX_ENVIRONMENTS = 4;

export class Emulator implements EmulatorContext {
  readonly region: string;
  readonly accountId: string;
  readonly retryDelaysMs: [number, number];
  readonly maxEnvironmentsPerFunction: number;
  readonly sqs: SqsService;
  readonly logs: LogsService;
  readonly lambda: LambdaService;
  readonly cloudformation: CloudFormationService;
  readonly sts: StsService;
  readonly iam: IamService;
  private origin = 'http://127.0.0.1:0';
  private changeListeners: Array<(change: StateChange) => void> = [];
  readonly incidents: Incidents;
  /** Server mode only (options.stateDir): set by startEmulator. */
  persistence: StatePersistence | undefined;

  constructor(readonly options: EmulatorOptions = {}) {
    this.region = options.region ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.maxEnvironmentsPerFunction = options.maxEnvironmentsPerFunction ?? DEFAULT_MAX_ENVIRONMENTS;
    this.incidents = new Incidents(options.log ?? (() => {}));
    this.iam = new IamService(this);
    this.sqs = new SqsService(this);
    this.logs = new LogsService(this);
    this.lambda = new LambdaService(this);
    this.cloudformation = new CloudFormationService(this);
    this.sts = new StsService(this);
  }

  baseUrl(): string {
    return this.origin;
  }
  setBaseUrl(origin: string): void {
    this.origin = origin;
  }
  now(): number {
    return Date.now();
  }
  stateChanged(change: StateChange = 'acknowledged'): void {
    for (const listener of this.changeListeners) listener(change);
  }
  incident(incident: Incident): void {
    this.incidents.record(incident);
  }
  onStateChanged(listener: (change: StateChange) => void): void {
    this.changeListeners.push(listener);
  }
  /** Resolves once every change made so far is on disk; at once when nothing is pending or nothing is persisted. */
  afterRequest(): Promise<void> {
    return this.persistence ? this.persistence.whenSaved() : Promise.resolve();
  }

  get services(): ServiceTable {
    return { sqs: this.sqs, logs: this.logs, lambda: this.lambda, cloudformation: this.cloudformation, sts: this.sts };
  }

  exportState(): Record<string, unknown> {
    return {
      iam: this.iam.exportState(),
      sqs: this.sqs.exportState(),
      logs: this.logs.exportState(),
      lambda: this.lambda.exportState(),
      cloudformation: this.cloudformation.exportState(),
    };
  }

  importState(state: Record<string, unknown>): void {
    // Order matters: the Lambda service resumes pending retries that deliver to SQS and write to Logs.
    this.iam.importState(state.iam);
    this.sqs.importState(state.sqs);
    this.logs.importState(state.logs);
    this.cloudformation.importState(state.cloudformation);
    this.lambda.importState(state.lambda);
  }

  async close(): Promise<void> {
    await Promise.all([this.lambda.close(), this.sqs.close(), this.logs.close(), this.cloudformation.close()]);
  }
}

export interface RunningEmulator {
  /** http://host:port */
  url: string;
  host: string;
  port: number;
  emulator: Emulator;
  server: Server;
  close(): Promise<void>;
}

/**
 * Starts the emulator on options.host (127.0.0.1) and options.port (0 = a free port). With options.stateDir it first
 * restores the saved state; a corrupt or foreign state file rejects with CorruptStateError after moving the file
 * aside, so the caller can report it and start again (empty) or stop.
 */
export async function startEmulator(options: EmulatorOptions = {}, emulator = new Emulator(options)): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const startedAt = Date.now();
  let persistence: StatePersistence | undefined;
  if (options.stateDir) {
    persistence = new StatePersistence(options.stateDir);
    const saved = persistence.load();
    if (saved) emulator.importState(saved);
    const target = persistence;
    emulator.onStateChanged((change) => target.scheduleSave(() => emulator.exportState(), change));
    emulator.persistence = persistence;
  }
  const log = options.log ?? (() => {});
  // Set once the port is known: until then nothing is served anyway.
  let hostAllowed: (host: string | undefined) => boolean = () => false;
  const health = () => ({
    status: 'ok',
    pid: process.pid,
    url: emulator.baseUrl(),
    region: emulator.region,
    startedAt,
    stacks: emulator.cloudformation.stackSummaries(),
    incidents: emulator.incidents.snapshot(),
  });
  // One boundary for every request: whatever throws while reading, checking, routing or answering becomes that
  // request's InternalFailure (logged with its request line), and the server goes on serving (DESIGN.md §5).
  const server = createServer(async (incoming, outgoing) => {
    let request: HttpRequest | undefined;
    try {
      const read = await readRequest(incoming);
      request = read;
      const refusal = refusalResponse(read, hostAllowed);
      // A refused request is worth a line: it is a web page, or a client set up wrong, knocking.
      if (refusal) log(`refused ${requestLine(incoming)}: ${refusal.reason}`);
      const response =
        refusal?.response ??
        (read.malformed ? malformedResponse(read, read.malformed) : undefined) ??
        (read.tooLarge ? tooLargeResponse(read) : undefined) ??
        (await handle(read, emulator.services, { health }));
      // "Nothing acknowledged is ever lost" (DESIGN.md §7): a response that reports a change (a message sent, an
      // async invoke accepted) waits until that change is on disk. Requests that change nothing pass straight
      // through, and requests finishing together share one write, so the wait is one write, not one per request.
      // A failed save answers 500, never an acknowledgement the disk does not hold.
      await emulator.afterRequest();
      writeResponse(outgoing, response);
    } catch (error) {
      log(`InternalFailure on ${requestLine(incoming)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      try {
        if (outgoing.headersSent) outgoing.destroy();
        else writeResponse(outgoing, failureResponse(request ?? { method: incoming.method ?? 'GET', path: '/', query: new URLSearchParams(), headers: incoming.headers, body: Buffer.alloc(0) }, error));
      } catch {
        outgoing.destroy();
      }
    }
  });
  server.keepAliveTimeout = 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The restored state may already have started timers (pending retries); stop them with the failed start.
    if (persistence) {
      persistence.dispose();
      await emulator.close();
    }
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  hostAllowed = allowedHosts(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${urlHost}:${port}`;
  emulator.setBaseUrl(url);
  return {
    url,
    host,
    port,
    emulator,
    server,
    async close() {
      try {
        await emulator.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      } finally {
        // Last word on disk: whatever the services hold once stopped, debounce or not.
        persistence?.flush(() => emulator.exportState());
      }
    },
  };
}

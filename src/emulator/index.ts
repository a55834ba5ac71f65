// The emulator's public door: startEmulator() serves CloudFormation, Lambda, SQS, CloudWatch Logs and STS on one port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  DEFAULT_RETRY_DELAYS_MS,
  type EmulatorContext,
  type EmulatorOptions,
  type EntityService,
  type EntityState,
  type StateChange,
} from './context.js';
import { Incidents, type Incident } from './incidents.js';
import { StatePersistence, type Entities } from './persistence.js';
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
import { CloudFormationService } from './services/cloudformation/service.js';
import { IamService } from './services/iam.js';
import { LambdaService } from './services/lambda/service.js';
import { LogsService } from './services/logs.js';
import { SqsService } from './services/sqs.js';
import { StsService } from './services/sts.js';

export type { EmulatorOptions } from './context.js';

/** The small services, persisted whole under their own name (persistence.ts). */
const COARSE_SERVICES = ['iam', 'lambda', 'cloudformation'];
/** Between a service's name and its own entity key: a character no queue, log group or stream name may hold. */
const KEY_SEPARATOR = '\u0000';

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
  stateChanged(change: StateChange = 'acknowledged', source?: EntityService): void {
    this.persistence?.changed(source ? [] : COARSE_SERVICES, change);
  }
  touch(service: EntityService, key: string, read?: () => unknown): void {
    this.persistence?.mark(`${service}${KEY_SEPARATOR}${key}`, read);
  }
  incident(incident: Incident): void {
    this.incidents.record(incident);
  }

  /** One persisted entity's current value (persistence.ts): a small service's whole state, or an SQS/Logs entity. */
  entity(key: string): unknown {
    const split = key.indexOf(KEY_SEPARATOR);
    if (split === -1) return this.coarse(key)?.exportState();
    const service = key.slice(0, split) as EntityService;
    return this.entityServices[service]?.entity(key.slice(split + 1));
  }

  exportEntities(): Entities {
    const entities: Entities = new Map();
    for (const name of COARSE_SERVICES) entities.set(name, this.coarse(name)!.exportState());
    for (const [service, state] of Object.entries(this.entityServices)) {
      for (const [key, value] of state.exportEntities()) entities.set(`${service}${KEY_SEPARATOR}${key}`, value);
    }
    return entities;
  }

  importEntities(entities: Entities): void {
    const perService: Record<EntityService, Map<string, unknown>> = { sqs: new Map(), logs: new Map() };
    for (const [key, value] of entities) {
      const split = key.indexOf(KEY_SEPARATOR);
      if (split !== -1) perService[key.slice(0, split) as EntityService]?.set(key.slice(split + 1), value);
    }
    // Order matters: the Lambda service resumes pending retries that deliver to SQS and write to Logs.
    this.iam.importState(entities.get('iam'));
    this.sqs.importEntities(perService.sqs);
    this.logs.importEntities(perService.logs);
    this.cloudformation.importState(entities.get('cloudformation'));
    this.lambda.importState(entities.get('lambda'));
  }

  private get entityServices(): Record<EntityService, EntityState> {
    return { sqs: this.sqs, logs: this.logs };
  }

  private coarse(name: string): { exportState(): unknown } | undefined {
    return name === 'iam' ? this.iam : name === 'lambda' ? this.lambda : name === 'cloudformation' ? this.cloudformation : undefined;
  }
  /** Resolves once every change made so far is on disk; at once when nothing is pending or nothing is persisted. */
  /** How many acknowledged changes so far: afterRequest's argument, taken when a request arrives. */
  changeCount(): number {
    return this.persistence?.changeCount ?? 0;
  }

  /** Resolves once the request's changes are on disk; at once for a request that changed nothing. */
  afterRequest(changeCountBefore: number): Promise<void> {
    return this.persistence ? this.persistence.whenSaved(changeCountBefore) : Promise.resolve();
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

const MALFORMED_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Bytes node's HTTP parser cannot read (a bad method, a broken chunk, garbage after a pipelined request): 400 and
 * close, as node does by default, but only after the answer to an earlier request on the same connection is written;
 * node's default destroys the socket at once and drops that answer.
 */
function answerMalformed(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const status = MALFORMED_STATUS[error.code ?? ''] ?? '400 Bad Request';
  const refuse = (): void => {
    if (!socket.writable) return void socket.destroy();
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  // node's own field for the response in progress on this connection (what its default handler checks too).
  const busy = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  // Wait only for an answer to a request that arrived whole; one whose own body broke off is never answered.
  if (busy && !busy.writableFinished && busy.req.complete) busy.once('close', refuse);
  else refuse();
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
  const log = options.log ?? (() => {});
  let persistence: StatePersistence | undefined;
  if (options.stateDir) {
    persistence = new StatePersistence(options.stateDir);
    // One server per state directory, before anything is read (docs/DESIGN.md §5).
    persistence.lock();
    try {
      const saved = persistence.load();
      for (const notice of persistence.notices) log(notice);
      persistence.attach((key) => emulator.entity(key), () => emulator.exportEntities());
      persistence.onWriteError = (error) => {
        emulator.incidents.record({ metric: 'StateWriteErrors', functionName: '(server)', message: `a state write failed: ${error instanceof Error ? error.message : String(error)}; the requests that needed it got InternalFailure; the changes stay in memory and are written as soon as the disk takes them.` });
      };
      persistence.onWriteRecovered = () => log(`state writes work again: the changes kept in memory are on disk in ${options.stateDir}.`);
      emulator.persistence = persistence;
      if (saved?.kind === 'entities') emulator.importEntities(saved.entities);
      if (saved?.kind === 'legacy') {
        emulator.importState(saved.state);
        // The first format rewrote the whole state per change: convert it once into a snapshot and a journal.
        persistence.compact();
      }
    } catch (error) {
      persistence.dispose();
      throw error;
    }
  }
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
    // Where a local server keeps its state, so `local stop --port N` can find the server by its port alone.
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
  });
  // One boundary for every request: whatever throws while reading, checking, routing or answering becomes that
  // request's InternalFailure (logged with its request line), and the server goes on serving (docs/DESIGN.md §5).
  const server = createServer(async (incoming, outgoing) => {
    let request: HttpRequest | undefined;
    try {
      const read = await readRequest(incoming);
      const changesBefore = emulator.changeCount();
      request = read;
      const refusal = refusalResponse(read, hostAllowed);
      // A refused request is worth a line: it is a web page, or a client set up wrong, knocking.
      if (refusal) log(`refused ${requestLine(incoming)}: ${refusal.reason}`);
      const response =
        refusal?.response ??
        (read.malformed ? malformedResponse(read, read.malformed) : undefined) ??
        (read.tooLarge ? tooLargeResponse(read) : undefined) ??
        (await handle(read, emulator.services, { health }));
      // "Nothing acknowledged is ever lost" (docs/DESIGN.md §7): a response that reports a change (a message sent, an
      // async invoke accepted) waits until that change is on disk. Requests that change nothing pass straight
      // through, and requests finishing together share one write, so the wait is one write, not one per request.
      // A failed save answers 500, never an acknowledgement the disk does not hold.
      await emulator.afterRequest(changesBefore);
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
  server.on('clientError', answerMalformed);
  // Not a proxy: without this listener Node drops a CONNECT without a word; it gets an answer and a log line instead.
  server.on('connect', (incoming: IncomingMessage, socket: Duplex) => {
    log(`refused CONNECT ${incoming.url ?? ''}: the emulator is not a proxy`);
    socket.on('error', () => {});
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, POST, PUT, DELETE\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
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
        try {
          persistence?.flush();
        } catch (error) {
          // A full disk at shutdown: what is lost was never acknowledged (its requests got a 500), but it is told.
          log(`the last state write at shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          persistence?.dispose();
        }
      }
    },
  };
}

// `local start|stop|status`: the emulator as a server on a fixed port, for the per-step commands and the AWS CLI.
import { environmentError, DemoError } from '../errors.js';
import { formatSeconds } from '../lesson/timeline.js';
import { removeServerRecord, type ServerRecord } from '../local/pid-file.js';
import {
  findServer,
  startDetached,
  startServer,
  stateDirOnPort,
  stopServer,
  waitForStopRequest,
  type ServerStatus,
  type StopOutcome,
} from '../local/server.js';
import { isLoopback, type LocalSettings } from '../local/settings.js';
import { commandLine } from './command-line.js';
import type { Outcome } from './outcome.js';
import type { CommandDeps } from './session.js';
import { configuredRegion } from '../aws/clients.js';

export interface LocalStartOptions {
  local: LocalSettings;
  /** -d: run in the background and return once it answers. */
  detach: boolean;
  region?: string;
}

/** How to point the AWS CLI (or any SDK) at the server: any credentials work, the region is the server's. */
function awsCliLines(record: ServerRecord): string[] {
  return [
    'Use it with the AWS CLI (the emulator accepts any credentials):',
    `  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=${record.region}`,
    `  aws --endpoint-url ${record.url} cloudformation describe-stacks`,
  ];
}

function exposureWarning(host: string, port: number): string {
  return (
    `Warning: listening on ${host}, not only on this machine: anyone who can reach port ${port} can use the emulator ` +
    'without credentials and run code in it.'
  );
}

/** What `local start -d` found and began before anything printed: a server already there, or one starting. */
export interface DetachedLaunch {
  /** Lines to print before the outcome (a stale pid file removed, a non-loopback host). */
  notes: string[];
  /** The server that already runs here: `-d` then has nothing to do. */
  running?: ServerRecord;
  /** The spawned server, resolved once it answers. */
  started?: Promise<ServerRecord>;
}

/**
 * `local start -d` up to the spawn, needing no reporter: the CLI calls it before loading one, so the server's process
 * boots on the other core while this one loads what it prints with (bench section 6). Throws what localStart throws.
 */
export async function launchDetached(options: LocalStartOptions, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<DetachedLaunch> {
  const notes: string[] = [];
  const status = await checkStatus(options, env, notes);
  if (status.state === 'running') return { notes, running: status.record };
  const started = startDetached(serveConfig(options, env), signal);
  // Awaited by localStart; until then a failure must not count as unhandled.
  started.catch(() => {});
  return { notes, started };
}

/** The state dir's server, checked before a start: a hung one is an error, a stale pid file goes (said in `notes`). */
async function checkStatus(options: LocalStartOptions, env: NodeJS.ProcessEnv, notes: string[]): Promise<Awaited<ReturnType<typeof findServer>>> {
  const { local } = options;
  const status = await findServer(local.stateDir);
  if (status.state === 'running') {
    const { record } = status;
    if (!options.detach) {
      throw new DemoError(
        'environment',
        `The local emulator already runs at ${record.url} (pid ${record.pid}).`,
        `Use it as it is, or stop it first: ${commandLine('local stop', { local }, env)}`,
      );
    }
    return status;
  }
  if (status.state === 'unresponsive') {
    throw environmentError(
      `A local emulator (pid ${status.record.pid}) is registered in ${local.stateDir} but does not answer at ${status.record.url}.`,
      `Stop it with "${commandLine('local stop', { local }, env)}", then start again; its log: ${status.record.logPath}`,
    );
  }
  if (status.state === 'stale') {
    removeServerRecord(local.stateDir, status.record.pid);
    notes.push(`Removed a stale pid file: pid ${status.record.pid} is gone (killed, or the machine restarted).`);
  }
  if (!isLoopback(local.host)) notes.push(exposureWarning(local.host, local.port));
  return status;
}

function serveConfig(options: LocalStartOptions, env: NodeJS.ProcessEnv) {
  const { local } = options;
  return {
    stateDir: local.stateDir,
    host: local.host,
    port: local.port,
    region: configuredRegion(options.region, env),
    retryDelaysMs: local.retryDelaysMs,
    startedBy: 'user' as const,
  };
}

/** `launch`: what launchDetached already began for this `-d` start (the CLI's early spawn); undefined begins it now. */
export async function localStart(options: LocalStartOptions, deps: CommandDeps, launch?: Promise<DetachedLaunch>): Promise<Outcome> {
  const { reporter } = deps;
  const { local } = options;
  const delays = local.retryDelaysMs.map(formatSeconds).join(' and ');

  if (options.detach) {
    const launched = await (launch ?? launchDetached(options, deps.env, deps.signal));
    for (const note of launched.notes) reporter.info(note);
    if (launched.running) {
      const record = launched.running;
      reporter.result([`The local emulator already runs at ${record.url} (pid ${record.pid}, state in ${record.stateDir}).`]);
      return 'ok';
    }
    const record = await launched.started!;
    for (const notice of record.notices) reporter.info(notice);
    reporter.result([
      `The local emulator runs at ${record.url} (pid ${record.pid}), in the background; retry delays ${delays}.`,
      `State: ${record.stateDir} (log: ${record.logPath})`,
      ...awsCliLines(record),
      `Stop it with: ${commandLine('local stop', { local }, deps.env)}`,
    ]);
    return 'ok';
  }

  const notes: string[] = [];
  await checkStatus(options, deps.env, notes);
  for (const note of notes) reporter.info(note);
  const config = serveConfig(options, deps.env);

  // The foreground server's log is the terminal: a failed DLQ send or log write shows up as it happens.
  const server = await startServer(config, (line) => reporter.info(`${new Date().toISOString()} ${line}`));
  // Listening for SIGTERM before saying it listens: whoever reads that line may signal at once.
  const stopRequest = waitForStopRequest(deps.signal);
  for (const notice of server.notices) reporter.info(notice);
  const { record } = server;
  reporter.result([
    `The local emulator listens at ${record.url} (pid ${record.pid}); retry delays ${delays}.`,
    `State: ${record.stateDir}`,
    ...awsCliLines(record),
    'Ctrl-C stops it; its state stays for the next start.',
  ]);
  const signal = await stopRequest;
  reporter.info(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the local emulator...`);
  await server.stop();
  reporter.info(`Stopped; its state is saved in ${record.stateDir}.`);
  return 'ok';
}

/**
 * `--port N` without `--state-dir`: the server answering on that port names its own state directory. Undefined when
 * nothing of ours answers there; the settings unchanged without --port or with --state-dir.
 */
async function settingsForPort(local: LocalSettings): Promise<LocalSettings | 'nothing' | 'in-run'> {
  if (!local.portExplicit || local.stateDirExplicit) return local;
  const found = await stateDirOnPort(local.host, local.port);
  if (found === undefined) return 'nothing';
  if (found === 'none') return 'in-run';
  return { ...local, stateDir: found, stateDirExplicit: true };
}

/** `--port N` found no server of ours to ask: nothing answers there, or the emulator of a running `run` does. */
export interface NothingOnPort {
  found: 'nothing-on-port';
  requested: LocalSettings;
  which: 'nothing' | 'in-run';
}

/** What `local stop` did, for the CLI to say. */
export type LocalStopReport = NothingOnPort | { found: 'state-dir'; local: LocalSettings; outcome: StopOutcome };

export async function localStop(requested: LocalSettings): Promise<LocalStopReport> {
  const local = await settingsForPort(requested);
  if (typeof local === 'string') return { found: 'nothing-on-port', requested, which: local };
  return { found: 'state-dir', local, outcome: await stopServer(local.stateDir) };
}

/** What `local status` found, for the CLI to show as text or JSON. A stale pid file is already removed. */
export type LocalStatusReport = NothingOnPort | { found: 'state-dir'; local: LocalSettings; status: ServerStatus };

export async function localStatus(requested: LocalSettings): Promise<LocalStatusReport> {
  const local = await settingsForPort(requested);
  if (typeof local === 'string') return { found: 'nothing-on-port', requested, which: local };
  const status = await findServer(local.stateDir);
  if (status.state === 'stale') removeServerRecord(local.stateDir, status.record.pid);
  return { found: 'state-dir', local, status };
}

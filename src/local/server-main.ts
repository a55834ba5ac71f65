// The detached local server's process: serve until SIGTERM, logging to the state dir; tells its starter ready or why not.
import { DemoError } from '../errors.js';
import { startServer, waitForStopRequest, type ServeConfig, type StartupMessage } from './server.js';

/**
 * This process's own exit status (and the `exitCode` of its "failed" message) when it cannot serve: 3, what the CLI
 * exits with for an environment failure. It is a program of its own, not the CLI: what it could not do (a port taken,
 * a state dir locked) is always the environment's doing, and its starter reports the failure by its kind.
 */
const CANNOT_SERVE = 3;

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/** Only while the starter still listens: after it disconnects, the log is the only channel. */
function tellStarter(message: StartupMessage): void {
  if (process.connected) process.send?.(message);
}

async function serveDetached(config: ServeConfig): Promise<number> {
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, log);
  } catch (error) {
    const known = error instanceof DemoError;
    const message = known ? error.message : `Unexpected error while starting: ${error instanceof Error ? error.stack : String(error)}`;
    log(`Error: ${message}${known && error.hint ? `\nHint: ${error.hint}` : ''}`);
    const kind = known ? error.kind : 'environment';
    tellStarter({ type: 'failed', kind, exitCode: CANNOT_SERVE, message, hint: known ? error.hint : `See ${config.stateDir}/server.log` });
    return CANNOT_SERVE;
  }
  // Listening for SIGTERM before saying it is ready: the starter may stop it the moment it returns.
  const stopRequest = waitForStopRequest();
  for (const notice of server.notices) log(notice);
  const { record } = server;
  log(`listening on ${record.url} (pid ${record.pid}), state in ${record.stateDir}, retry delays ${record.retryDelaysMs.join(' ms, ')} ms`);
  tellStarter({ type: 'ready', record });

  const signal = await stopRequest;
  log(`${signal}: stopping`);
  await server.stop();
  log('stopped; state saved');
  return 0;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServeConfig;
// Exit outright: the state is on disk, and a handle someone forgot must not keep a stopped server's process alive.
process.exit(await serveDetached(config));

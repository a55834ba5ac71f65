// Where the local server lives: its default port, its state directory, and which hosts count as this machine only.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Not LocalStack's 4566, so both can run side by side. */
export const DEFAULT_PORT = 4577;
export const DEFAULT_HOST = '127.0.0.1';
export const PORT_ENV = 'LAMBDA_ASYNC_DEMO_PORT';
export const STATE_DIR_ENV = 'LAMBDA_ASYNC_DEMO_STATE_DIR';

/** What the per-step commands and `local start` need to find, or start, the local server. */
export interface LocalSettings {
  stateDir: string;
  /** --state-dir was given (so hints repeat it). */
  stateDirExplicit: boolean;
  port: number;
  /** --port was given: the server on that port is the one meant (its environment variable is only a default). */
  portExplicit: boolean;
  host: string;
  /** The retry delays a server started now gets (a running server keeps its own). */
  retryDelaysMs: [number, number];
  /** --retry-delays was given on the command line (so a running server with other delays deserves a note). */
  retryDelaysExplicit: boolean;
}

/**
 * --state-dir, else $LAMBDA_ASYNC_DEMO_STATE_DIR, else $XDG_STATE_HOME/lambda-async-demo, else
 * ~/.local/state/lambda-async-demo (the XDG default). Relative paths resolve against the working directory.
 */
export function resolveStateDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const chosen = flag || env[STATE_DIR_ENV];
  if (chosen) return resolve(chosen);
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(xdg, 'lambda-async-demo');
}

/** True for addresses only this machine can reach; anything else exposes an unauthenticated emulator. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** http://host:port, with brackets around an IPv6 address and a wildcard address shown as the loopback one. */
export function urlFor(host: string, port: number): string {
  if (host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

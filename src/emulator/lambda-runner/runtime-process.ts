// Forking a Node.js runtime process: the bootstrap's path and loader, and the clean environment every runtime starts with.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Running from src (tsx) the bootstrap is a .ts file and the child needs tsx's ESM loader; from dist it is plain .js.
const OWN_EXTENSION = path.extname(fileURLToPath(import.meta.url));
const BOOTSTRAP_PATH = fileURLToPath(new URL(`./bootstrap${OWN_EXTENSION}`, import.meta.url));

function bootstrapExecArgv(): string[] {
  if (OWN_EXTENSION !== '.ts') return [];
  return ['--import', import.meta.resolve('tsx/esm')];
}

/** The package's node_modules, offered as NODE_PATH so function code finds the AWS SDK as it does on Lambda. */
const SDK_NODE_PATH = ((): string | undefined => {
  try {
    const resolved = createRequire(import.meta.url).resolve('@aws-sdk/client-lambda');
    const marker = `${path.sep}node_modules${path.sep}`;
    return resolved.slice(0, resolved.lastIndexOf(marker) + marker.length - 1);
  } catch {
    return undefined;
  }
})();

/** Tells bootstrap.ts it is a spare runtime: wait for the function to serve before reading the environment. */
export const SPARE_RUNTIME_VARIABLE = 'LAMBDA_ASYNC_DEMO_SPARE_RUNTIME';

/** What every runtime process starts with; the function's own variables come on top. Never the parent's env. */
export function baseRuntimeEnvironment(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
  };
  if (SDK_NODE_PATH) env.NODE_PATH = SDK_NODE_PATH;
  if (process.platform === 'win32' && process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  return env;
}

export function forkRuntime(env: Record<string, string>, cwd: string): ChildProcess {
  const child = fork(BOOTSTRAP_PATH, [], {
    cwd,
    env,
    execArgv: bootstrapExecArgv(),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  for (const stream of [child.stdout, child.stderr]) {
    // The pipes alone must not keep the emulator's process alive; the IPC channel decides that (see park()).
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
  child.on('error', () => {
    // Spawn failures surface as an exit; nothing else to do here.
  });
  return child;
}

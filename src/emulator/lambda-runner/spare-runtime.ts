// Spare runtimes: a runtime process started ahead of the next cold start, handed to the first function that fits.
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { ChildMessage } from './ipc-messages.js';
import { baseRuntimeEnvironment, forkRuntime, SPARE_RUNTIME_VARIABLE } from './runtime-process.js';
import { spawnPython, type LanguageRuntime } from './runtimes.js';

/** Which spare a function can take: one per language, and per interpreter for Python (python3.12, python3.13, ...). */
export function spareKey(runtime: LanguageRuntime): string {
  return runtime.family === 'python' ? `python:${runtime.command ?? 'python3'}` : 'nodejs';
}

/**
 * A runtime process started before any function needs it, so a cold start skips the interpreter's own boot (about
 * 100 ms for Node.js, 40 ms for Python on a small machine) and pays only for loading the handler, much as Lambda keeps
 * sandboxes ready before a request lands. It runs the same bootstrap (bootstrap.ts, bootstrap.py), which waits on IPC
 * for the function it will serve: environment and code directory.
 */
export class SpareRuntime {
  readonly child: ChildProcess;
  private readonly base = baseRuntimeEnvironment();
  /** Resolves once the bootstrap listens for its assignment: a message sent before that could be lost. */
  private readonly standingBy: Promise<void>;

  constructor(runtime?: LanguageRuntime) {
    const env = { ...this.base, [SPARE_RUNTIME_VARIABLE]: '1' };
    this.child = runtime?.family === 'python' ? spawnPython(runtime, env, tmpdir()) : forkRuntime(env, tmpdir());
    // Idle, it must not keep the emulator's process alive.
    this.child.unref();
    this.child.channel?.unref();
    this.standingBy = new Promise((resolve) => {
      const onMessage = (message: ChildMessage): void => {
        if (message.type !== 'standby') return;
        this.child.off('message', onMessage);
        resolve();
      };
      this.child.on('message', onMessage);
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  /**
   * Node reads some variables only as it starts (NODE_OPTIONS, NODE_PATH, ...): a function that sets them gets a fresh
   * fork. Python runs isolated (-I), so its PYTHON* variables are never read; the locale and the like are, at start.
   */
  fits(env: Record<string, string>): boolean {
    for (const [name, value] of Object.entries(this.base)) if (env[name] !== value) return false;
    return !Object.keys(env).some((name) => /^(NODE_|UV_|LC_|PYTHON)/.test(name) && !(name in this.base));
  }

  /** Hands the runtime its function; returns the process, held (ref'd) like a fresh fork until it is parked. */
  claim(env: Record<string, string>, cwd: string): ChildProcess {
    this.child.ref();
    this.child.channel?.ref();
    void this.standingBy.then(() => {
      try {
        this.child.send({ type: 'assign', env, cwd });
      } catch {
        // It died meanwhile: its exit reports the failed init.
      }
    });
    return this.child;
  }

  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.kill('SIGKILL');
    return closed;
  }
}

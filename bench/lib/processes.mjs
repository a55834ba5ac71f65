// Child processes for the bench: timed runs, peak memory of a process tree, free ports, waiting for a port to answer.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Peak memory is read from /proc (Linux); elsewhere the bench says so and reports no memory figures. */
export const canSampleMemory = (() => {
  try {
    readFileSync(`/proc/${process.pid}/status`, 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/** VmHWM (the process's peak resident set) in kB, or undefined once the process is gone. */
function peakRssKb(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of `pid`, across all its threads (a fork may come from any of them). */
function childrenOf(pid) {
  const children = new Set();
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) {
        if (child.trim()) children.add(Number(child));
      }
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return [...children];
}

/**
 * Watches a process and its children while it runs. VmHWM is a high-water mark, so a sample now and then is enough:
 * only a peak in a process's last interval could be missed. The interval is long enough not to slow the run.
 */
function watchMemory(pid, intervalMs) {
  const peaks = { processKb: 0, largestChildKb: 0, children: new Set() };
  const sample = () => {
    peaks.processKb = Math.max(peaks.processKb, peakRssKb(pid) ?? 0);
    for (const child of childrenOf(pid)) {
      peaks.children.add(child);
      peaks.largestChildKb = Math.max(peaks.largestChildKb, peakRssKb(child) ?? 0);
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      return { processKb: peaks.processKb || undefined, largestChildKb: peaks.largestChildKb || undefined, childCount: peaks.children.size };
    },
  };
}

/**
 * Runs a command to completion and times it from spawn to exit; `onStderr` hears stderr as it arrives.
 * @returns {Promise<{ wallMs: number, code: number | null, signal: string | null, stdout: string, stderr: string,
 *   memory?: { processKb?: number, largestChildKb?: number, childCount: number } }>}
 */
export function runTimed(command, args, options = {}) {
  const { env, cwd, timeoutMs = 120_000, sampleMemoryEveryMs, onStderr } = options;
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const watcher = sampleMemoryEveryMs && canSampleMemory ? watchMemory(child.pid, sampleMemoryEveryMs) : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(chunk.toString());
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(killer);
      watcher?.stop();
      reject(error);
    });
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - startedAt;
      clearTimeout(killer);
      const memory = watcher?.stop();
      // stdout/stderr may still be draining: wait for 'close' before handing them over.
      child.on('close', () => resolve({ wallMs, code, signal, stdout, stderr, memory }));
    });
  });
}

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Calls `probe` every `intervalMs` until it resolves truthy; rejects after `timeoutMs`. Returns the elapsed ms. */
export async function waitUntil(probe, { intervalMs = 5, timeoutMs = 30_000, what = 'the condition' } = {}) {
  const startedAt = performance.now();
  for (;;) {
    try {
      if (await probe()) return performance.now() - startedAt;
    } catch {
      // Not yet: connection refused, a 5xx while starting.
    }
    if (performance.now() - startedAt > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Stops a child we started, politely first; resolves when it has exited. */
export function stopChild(child, graceMs = 3_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

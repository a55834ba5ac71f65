// The local server's pid file (<stateDir>/server.json): who runs, where, since when, and who started it.
import { join } from 'node:path';
import { readJson, removeFile, writeJsonAtomically } from './json-file.js';

export type StartedBy = 'user' | 'auto';

export interface ServerRecord {
  pid: number;
  url: string;
  port: number;
  host: string;
  stateDir: string;
  /** ISO 8601. */
  startedAt: string;
  /** The server process's boot and start time (process-identity.ts): a later process with the same pid is not it. */
  processStamp?: string;
  /** "user": `local start`; "auto": a per-step command started it, so `teardown` stops it again. */
  startedBy: StartedBy;
  region: string;
  retryDelaysMs: [number, number];
  /** Where a detached server writes its output. */
  logPath: string;
  /** What the server had to say while starting (a corrupt state file moved aside), for `local start -d` to relay. */
  notices: string[];
}

const PID_FILE = 'server.json';
const LOG_FILE = 'server.log';

function pidFilePath(stateDir: string): string {
  return join(stateDir, PID_FILE);
}

export function logFilePath(stateDir: string): string {
  return join(stateDir, LOG_FILE);
}

function isRecord(value: unknown): value is ServerRecord {
  const record = value as Partial<ServerRecord> | undefined;
  return (
    typeof record === 'object' &&
    record !== null &&
    Number.isInteger(record.pid) &&
    (record.pid ?? 0) > 0 &&
    typeof record.url === 'string' &&
    Number.isInteger(record.port) &&
    typeof record.host === 'string' &&
    (record.startedBy === 'user' || record.startedBy === 'auto')
  );
}

/** The pid file's record; undefined when there is none or it is not ours (then it is as good as absent). */
export function readServerRecord(stateDir: string): ServerRecord | undefined {
  const value = readJson(pidFilePath(stateDir));
  if (!isRecord(value)) return undefined;
  return {
    ...value,
    stateDir: value.stateDir ?? stateDir,
    region: value.region ?? 'us-east-1',
    retryDelaysMs: Array.isArray(value.retryDelaysMs) && value.retryDelaysMs.length === 2 ? value.retryDelaysMs : [1000, 2000],
    logPath: value.logPath ?? logFilePath(stateDir),
    notices: Array.isArray(value.notices) ? value.notices : [],
  };
}

export function writeServerRecord(record: ServerRecord): void {
  writeJsonAtomically(pidFilePath(record.stateDir), record);
}

/** Removes the pid file, but only if it still names `pid`: a newer server may have replaced it meanwhile. */
export function removeServerRecord(stateDir: string, pid?: number): void {
  if (pid !== undefined) {
    const current = readServerRecord(stateDir);
    if (current && current.pid !== pid) return;
  }
  removeFile(pidFilePath(stateDir));
}


// What `local stop` and `local status` found, as the lines (or the JSON document) the CLI prints, and how each ends.
import type { LocalStatusReport, LocalStopReport, NothingOnPort } from '../commands/local.js';
import { commandLine } from '../commands/command-line.js';
import type { Outcome } from '../commands/outcome.js';
import type { IncidentCounts } from '../emulator/incidents.js';
import { environmentError } from '../errors.js';
import { formatSeconds } from '../lesson/timeline.js';
import { BIN } from '../product.js';

function nothingOnPort({ requested, which }: NothingOnPort): string {
  return which === 'nothing'
    ? `No local emulator answers on ${requested.host}:${requested.port}.`
    : `The emulator on ${requested.host}:${requested.port} belongs to a running "${BIN} run": it stops when that run ends.`;
}

function ago(isoTime: string): string {
  const since = Date.now() - Date.parse(isoTime);
  return Number.isFinite(since) ? formatSeconds(Math.max(0, since)) : 'an unknown time';
}

/** Async-path failures since the server started, one line per function, or nothing when there were none. */
function incidentLines(incidents: IncidentCounts, logPath: string): string[] {
  const lines = Object.entries(incidents).map(
    ([functionName, counts]) =>
      `              ${functionName}: ${Object.entries(counts).map(([metric, count]) => `${metric} ${count}`).join(', ')}`,
  );
  return lines.length ? [`Async events: (details in ${logPath})`, ...lines] : [];
}

/** `local stop`'s one result line. */
export function localStopLines(report: LocalStopReport): string[] {
  if (report.found === 'nothing-on-port') return [`${nothingOnPort(report)} Nothing to stop.`];
  const { local, outcome } = report;
  if (outcome.state === 'not-running') return [`The local emulator is not running (state dir ${local.stateDir}): nothing to stop.`];
  if (outcome.state === 'stale') {
    return [`The local emulator was not running: removed the stale pid file of pid ${outcome.record.pid}, which is gone.`];
  }
  const how = outcome.forced ? ' with SIGKILL, after it ignored SIGTERM' : '';
  return [`Stopped the local emulator at ${outcome.record.url} (pid ${outcome.record.pid})${how}; its state is saved in ${local.stateDir}.`];
}

/**
 * `local status` as a JSON document or as text, and how it ends: a server that does not answer is `unhealthy` in
 * JSON, and an error (with how to stop it) in text.
 */
export function localStatusLines(report: LocalStatusReport, json: boolean, env: NodeJS.ProcessEnv): { lines: string[]; outcome: Outcome } {
  if (report.found === 'nothing-on-port') {
    const lines = json ? [JSON.stringify({ running: false, state: 'stopped', port: report.requested.port }, null, 2)] : [nothingOnPort(report)];
    return { lines, outcome: 'ok' };
  }
  const { local, status } = report;
  if (json) {
    const base = { running: status.state === 'running', state: status.state, stateDir: local.stateDir };
    const details =
      status.state === 'stopped'
        ? {}
        : {
            ...('record' in status ? status.record : {}),
            ...(status.state === 'running' ? { stacks: status.health.stacks, incidents: status.health.incidents ?? {} } : {}),
          };
    return { lines: [JSON.stringify({ ...details, ...base }, null, 2)], outcome: status.state === 'unresponsive' ? 'unhealthy' : 'ok' };
  }

  switch (status.state) {
    case 'stopped':
      return { lines: [`The local emulator is not running (state dir ${local.stateDir}).`], outcome: 'ok' };
    case 'stale':
      return {
        lines: [
          `The local emulator is not running: its pid file named pid ${status.record.pid}, which is gone (killed, or the machine restarted).`,
          'Removed the stale pid file; its state is kept for the next start.',
        ],
        outcome: 'ok',
      };
    case 'unresponsive':
      throw environmentError(
        `Pid ${status.record.pid} is alive but the local emulator does not answer at ${status.record.url}.`,
        `It may be hung: "${commandLine('local stop', { local }, env)}" stops it; its log: ${status.record.logPath}`,
      );
    case 'running': {
      const { record, health } = status;
      const who = record.startedBy === 'user' ? 'by you' : 'by a lesson command';
      const stopping = record.startedBy === 'auto' ? '; teardown stops it' : '';
      const stacks = health.stacks.length
        ? health.stacks.map((stack) => `${stack.StackName} (${stack.StackStatus})`).join(', ')
        : 'none';
      return {
        lines: [
          `The local emulator is running at ${record.url} (pid ${record.pid}, started ${who}, up ${ago(record.startedAt)}${stopping}).`,
          `State:        ${record.stateDir}`,
          `Region:       ${health.region}`,
          `Retry delays: ${record.retryDelaysMs.map(formatSeconds).join(' and ')}`,
          `Stacks:       ${stacks}`,
          ...incidentLines(health.incidents ?? {}, record.logPath),
        ],
        outcome: 'ok',
      };
    }
  }
}

// `logs [--follow]`: the function's log lines grouped by RequestId, each attempt numbered, errors highlighted.
import type { LogsApi } from '../aws/clients.js';
import { sleep } from '../aws/wait.js';
import type { Paint } from '../lesson/paint.js';
import { attemptLabel, formatSeconds } from '../lesson/timeline.js';
import { commandLine } from './command-line.js';
import type { Finished, Outcome } from './outcome.js';
import { findStack, NothingToDoError, withSession, type CommandDeps, type CommandOptions } from './session.js';
import { readLogLines, startedRequestId, type LogLine } from '../lesson/log-lines.js';

export interface LogsOptions extends CommandOptions {
  follow: boolean;
}


export interface Attempt {
  /** "attempt 1", "retry 1", ... */
  label: string;
  startedAt?: number;
  failed: boolean;
  lines: LogLine[];
}

export interface RequestLog {
  requestId: string;
  attempts: Attempt[];
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const REPORT = new RegExp(`^REPORT RequestId: (${UUID})`);
/** Lambda's platform lines, the Node runtime's console lines (`<ISO>\t<id>\t<LEVEL>\t...`), timeouts and crashes. */
const REQUEST_ID_PATTERNS = [
  new RegExp(`^(?:START|END|REPORT) RequestId: (${UUID})`),
  new RegExp(`^\\S+\\t(${UUID})\\t[A-Z]+\\t`),
  new RegExp(`^\\S+ (${UUID}) Task timed out`),
  new RegExp(`RequestId: (${UUID})`),
];
/** What a person scanning the logs looks for (docs/aws-semantics.md §3): console.error, the runtime's report of a
 * thrown error, a timeout, a crash. */
const ERROR_LINE = /\tERROR\t|Invoke Error|Task timed out|Runtime\.ExitError|Error: Runtime exited/;

export function isErrorLine(message: string): boolean {
  return ERROR_LINE.test(message);
}

function requestIdOf(message: string): string | undefined {
  for (const pattern of REQUEST_ID_PATTERNS) {
    const match = pattern.exec(message);
    if (match) return match[1];
  }
  return undefined;
}

/** Where one line landed: its request and attempt. */
export interface PlacedLine {
  request: RequestLog;
  attempt: Attempt;
  line: LogLine;
}

/**
 * Sorts lines into requests and attempts as they arrive. A START line opens an attempt (the first "attempt 1", the
 * next ones with the same RequestId "retry 1", "retry 2": Lambda retries with the same id); a line naming no request
 * (INIT_START, a runtime's stray output) belongs to whatever runs in its stream, or to the next START there.
 */
export class LogGrouper {
  readonly requests: RequestLog[] = [];
  private readonly byId = new Map<string, RequestLog>();
  private readonly runningIn = new Map<string, string>();
  private readonly waitingIn = new Map<string, LogLine[]>();

  private request(requestId: string): RequestLog {
    let request = this.byId.get(requestId);
    if (!request) {
      request = { requestId, attempts: [] };
      this.byId.set(requestId, request);
      this.requests.push(request);
    }
    return request;
  }

  private attach(request: RequestLog, line: LogLine): PlacedLine {
    // The START line of this attempt is older than what was read: the lines still belong to an attempt.
    if (request.attempts.length === 0) request.attempts.push({ label: attemptLabel(0), failed: false, lines: [] });
    const attempt = request.attempts[request.attempts.length - 1]!;
    attempt.lines.push(line);
    if (isErrorLine(line.message)) attempt.failed = true;
    return { request, attempt, line };
  }

  /** Adds one line; returns every line it placed (waiting lines get placed when their START arrives). */
  add(line: LogLine): PlacedLine[] {
    const start = startedRequestId(line.message);
    if (start) {
      const request = this.request(start);
      request.attempts.push({ label: attemptLabel(request.attempts.length), startedAt: line.timestamp, failed: false, lines: [] });
      this.runningIn.set(line.stream, start);
      const waiting = this.waitingIn.get(line.stream) ?? [];
      this.waitingIn.delete(line.stream);
      return [...waiting, line].map((each) => this.attach(request, each));
    }
    const requestId = requestIdOf(line.message) ?? this.runningIn.get(line.stream);
    if (!requestId) {
      this.waitingIn.set(line.stream, [...(this.waitingIn.get(line.stream) ?? []), line]);
      return [];
    }
    const placed = this.attach(this.request(requestId), line);
    if (REPORT.test(line.message)) this.runningIn.delete(line.stream);
    return [placed];
  }

  /** Lines still waiting for a START (an environment that never got an invocation). */
  unplaced(): LogLine[] {
    return [...this.waitingIn.values()].flat();
  }
}

function clock(timestamp: number): string {
  return new Date(timestamp).toISOString().slice(11, 23);
}

/** One log event as lines: its time, then its text (tabs as two spaces, the trailing newline dropped). */
export function renderLine(line: LogLine, paint: Paint, indent: string): string[] {
  const text = line.message.replace(/\s+$/, '').replace(/\t/g, '  ');
  const style = isErrorLine(line.message) ? paint.fail : (value: string) => value;
  return text.split(/\r?\n|\r/).map((part, index) => `${indent}${paint.dim(index === 0 ? clock(line.timestamp) : ' '.repeat(12))}  ${style(part)}`);
}

function outcomeOf(request: RequestLog): string {
  const count = request.attempts.length;
  const failed = request.attempts.filter((attempt) => attempt.failed).length;
  const attempts = `${count} ${count === 1 ? 'attempt' : 'attempts'}`;
  if (failed === 0) return `${attempts}, succeeded`;
  if (failed === count) return `${attempts}, ${count === 1 ? 'failed' : 'each failed'}`;
  return `${attempts}, ${failed} failed`;
}

export function attemptHeading(request: RequestLog, attempt: Attempt, paint: Paint): string {
  const index = request.attempts.indexOf(attempt);
  const previous = index > 0 ? request.attempts[index - 1] : undefined;
  const gap =
    previous?.startedAt !== undefined && attempt.startedAt !== undefined
      ? paint.dim(` · ${formatSeconds(attempt.startedAt - previous.startedAt)} after ${previous.label}`)
      : '';
  const label = attempt.failed ? paint.attempt(attempt.label) : paint.success(attempt.label);
  return `  ${label}${gap}`;
}

/** Every request, its attempts and their lines; requests in the order they first appear. */
export function renderGrouped(grouper: LogGrouper, paint: Paint): string[] {
  const lines: string[] = [];
  for (const request of grouper.requests) {
    if (lines.length > 0) lines.push('');
    lines.push(`${paint.label(`RequestId ${request.requestId}`)} ${paint.dim(`· ${outcomeOf(request)}`)}`);
    for (const attempt of request.attempts) {
      lines.push(attemptHeading(request, attempt, paint));
      for (const line of attempt.lines) lines.push(...renderLine(line, paint, '    '));
    }
  }
  const unplaced = grouper.unplaced();
  if (unplaced.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(paint.label('No RequestId'));
    for (const line of unplaced) lines.push(...renderLine(line, paint, '    '));
  }
  return lines;
}

function isMissingGroup(error: unknown): boolean {
  return (error as { name?: string }).name === 'ResourceNotFoundException';
}

export async function logs(options: LogsOptions, deps: CommandDeps): Promise<Finished> {
  const { reporter } = deps;
  const paint = reporter.outPaint;
  const { value: outcome, notes } = await withSession(options, deps, async (session): Promise<Outcome> => {
    const stack = await findStack(session, options.stackName);
    const fromStack = stack?.Outputs?.find((output) => output.OutputKey === 'LogGroupName')?.OutputValue;
    const logGroupName = fromStack ?? `/aws/lambda/${options.functionName}`;
    let lines: LogLine[];
    try {
      lines = await readLogLines(session.clients.logs, logGroupName, undefined, deps.signal);
    } catch (error) {
      if (!isMissingGroup(error)) throw error;
      throw new NothingToDoError(
        'environment',
        `The log group ${logGroupName} does not exist on ${session.where}${stack ? '' : `, and neither does the stack ${options.stackName}`}.`,
        stack ? 'It appears with the first invocation: run a step first.' : `Deploy it first: ${commandLine('deploy', options, deps.env)}`,
        { cause: error },
      );
    }

    const grouper = new LogGrouper();
    for (const line of lines) grouper.add(line);
    if (deps.json) {
      reporter.result([JSON.stringify({ logGroupName, requests: grouper.requests, unplaced: grouper.unplaced() }, null, 2)]);
      return 'ok';
    }
    if (lines.length === 0) reporter.info(`No log lines yet in ${logGroupName}.`);
    else reporter.result(renderGrouped(grouper, paint));
    if (!options.follow) return 'ok';
    await follow(session.clients.logs, logGroupName, lines, grouper, { local: Boolean(session.server), deps });
    return 'ok';
  });
  return { outcome, notes };
}

/**
 * Polls for new events until Ctrl-C, printing each under a heading whenever the request or attempt changes. Reads a
 * little behind the newest event seen, since CloudWatch can deliver late events with earlier timestamps; event ids
 * keep them from printing twice.
 */
async function follow(
  logsApi: LogsApi,
  logGroupName: string,
  seenLines: LogLine[],
  grouper: LogGrouper,
  context: { local: boolean; deps: CommandDeps },
): Promise<void> {
  const { reporter, signal } = context.deps;
  const paint = reporter.outPaint;
  const intervalMs = context.local ? 500 : 2_000;
  const lookBackMs = context.local ? 1_000 : 30_000;
  const seen = new Map(seenLines.map((line) => [line.eventId, line.timestamp]));
  let newest = seenLines.reduce((latest, line) => Math.max(latest, line.timestamp), Date.now() - lookBackMs);
  let lastHeading: Attempt | undefined;
  reporter.info(`Following ${logGroupName}: new lines appear below, Ctrl-C stops.`);
  try {
    for (;;) {
      await sleep(intervalMs, signal);
      const since = newest - lookBackMs;
      const fresh = (await readLogLines(logsApi, logGroupName, since, signal)).filter((line) => !seen.has(line.eventId));
      const out: string[] = [];
      for (const line of fresh) {
        seen.set(line.eventId, line.timestamp);
        newest = Math.max(newest, line.timestamp);
        for (const placed of grouper.add(line)) {
          if (placed.attempt !== lastHeading) {
            out.push(`${paint.label(`RequestId ${placed.request.requestId}`)}`, attemptHeading(placed.request, placed.attempt, paint));
            lastHeading = placed.attempt;
          }
          out.push(...renderLine(placed.line, paint, '    '));
        }
      }
      if (out.length > 0) reporter.result(out);
      for (const [eventId, timestamp] of seen) if (timestamp < since - lookBackMs) seen.delete(eventId);
    }
  } catch (error) {
    // Ctrl-C is how following ends: a normal end, outcome ok (exit 0, README), not an interruption to report.
    if (signal.aborted) return;
    if (isMissingGroup(error)) {
      reporter.info(`The log group ${logGroupName} is gone (the stack was deleted?): stopped following.`);
      return;
    }
    throw error;
  }
}

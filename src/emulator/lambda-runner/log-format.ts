// Lambda's text log format: platform lines, runtime error lines, stream names and the LogType=Tail excerpt.
import { createHash, randomBytes } from 'node:crypto';


/** How much of an invocation's log X-Amz-Log-Result carries (docs/aws-semantics.md §1.2). */
const LOG_TAIL_BYTES = 4096;

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>`: one stream per execution environment (docs/aws-semantics.md §3). */
export function logStreamName(createdAt: number, version = '$LATEST'): string {
  const date = new Date(createdAt);
  const day = `${date.getUTCFullYear()}/${twoDigits(date.getUTCMonth() + 1)}/${twoDigits(date.getUTCDate())}`;
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

// Every platform line is one CloudWatch event whose message ends in a newline (docs/aws-semantics.md §3).
/** The runtime version's ARN ends in a stable 64-hex hash of it, as AWS prints in INIT_START (docs/aws-semantics.md §3). */
export function initStartLine(region: string, runtimeVersion: string): string {
  const hash = createHash('sha256').update(runtimeVersion).digest('hex');
  return `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: arn:aws:lambda:${region}::runtime:${hash}\n`;
}

export function startLine(requestId: string, version = '$LATEST'): string {
  return `START RequestId: ${requestId} Version: ${version}\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

export interface ReportFigures {
  requestId: string;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Only on the invocation that paid for a cold start. */
  initDurationMs?: number;
}

// Billed Duration includes INIT since 1 Aug 2025 and is rounded up to whole ms (docs/aws-semantics.md §3).
// The line ends with a tab before the newline, exactly as AWS writes it.
export function reportLine(figures: ReportFigures): string {
  const billed = Math.max(1, Math.ceil(figures.durationMs + (figures.initDurationMs ?? 0)));
  let line =
    `REPORT RequestId: ${figures.requestId}\tDuration: ${figures.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${billed} ms\tMemory Size: ${figures.memorySizeMb} MB\t` +
    `Max Memory Used: ${Math.max(1, Math.round(figures.maxMemoryUsedMb))} MB\t`;
  if (figures.initDurationMs !== undefined) line += `Init Duration: ${figures.initDurationMs.toFixed(2)} ms\t`;
  return `${line}\n`;
}

/** Seconds as the timeout messages print them: two decimals. */
function timeoutSeconds(elapsedMs: number): string {
  return (elapsedMs / 1000).toFixed(2);
}

// Space-separated, not tab-separated (docs/aws-semantics.md §3).
export function timeoutLine(timestamp: number, requestId: string, elapsedMs: number): string {
  return `${new Date(timestamp).toISOString()} ${requestId} Task timed out after ${timeoutSeconds(elapsedMs)} seconds\n`;
}

export function timeoutErrorMessage(requestId: string, elapsedMs: number): string {
  return `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds(elapsedMs)} seconds`;
}

/**
 * How the platform words a runtime's death: `Runtime exited with error: exit status N` (or `signal: killed` for a
 * signal), and for a clean exit, status 0, `Runtime exited without providing a reason` (docs/aws-semantics.md §9).
 */
export function runtimeExitPhrase(code: number | null, signal: NodeJS.Signals | null): string {
  if (code === 0) return 'Runtime exited without providing a reason';
  if (code !== null) return `Runtime exited with error: exit status ${code}`;
  // UNVERIFIED(§9): AWS's wording for a signal other than SIGKILL.
  return `Runtime exited with error: ${signal === 'SIGKILL' ? 'signal: killed' : `signal: ${(signal ?? 'unknown').replace(/^SIG/, '').toLowerCase()}`}`;
}

// Real AWS: `RequestId: <id> Error: Runtime exited with error: exit status 1` then `Runtime.ExitError`.
export function runtimeExitErrorMessage(requestId: string, phrase: string): string {
  return `RequestId: ${requestId} Error: ${phrase}`;
}

export function runtimeExitLine(requestId: string, phrase: string): string {
  return `${runtimeExitErrorMessage(requestId, phrase)}\nRuntime.ExitError\n`;
}

/** The `INIT_REPORT` line AWS writes when the init phase fails. */
export function initReportErrorLine(initDurationMs: number, errorType: string): string {
  return `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}\n`;
}

/** Base64 of the last 4 KB of one invocation's log, for X-Amz-Log-Result (docs/aws-semantics.md §1.2). */
export function logTail(messages: string[]): string {
  const bytes = Buffer.from(messages.join(''), 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}

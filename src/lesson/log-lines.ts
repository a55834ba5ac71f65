// Reading a function's log group: every line in order, and the one definition of what a START line is
// (docs/aws-semantics.md §3).
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { LogsApi } from '../aws/clients.js';

export interface LogLine {
  eventId: string;
  timestamp: number;
  stream: string;
  message: string;
}


/** `START RequestId: <id> Version: $LATEST`: one per attempt, so its count per RequestId counts Lambda's attempts. */
const START_LINE = /^START RequestId: (\S+)/;

/** The RequestId a START line opens, or undefined for any other line (INIT_START included). */
export function startedRequestId(message: string | undefined): string | undefined {
  return START_LINE.exec(message ?? '')?.[1];
}

function toLine(event: FilteredLogEvent): LogLine {
  return {
    eventId: event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`,
    timestamp: event.timestamp ?? 0,
    stream: event.logStreamName ?? '',
    message: event.message ?? '',
  };
}

/** Every event of the group since `startTime` (all pages), oldest first. */
export async function readLogLines(logs: LogsApi, logGroupName: string, startTime?: number, signal?: AbortSignal): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let nextToken: string | undefined;
  do {
    if (signal?.aborted) break;
    const page = await logs.filterLogEvents({ logGroupName, startTime, nextToken });
    lines.push(...(page.events ?? []).map(toLine));
    nextToken = page.nextToken;
  } while (nextToken);
  // Stable: events of one stream keep their order when they share a millisecond.
  return lines.map((line, index) => ({ line, index })).sort((a, b) => a.line.timestamp - b.line.timestamp || a.index - b.index).map(({ line }) => line);
}

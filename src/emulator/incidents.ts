// Failures on the emulator's background paths (a DLQ send, a destination, a log write): counted like the CloudWatch
// metrics AWS emits for them, and written as a line to whoever keeps the server's log. Never swallowed.

/**
 * The Lambda metrics AWS emits for these failures (AWS Lambda developer guide, "Types of metrics for Lambda functions",
 * asynchronous invocation metrics; docs/aws-semantics.md §2). `LogWriteErrors` is the emulator's own: AWS has no
 * metric for its log delivery, and `StateWriteErrors` (a failed write of the server's state directory) counts under the
 * name `(server)` rather than a function's.
 */
type IncidentMetric = 'DeadLetterErrors' | 'DestinationDeliveryFailures' | 'AsyncEventsDropped' | 'LogWriteErrors' | 'StateWriteErrors';

export interface Incident {
  metric: IncidentMetric;
  functionName: string;
  /** One line for the server log: what failed, for which event, and why. */
  message: string;
}

/** Per function, per metric: how many times it happened since the server started. */
export type IncidentCounts = Record<string, Partial<Record<IncidentMetric, number>>>;

export class Incidents {
  private readonly counts: IncidentCounts = Object.create(null);

  constructor(private readonly log: (line: string) => void) {}

  record(incident: Incident): void {
    this.counts[incident.functionName] ??= {};
    const perFunction = this.counts[incident.functionName]!;
    perFunction[incident.metric] = (perFunction[incident.metric] ?? 0) + 1;
    this.log(`${incident.metric} ${incident.functionName}: ${incident.message}`);
  }

  snapshot(): IncidentCounts {
    return structuredClone(this.counts);
  }
}

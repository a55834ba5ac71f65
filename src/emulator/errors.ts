// The one error a service throws: an AWS error code, its message and HTTP status, rendered by each protocol.

export interface ServiceErrorOptions {
  /** HTTP status; AWS uses 400 for almost every client error. */
  status?: number;
  /** false for a server-side fault (AWS's "Receiver" type). */
  sender?: boolean;
  /**
   * SQS's legacy query error code (e.g. AWS.SimpleQueueService.NonExistentQueue). Under JSON 1.0 it travels in the
   * x-amzn-query-error header; under the query protocol it is the <Code> (docs/aws-semantics.md §5.2).
   */
  queryCode?: string;
  /** Extra response headers (e.g. Retry-After on a 429). */
  headers?: Record<string, string>;
  /** Extra members of the error body (e.g. Lambda's Reason). */
  fields?: Record<string, unknown>;
}

export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly sender: boolean;
  readonly queryCode?: string;
  readonly headers: Record<string, string>;
  readonly fields: Record<string, unknown>;

  constructor(code: string, message: string, options: ServiceErrorOptions = {}) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.status = options.status ?? 400;
    this.sender = options.sender ?? this.status < 500;
    this.queryCode = options.queryCode;
    this.headers = options.headers ?? {};
    this.fields = options.fields ?? {};
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
}

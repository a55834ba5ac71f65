// CloudWatch Logs as stored: groups holding streams holding events sorted by (timestamp, seq), and the saved state.

export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Ingestion order across the whole service: the tie-breaker after the timestamp, and the eventId's tail. */
  seq: number;
}

export interface StoredStream {
  name: string;
  creationTime: number;
  lastIngestionTime?: number;
  /** Sorted by (timestamp, seq), so time windows and cursors are binary searches. */
  events: StoredEvent[];
}

export interface StoredGroup {
  name: string;
  creationTime: number;
  retentionInDays?: number;
  tags: Record<string, string>;
  kmsKeyId?: string;
  logGroupClass: string;
  deletionProtectionEnabled: boolean;
  streams: Map<string, StoredStream>;
}

export interface LogsState {
  nextSeq: number;
  groups: Array<Omit<StoredGroup, 'streams'> & { streams: StoredStream[] }>;
}

// STUB: replaced by the SQS query-protocol binding (flattened params <-> JSON 1.0 shapes).
import type { QueryParams } from '../protocol/query.js';

export const sqsQueryBinding = {
  toInput(_action: string, params: QueryParams): unknown {
    return params;
  },
  toResult(_action: string, output: unknown): unknown {
    return output;
  },
};

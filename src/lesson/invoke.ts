// One Lambda Invoke as steps 1-4 make it, reduced to what they check: status, FunctionError, RequestId, body.
import type { LessonContext } from './context.js';

export interface InvokeResult {
  statusCode?: number;
  functionError?: string;
  /** x-amzn-RequestId of the response: for an Event invoke, the id every attempt and the DLQ message carry. */
  requestId?: string;
  body: string;
  /** Epoch ms just before the request left. */
  sentAt: number;
}

export async function invoke(
  ctx: LessonContext,
  invocationType: 'RequestResponse' | 'Event',
  payload: string,
): Promise<InvokeResult> {
  const sentAt = Date.now();
  const response = await ctx.lambda.invoke({
    FunctionName: ctx.names.functionName,
    InvocationType: invocationType,
    Payload: new TextEncoder().encode(payload),
  });
  return {
    statusCode: response.StatusCode,
    functionError: response.FunctionError,
    requestId: response.$metadata.requestId,
    body: response.Payload ? new TextDecoder().decode(response.Payload) : '',
    sentAt,
  };
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function describeStatus(result: InvokeResult): string {
  const functionError = result.functionError ? `FunctionError ${result.functionError}` : 'no FunctionError';
  return `HTTP ${result.statusCode ?? '?'}, ${functionError}`;
}

/** A RequestId shortened for the summary; the timeline and the JSON report show it whole. */
export function shortId(requestId: string | undefined): string {
  return requestId ? `${requestId.slice(0, 8)}…` : '(none)';
}

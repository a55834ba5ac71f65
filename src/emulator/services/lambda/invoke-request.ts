// Invoke's request: the invocation and log types, the payload size limits, and the event as UTF-8 JSON text.
import { ServiceError } from '../../errors.js';
import { invalidParameter } from './errors.js';

/** Sync request bodies above this are refused (docs/aws-semantics.md §1.3, §1.4). */
const MAX_SYNC_PAYLOAD_BYTES = 6291456;
/** Event payloads: 1 MB since late October 2025 (docs/aws-semantics.md §1.4). */
const MAX_EVENT_PAYLOAD_BYTES = 1048576;
/** The deprecated InvokeAsync keeps the old 256 KB limit (docs/aws-semantics.md §1.4). */
const MAX_INVOKE_ASYNC_PAYLOAD_BYTES = 262144;

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'];
const LOG_TYPES = ['None', 'Tail'];

type InvocationType = 'Event' | 'RequestResponse' | 'DryRun';

/** InvocationType and LogType, defaulted and checked against their enums. */
export function invokeOptions(input: { InvocationType?: unknown; LogType?: unknown }): { invocationType: InvocationType; logType: string } {
  const invocationType = (input.InvocationType as string | undefined) ?? 'RequestResponse';
  if (!INVOCATION_TYPES.includes(invocationType)) {
    throw invalidParameter(
      `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`,
    );
  }
  const logType = (input.LogType as string | undefined) ?? 'None';
  if (!LOG_TYPES.includes(logType)) {
    throw invalidParameter(
      `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [${LOG_TYPES.join(', ')}]`,
    );
  }
  return { invocationType: invocationType as InvocationType, logType };
}

/** The event an Invoke carries, after the size limits of its invocation type. */
export function invokeEvent(payload: unknown, invocationType: InvocationType): string {
  const bytes = payloadBytes(payload);
  // Oversized bodies answer RequestEntityTooLargeException, not the modelled RequestTooLargeException (§1.3, §7 item 10).
  if (bytes.length > MAX_SYNC_PAYLOAD_BYTES) {
    throw new ServiceError(
      'RequestEntityTooLargeException',
      `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      { status: 413 },
    );
  }
  if (invocationType === 'Event' && bytes.length > MAX_EVENT_PAYLOAD_BYTES) {
    throw new ServiceError(
      'RequestEntityTooLargeException',
      `${bytes.length} byte payload is too large for the Event invocation type (limit ${MAX_EVENT_PAYLOAD_BYTES} bytes)`,
      { status: 413 },
    );
  }
  return eventText(bytes);
}

// The deprecated API: same queue, 256 KB limit (docs/aws-semantics.md §1.1, §1.4).
export function invokeAsyncEvent(invokeArgs: unknown): string {
  const bytes = payloadBytes(invokeArgs);
  if (bytes.length > MAX_INVOKE_ASYNC_PAYLOAD_BYTES) {
    throw new ServiceError(
      'RequestEntityTooLargeException',
      `${bytes.length} byte payload is too large for the Event invocation type (limit ${MAX_INVOKE_ASYNC_PAYLOAD_BYTES} bytes)`,
      { status: 413 },
    );
  }
  return eventText(bytes);
}

function payloadBytes(payload: unknown): Buffer {
  if (payload === undefined || payload === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return Buffer.from(String(payload), 'utf8');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// Lambda refuses bodies that are not UTF-8 JSON with InvalidRequestContentException (docs/aws-semantics.md §1.3).
function eventText(bytes: Buffer): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    const bad = bytes.find((byte) => byte >= 0x80) ?? 0;
    throw new ServiceError(
      'InvalidRequestContentException',
      `Could not parse request body into json: Could not parse payload into json: Invalid UTF-8 start byte 0x${bad.toString(16)}`,
    );
  }
  // No payload is the event `{}`: the function receives it, and so does the DLQ, which refuses an empty body (AWS
  // delivers body `{}`, MD5OfBody 99914b932bd37a50b983c5e7c90ae93b, for `aws lambda invoke` without --payload).
  // UNVERIFIED(§2): a payload of whitespace only is taken as no payload.
  if (text.trim() === '') return '{}';
  try {
    JSON.parse(text);
  } catch (error) {
    const token = /\S+/.exec(text)?.[0]?.slice(0, 40) ?? '';
    throw new ServiceError(
      'InvalidRequestContentException',
      `Could not parse request body into json: Could not parse payload into json: Unrecognized token '${token}': ` +
        `was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') (${(error as Error).message})`,
    );
  }
  return text;
}

/** What the Invoke operation returns; the route turns it into status, X-Amz-* headers and the raw payload. */
export interface InvokeOperationOutput {
  StatusCode: number;
  FunctionError?: string;
  LogResult?: string;
  ExecutedVersion?: string;
  Payload?: Uint8Array;
}

// One SQS message in and out: a send entry checked and stored, a stored message rendered for a receive, receipt handles.
import { randomUUID } from 'node:crypto';
import { ServiceError } from '../../errors.js';
import { optionalInteger, shown } from '../validation.js';
import { md5Hex, md5OfMessageAttributes, type WireMessageAttribute } from './md5.js';
import type { Queue } from './queue-store.js';
import {
  DELAY_SECONDS_RULE, DISALLOWED_CHARACTER, invalidParameterValue, invalidReceiptHandle, MAX_MESSAGE_ATTRIBUTES, MESSAGE_ID,
  missingParameter,
} from './rules.js';
import type {
  ReceiveOptions, StoredMessage, WireAttributeMap, WireMessage, WireSendEntry, WireSendMessageResult,
} from './types.js';

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function checkCharacters(text: string): void {
  if (DISALLOWED_CHARACTER.test(text)) {
    throw new ServiceError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      { queryCode: 'InvalidMessageContents' },
    );
  }
}

/** Validates user message attributes and keeps only the members SQS stores, so receive returns a clean shape. */
export function normaliseMessageAttributes(value: unknown): WireAttributeMap | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameterValue('The request includes message attributes that are not a map of name to value.');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const out: WireAttributeMap = {};
  for (const [name, raw] of entries) {
    if (
      !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      /^(aws|amazon)\./i.test(name)
    ) {
      throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid.`);
    }
    const attribute = (raw ?? {}) as Partial<WireMessageAttribute>;
    const dataType = attribute.DataType;
    if (typeof dataType !== 'string' || dataType === '') {
      throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    }
    const base = dataType.split('.')[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw invalidParameterValue(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    const emptyValue = invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
    );
    if (base === 'Binary') {
      if (typeof attribute.BinaryValue !== 'string' || attribute.BinaryValue === '') throw emptyValue;
      out[name] = { DataType: dataType, BinaryValue: attribute.BinaryValue };
    } else {
      if (attribute.StringValue === '') {
        // Recorded on AWS for an empty String value (LocalStack's test_sqs.snapshot.json). UNVERIFIED(§5.5): the same
        // wording for an empty Number value, with its own type name.
        throw invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`);
      }
      if (typeof attribute.StringValue !== 'string') throw emptyValue;
      if (base === 'Number' && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(attribute.StringValue)) {
        throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      checkCharacters(attribute.StringValue);
      out[name] = { DataType: dataType, StringValue: attribute.StringValue };
    }
  }
  return out;
}

export function attributesSize(attributes: WireAttributeMap | undefined): number {
  if (!attributes) return 0;
  let size = 0;
  for (const [name, attribute] of Object.entries(attributes)) {
    size += byteLength(name) + byteLength(attribute.DataType);
    if (attribute.StringValue !== undefined) size += byteLength(attribute.StringValue);
    if (attribute.BinaryValue !== undefined) size += Buffer.from(attribute.BinaryValue, 'base64').length;
  }
  return size;
}

/** The subset of attributes a receive asked for: All, .*, exact names, or prefixes like `bar.*` (§5.3). */
function selectMessageAttributes(attributes: WireAttributeMap | undefined, requested: string[]): WireAttributeMap | undefined {
  if (!attributes || requested.length === 0) return undefined;
  if (requested.includes('All') || requested.includes('.*') || requested.includes('*')) return attributes;
  const selected: WireAttributeMap = {};
  let any = false;
  for (const [name, value] of Object.entries(attributes)) {
    const wanted = requested.some((pattern) =>
      // `Hel.*` selects every name starting with `Hel` (recorded: Hello and Help.Me, test/fidelity/recordings/sqs.json).
      pattern.endsWith('.*') ? name.startsWith(pattern.slice(0, -2)) : pattern === name,
    );
    if (wanted) {
      selected[name] = value;
      any = true;
    }
  }
  return any ? selected : undefined;
}

/** A send entry checked in SQS's order and made into the message the queue stores, with what the send answers. */
export function newMessage(
  queue: Queue,
  entry: WireSendEntry,
  senderId: string,
  now: number,
): { message: StoredMessage; result: WireSendMessageResult } {
  const body = entry.MessageBody;
  if (body === undefined || body === null || body === '') throw missingParameter('MessageBody');
  if (typeof body !== 'string') throw invalidParameterValue('Value for parameter MessageBody is invalid. Reason: Must be a string.');
  const delay =
    optionalInteger(entry.DelaySeconds, 'DelaySeconds', DELAY_SECONDS_RULE) ??
    queue.attribute('DelaySeconds');
  const attributes = normaliseMessageAttributes(entry.MessageAttributes);
  const systemAttributes = normaliseMessageAttributes(entry.MessageSystemAttributes);
  const traceHeader = systemAttributes?.AWSTraceHeader?.StringValue;
  for (const name of Object.keys(systemAttributes ?? {})) {
    if (name !== 'AWSTraceHeader') throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
  }
  const maximum = queue.attribute('MaximumMessageSize');
  if (byteLength(body) + attributesSize(attributes) > maximum) {
    // docs/aws-semantics.md §5.5: the exact oversize message.
    throw invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${maximum} bytes.`);
  }
  checkCharacters(body);
  if (entry.MessageDeduplicationId !== undefined && entry.MessageDeduplicationId !== null) {
    throw invalidParameterValue(
      `Value ${shown(entry.MessageDeduplicationId)} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  }
  // Standard queues accept MessageGroupId since fair queues (2025); it only comes back as a system attribute.
  const groupId = typeof entry.MessageGroupId === 'string' && entry.MessageGroupId !== '' ? entry.MessageGroupId : undefined;
  const message: StoredMessage = {
    MessageId: randomUUID(),
    Body: body,
    MD5OfBody: md5Hex(body),
    ...(attributes ? { MessageAttributes: attributes } : {}),
    ...(traceHeader !== undefined ? { AWSTraceHeader: traceHeader } : {}),
    ...(groupId !== undefined ? { MessageGroupId: groupId } : {}),
    SenderId: senderId,
    SentTimestamp: now,
    ReceiveCount: 0,
    State: delay > 0 ? 'delayed' : 'visible',
    VisibleAt: now + delay * 1000,
  };
  const result: WireSendMessageResult = {
    MD5OfMessageBody: message.MD5OfBody,
    MD5OfMessageAttributes: md5OfMessageAttributes(attributes),
    MD5OfMessageSystemAttributes: md5OfMessageAttributes(systemAttributes),
    MessageId: message.MessageId,
  };
  return { message, result };
}

/** A stored message as a receive returns it, with the system and message attributes the receive asked for. */
export function renderMessage(message: StoredMessage, options: ReceiveOptions): WireMessage {
  const out: WireMessage = {
    MessageId: message.MessageId,
    ReceiptHandle: message.ReceiptHandle!,
    MD5OfBody: message.MD5OfBody,
    Body: message.Body,
  };
  const names = options.systemAttributeNames;
  if (names.length > 0) {
    const all = names.includes('All');
    const wants = (name: string) => all || names.includes(name);
    // System attribute values are strings, timestamps in epoch ms (§5.3).
    const attributes: Record<string, string> = {};
    if (wants('SenderId')) attributes.SenderId = message.SenderId;
    if (wants('ApproximateFirstReceiveTimestamp')) attributes.ApproximateFirstReceiveTimestamp = String(message.FirstReceiveTimestamp);
    if (wants('ApproximateReceiveCount')) attributes.ApproximateReceiveCount = String(message.ReceiveCount);
    if (wants('SentTimestamp')) attributes.SentTimestamp = String(message.SentTimestamp);
    if (wants('AWSTraceHeader') && message.AWSTraceHeader !== undefined) attributes.AWSTraceHeader = message.AWSTraceHeader;
    if (wants('MessageGroupId') && message.MessageGroupId !== undefined) attributes.MessageGroupId = message.MessageGroupId;
    if (wants('DeadLetterQueueSourceArn') && message.DeadLetterQueueSourceArn !== undefined) {
      attributes.DeadLetterQueueSourceArn = message.DeadLetterQueueSourceArn;
    }
    if (Object.keys(attributes).length > 0) out.Attributes = attributes;
  }
  // Hash exactly the attributes returned, and send neither field when none are (§5.4, §7 item 3).
  const selected = selectMessageAttributes(message.MessageAttributes, options.messageAttributeNames);
  if (selected) {
    out.MD5OfMessageAttributes = md5OfMessageAttributes(selected);
    out.MessageAttributes = selected;
  }
  return out;
}

/** A new handle for this receive of the message: unique per receive, and naming the message it came from. */
export function receiptHandle(queueArn: string, messageId: string, now: number): string {
  // randomUUID draws from a cached entropy pool; a fresh randomBytes per receive costs several times more.
  const text = `${randomUUID()} ${queueArn} ${messageId} ${now}`;
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The message a handle names; a handle not made by receiptHandle() is ReceiptHandleIsInvalid. */
export function messageIdFromHandle(handle: string): string {
  const parts = Buffer.from(handle, 'base64').toString('utf8').split(' ');
  const messageId = parts[2];
  if (parts.length !== 4 || messageId === undefined || !MESSAGE_ID.test(messageId)) throw invalidReceiptHandle(handle);
  return messageId;
}

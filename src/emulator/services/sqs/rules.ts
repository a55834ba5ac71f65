// SQS's rules: limits, attribute names and defaults, name patterns, its errors, and the checks of queue-level input.
import { ServiceError } from '../../errors.js';
import { type IntegerRule, type StringErrors, shown } from '../validation.js';
import type { WireBatchError } from './types.js';

// AWS constants (docs/aws-semantics.md §5.3 and §5.5).

export const MAX_MESSAGE_BYTES = 1_048_576;
const MAX_BATCH_ENTRIES = 10;
export const MAX_MESSAGE_ATTRIBUTES = 10;
export const PURGE_INTERVAL_MS = 60_000;
export const MAX_LIST_QUEUES = 1000;

/** docs/aws-semantics.md §5.5 table; SSE-SQS is on by default for queues created since 2022. */
export const DEFAULT_QUEUE_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: '30',
  MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  SqsManagedSseEnabled: 'true',
};

type AttributeRule = { min: number; max: number } | 'boolean' | 'text' | 'redrive';

const SETTABLE_ATTRIBUTES: Record<string, AttributeRule> = {
  VisibilityTimeout: { min: 0, max: 43_200 },
  MaximumMessageSize: { min: 1024, max: MAX_MESSAGE_BYTES },
  MessageRetentionPeriod: { min: 60, max: 1_209_600 },
  DelaySeconds: { min: 0, max: 900 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20 },
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400 },
  SqsManagedSseEnabled: 'boolean',
  Policy: 'text',
  RedriveAllowPolicy: 'text',
  KmsMasterKeyId: 'text',
  RedrivePolicy: 'redrive',
};

export const COMPUTED_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

/** The order GetQueueAttributes(All) lists them in. */
export const ATTRIBUTE_ORDER = [
  ...COMPUTED_ATTRIBUTES,
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
];

/** FIFO-only names: asking for them on a standard queue is allowed and returns nothing. */
export const FIFO_ATTRIBUTES = new Set(['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
// docs/aws-semantics.md §5.5: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF (lone surrogates fail).
export const DISALLOWED_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
export const MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------------------------
// Errors, with the JSON shape name as code and the legacy query code botocore and SDK v3 map exceptions from
// (docs/aws-semantics.md §5.2).

export function queueDoesNotExist(): ServiceError {
  return new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.', {
    queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
  });
}

export function invalidParameterValue(message: string): ServiceError {
  return new ServiceError('InvalidParameterValueException', message, { queryCode: 'InvalidParameterValue' });
}

export function missingParameter(name: string): ServiceError {
  return new ServiceError('MissingRequiredParameterException', `The request must contain the parameter ${name}.`, {
    queryCode: 'MissingParameter',
  });
}

export function invalidAttributeName(name: string): ServiceError {
  return new ServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`, { queryCode: 'InvalidAttributeName' });
}

function invalidAttributeValue(name: string): ServiceError {
  return new ServiceError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`, {
    queryCode: 'InvalidAttributeValue',
  });
}

export function invalidReceiptHandle(handle: string): ServiceError {
  return new ServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, {
    status: 404,
    queryCode: 'ReceiptHandleIsInvalid',
  });
}

function unsupported(message: string): ServiceError {
  return new ServiceError('UnsupportedOperation', message, { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' });
}

/** What a batch reports per failed entry: the legacy code, as SQS's batch results carry it. */
export function batchError(id: string, error: unknown): WireBatchError {
  if (error instanceof ServiceError) {
    return { Id: id, SenderFault: error.sender, Code: error.queryCode ?? error.code, Message: error.message };
  }
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: String(error) };
}

// ---------------------------------------------------------------------------------------------------------------
// Input checks shared by operations.

/** How SQS answers a string parameter that is missing (empty included) or not a string. */
export const SQS_STRING: StringErrors = {
  emptyIsMissing: true,
  missing: missingParameter,
  notString: (value, name) => invalidParameterValue(`Value ${shown(value)} for parameter ${name} is invalid.`),
};

/** An integer parameter's range (digits in a string count, as the query wire sends them) and SQS's reason when outside. */
function integerRule(min: number, max: number, reason: string): IntegerRule {
  return {
    min,
    max,
    digitsAllowed: true,
    invalid: (value, name) => invalidParameterValue(`Value ${shown(value)} for parameter ${name} is invalid. Reason: ${reason}`),
  };
}

export const MAX_RESULTS_RULE = integerRule(1, MAX_LIST_QUEUES, 'MaxResults must be an integer between 1 and 1000.');
export const DELAY_SECONDS_RULE = integerRule(0, 900, 'DelaySeconds must be >= 0 and <= 900.');
export const VISIBILITY_TIMEOUT_RULE = integerRule(0, 43_200, 'Must be >= 0 and <= 43200, if provided.');
export const MAX_NUMBER_OF_MESSAGES_RULE = integerRule(1, MAX_BATCH_ENTRIES, 'Must be between 1 and 10, if provided.');
export const WAIT_TIME_SECONDS_RULE = integerRule(0, 20, 'Must be >= 0 and <= 20, if provided.');

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function validateBatchIds(entries: unknown, entryName: string): Array<Record<string, unknown> & { Id: string }> {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ServiceError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`, {
      queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest',
    });
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new ServiceError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
      { queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest' },
    );
  }
  const seen = new Set<string>();
  for (const entry of entries as Array<Record<string, unknown>>) {
    const id = entry?.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new ServiceError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
      );
    }
    if (seen.has(id)) {
      throw new ServiceError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, {
        queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      });
    }
    seen.add(id);
  }
  return entries as Array<Record<string, unknown> & { Id: string }>;
}

// ---------------------------------------------------------------------------------------------------------------
// Queue references.

/**
 * The account and name a queue reference gives. Any URL whose last two path segments are <account>/<name> names a
 * queue, so a URL saved while the emulator listened on another port still works; a bare name is accepted as the AWS
 * CLI's shorthand and means the caller's own account. Malformed references give neither.
 */
export function parseQueueReference(reference: string, ownAccount: string): { account?: string; name?: string } {
  let account: string | undefined;
  let name: string | undefined;
  if (reference.startsWith('arn:')) {
    const parts = reference.split(':');
    if (parts.length !== 6 || parts[2] !== 'sqs') return {};
    account = parts[4];
    name = parts[5];
  } else {
    const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(reference) ? safePathname(reference) : reference;
    const segments = (path ?? '').split('/').filter((segment) => segment !== '');
    if (segments.length === 1 && !reference.includes('/')) {
      name = segments[0];
      account = ownAccount;
    } else if (segments.length >= 2) {
      account = segments[segments.length - 2];
      name = segments[segments.length - 1];
    }
  }
  return { account, name };
}

function safePathname(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Queue attributes, tags and ListQueues tokens.

export function validateTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameterValue('Tags must be a map of key to value.');
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(value as Record<string, unknown>)) {
    // An object here once reached String() and answered 500 (test/reliability/fuzz.test.ts).
    if (typeof tag !== 'string' && typeof tag !== 'number' && typeof tag !== 'boolean') {
      throw invalidParameterValue(`Value for tag ${key} is invalid. Reason: Tag values must be strings.`);
    }
    tags[key] = String(tag);
  }
  return tags;
}

/** Checks names and ranges of settable attributes and returns them normalised to SQS's string form. */
export function validateQueueAttributes(value: unknown, mode: 'create' | 'set'): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameterValue('Attributes must be a map of name to value.');
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    const text = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined;
    if (name === 'FifoQueue' && mode === 'create') {
      if (text === 'true') {
        throw unsupported('FIFO queues are not supported by the lambda-async-demo local emulator; use a standard queue.');
      }
      if (text === 'false') continue;
    }
    const rule = SETTABLE_ATTRIBUTES[name];
    if (!rule) throw invalidAttributeName(name);
    if (text === undefined) throw invalidAttributeValue(name);
    if (rule === 'boolean') {
      if (text !== 'true' && text !== 'false') throw invalidAttributeValue(name);
      out[name] = text;
    } else if (rule === 'text') {
      out[name] = text;
    } else if (rule === 'redrive') {
      out[name] = text === '' ? '' : normaliseRedrivePolicy(text);
    } else {
      const number = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
      if (!Number.isInteger(number) || number < rule.min || number > rule.max) throw invalidAttributeValue(name);
      out[name] = String(number);
    }
  }
  return out;
}

function normaliseRedrivePolicy(text: string): string {
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(text) as typeof policy;
  } catch {
    throw invalidParameterValue(`Value ${text} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.`);
  }
  if (typeof policy?.deadLetterTargetArn !== 'string' || policy.deadLetterTargetArn === '') {
    throw invalidParameterValue(`Value ${text} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.`);
  }
  const count = typeof policy.maxReceiveCount === 'number' || typeof policy.maxReceiveCount === 'string' ? Number(policy.maxReceiveCount) : NaN;
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidParameterValue(
      `Value ${text} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${shown(policy.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
    );
  }
  return JSON.stringify({ deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: count });
}

/** ListQueues' NextToken: the last name of the page, so the next page starts after it. */
export function encodeNextToken(after: string): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64');
}

export function decodeNextToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw invalidParameterValue('Invalid NextToken value.');
}

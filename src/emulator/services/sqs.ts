// SQS: standard queues in memory with delays, visibility timeouts, long polls, redrive and AWS's exact errors.
import { randomUUID } from 'node:crypto';
import type {
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchResult,
  ChangeMessageVisibilityRequest,
  CreateQueueRequest,
  CreateQueueResult,
  DeleteMessageBatchRequest,
  DeleteMessageBatchResult,
  DeleteMessageRequest,
  DeleteQueueRequest,
  GetQueueAttributesRequest,
  GetQueueAttributesResult,
  GetQueueUrlRequest,
  GetQueueUrlResult,
  ListDeadLetterSourceQueuesRequest,
  ListDeadLetterSourceQueuesResult,
  ListQueuesRequest,
  ListQueuesResult,
  ListQueueTagsRequest,
  ListQueueTagsResult,
  PurgeQueueRequest,
  ReceiveMessageRequest,
  SetQueueAttributesRequest,
  TagQueueRequest,
  UntagQueueRequest,
} from '@aws-sdk/client-sqs';
import type { EmulatorContext, EntityState, Operation, Service } from '../context.js';
import { guarded } from '../fault.js';
import { ServiceError } from '../errors.js';
import { md5Hex, md5OfMessageAttributes, type WireMessageAttribute } from './sqs-md5.js';
import { type IntegerRule, optionalInteger, requiredString, type StringErrors, shown } from './validation.js';

// ---------------------------------------------------------------------------------------------------------------
// Wire shapes. The SDK's own types describe blobs as Uint8Array; on the JSON wire they are base64 text, which is
// what operations receive and return, so the message shapes are restated here.

type WireAttributeMap = Record<string, WireMessageAttribute>;

interface WireSendEntry {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: WireAttributeMap;
  MessageSystemAttributes?: WireAttributeMap;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}
interface WireSendMessageRequest extends WireSendEntry {
  QueueUrl?: string;
}
interface WireSendMessageBatchRequest {
  QueueUrl?: string;
  Entries?: Array<WireSendEntry & { Id?: string }>;
}
interface WireSendMessageResult {
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  MessageId: string;
}
interface WireMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: WireAttributeMap;
}
interface WireReceiveMessageResult {
  Messages?: WireMessage[];
}
interface WireBatchError {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Persisted state: plain JSON, so exportState/importState are copies.

type MessageState = 'delayed' | 'visible' | 'inflight';

interface StoredMessage {
  MessageId: string;
  Body: string;
  MD5OfBody: string;
  MessageAttributes?: WireAttributeMap;
  AWSTraceHeader?: string;
  MessageGroupId?: string;
  DeadLetterQueueSourceArn?: string;
  SenderId: string;
  /** Epoch ms. */
  SentTimestamp: number;
  ReceiveCount: number;
  FirstReceiveTimestamp?: number;
  State: MessageState;
  /** Epoch ms when a delayed message becomes visible, or when an in-flight message's visibility timeout ends. */
  VisibleAt: number;
  /** The handle of the latest receive; only that one may extend or end the current visibility window. */
  ReceiptHandle?: string;
}

interface QueueRecord {
  Name: string;
  /** Effective settable attributes, defaults included, values as SQS returns them (strings). */
  Attributes: Record<string, string>;
  Tags: Record<string, string>;
  /** Epoch seconds, as GetQueueAttributes reports them. */
  CreatedTimestamp: number;
  LastModifiedTimestamp: number;
  /** Epoch ms of the last PurgeQueue. */
  LastPurgeAt?: number;
}

interface SqsState {
  queues: Array<QueueRecord & { Messages: StoredMessage[] }>;
}

// ---------------------------------------------------------------------------------------------------------------
// AWS constants (docs/aws-semantics.md §5.3 and §5.5).

const MAX_MESSAGE_BYTES = 1_048_576;
const MAX_BATCH_ENTRIES = 10;
const MAX_MESSAGE_ATTRIBUTES = 10;
const PURGE_INTERVAL_MS = 60_000;
const MAX_LIST_QUEUES = 1000;

/** docs/aws-semantics.md §5.5 table; SSE-SQS is on by default for queues created since 2022. */
const DEFAULT_QUEUE_ATTRIBUTES: Record<string, string> = {
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

const COMPUTED_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

/** The order GetQueueAttributes(All) lists them in. */
const ATTRIBUTE_ORDER = [
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
const FIFO_ATTRIBUTES = new Set(['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
// docs/aws-semantics.md §5.5: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF (lone surrogates fail).
const DISALLOWED_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------------------------
// Errors, with the JSON shape name as code and the legacy query code botocore and SDK v3 map exceptions from
// (docs/aws-semantics.md §5.2).

function queueDoesNotExist(): ServiceError {
  return new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.', {
    queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
  });
}

function invalidParameterValue(message: string): ServiceError {
  return new ServiceError('InvalidParameterValueException', message, { queryCode: 'InvalidParameterValue' });
}

function missingParameter(name: string): ServiceError {
  return new ServiceError('MissingRequiredParameterException', `The request must contain the parameter ${name}.`, {
    queryCode: 'MissingParameter',
  });
}

function invalidAttributeName(name: string): ServiceError {
  return new ServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`, { queryCode: 'InvalidAttributeName' });
}

function invalidAttributeValue(name: string): ServiceError {
  return new ServiceError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`, {
    queryCode: 'InvalidAttributeValue',
  });
}

function invalidReceiptHandle(handle: string): ServiceError {
  return new ServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, {
    status: 404,
    queryCode: 'ReceiptHandleIsInvalid',
  });
}

function unsupported(message: string): ServiceError {
  return new ServiceError('UnsupportedOperation', message, { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' });
}

/** What a batch reports per failed entry: the legacy code, as SQS's batch results carry it. */
function batchError(id: string, error: unknown): WireBatchError {
  if (error instanceof ServiceError) {
    return { Id: id, SenderFault: error.sender, Code: error.queryCode ?? error.code, Message: error.message };
  }
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: String(error) };
}

// ---------------------------------------------------------------------------------------------------------------
// Input checks shared by operations.

/** How SQS answers a string parameter that is missing (empty included) or not a string. */
const SQS_STRING: StringErrors = {
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

const MAX_RESULTS_RULE = integerRule(1, MAX_LIST_QUEUES, 'MaxResults must be an integer between 1 and 1000.');
const DELAY_SECONDS_RULE = integerRule(0, 900, 'DelaySeconds must be >= 0 and <= 900.');
const VISIBILITY_TIMEOUT_RULE = integerRule(0, 43_200, 'Must be >= 0 and <= 43200, if provided.');
const MAX_NUMBER_OF_MESSAGES_RULE = integerRule(1, MAX_BATCH_ENTRIES, 'Must be between 1 and 10, if provided.');
const WAIT_TIME_SECONDS_RULE = integerRule(0, 20, 'Must be >= 0 and <= 20, if provided.');

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function byteLength(text: string): number {
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
function normaliseMessageAttributes(value: unknown): WireAttributeMap | undefined {
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

function attributesSize(attributes: WireAttributeMap | undefined): number {
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

function validateBatchIds(entries: unknown, entryName: string): Array<Record<string, unknown> & { Id: string }> {
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
// A queue's runtime indexes. Visible messages wait in a FIFO array with a moving head; delayed and in-flight
// messages sit in a min-heap keyed by the time they become visible. Receiving n messages therefore costs
// O(n + newly due), whatever the queue's size. Heap and FIFO entries go stale when a message is deleted or its
// deadline moves; they are recognised and skipped on the way out instead of being searched for.

interface Deadline {
  at: number;
  message: StoredMessage;
}

class DeadlineHeap {
  private items: Deadline[] = [];

  get size(): number {
    return this.items.length;
  }

  push(entry: Deadline): void {
    const items = this.items;
    items.push(entry);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.at <= entry.at) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = entry;
  }

  peek(): Deadline | undefined {
    return this.items[0];
  }

  pop(): Deadline | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.at < items[left]!.at ? right : left;
      if (items[child]!.at >= last.at) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = last;
    return top;
  }

  clear(): void {
    this.items = [];
  }
}

interface ReceiveOptions {
  max: number;
  visibilityTimeout?: number;
  systemAttributeNames: string[];
  messageAttributeNames: string[];
}

interface Waiter {
  options: ReceiveOptions;
  resolve(messages: WireMessage[]): void;
  timer: NodeJS.Timeout;
}

class Queue {
  readonly messages = new Map<string, StoredMessage>();
  readonly counts: Record<MessageState, number> = { visible: 0, inflight: 0, delayed: 0 };
  readonly waiters: Waiter[] = [];
  wakeTimer: NodeJS.Timeout | undefined;
  wakeAt = Infinity;
  private ready: Array<StoredMessage | undefined> = [];
  private readyHead = 0;
  private readonly deadlines = new DeadlineHeap();

  /** `touched` hears of every message added, removed or changed, by id: what the journal writes (persistence.ts). */
  constructor(
    readonly record: QueueRecord,
    private readonly touched: (messageId: string) => void = () => {},
  ) {}

  get name(): string {
    return this.record.Name;
  }

  attribute(name: string): number {
    return Number(this.record.Attributes[name] ?? DEFAULT_QUEUE_ATTRIBUTES[name]);
  }

  /** Adds a message in its current State (visible messages join the FIFO tail, others wait on their deadline). */
  add(message: StoredMessage): void {
    this.touched(message.MessageId);
    this.messages.set(message.MessageId, message);
    this.counts[message.State]++;
    if (message.State === 'visible') this.ready.push(message);
    else this.deadlines.push({ at: message.VisibleAt, message });
  }

  remove(message: StoredMessage): void {
    if (this.messages.get(message.MessageId) !== message) return;
    this.touched(message.MessageId);
    this.messages.delete(message.MessageId);
    this.counts[message.State]--;
    this.compactDeadlines();
  }

  /** Hides a message until `until` (a receive or a visibility change). */
  hide(message: StoredMessage, until: number): void {
    this.touched(message.MessageId);
    this.counts[message.State]--;
    message.State = 'inflight';
    this.counts.inflight++;
    message.VisibleAt = until;
    this.deadlines.push({ at: until, message });
    this.compactDeadlines();
  }

  // Messages deleted in flight leave their heap entry behind until its deadline; rebuilding once stale entries
  // outnumber live ones keeps the heap's memory proportional to the queue at O(1) amortised cost.
  private compactDeadlines(): void {
    const size = this.deadlines.size;
    if (size <= 1024 || size <= 2 * (this.counts.inflight + this.counts.delayed) || size <= this.messages.size / 2) return;
    this.deadlines.clear();
    for (const message of this.messages.values()) {
      if (message.State !== 'visible') this.deadlines.push({ at: message.VisibleAt, message });
    }
  }

  show(message: StoredMessage): void {
    this.touched(message.MessageId);
    this.counts[message.State]--;
    message.State = 'visible';
    this.counts.visible++;
    this.ready.push(message);
  }

  private isLive(message: StoredMessage): boolean {
    return this.messages.get(message.MessageId) === message;
  }

  /** Delayed messages whose delay ended and in-flight messages whose visibility timeout ended become visible. */
  promoteDue(now: number): void {
    for (let top = this.deadlines.peek(); top && top.at <= now; top = this.deadlines.peek()) {
      this.deadlines.pop();
      const message = top.message;
      if (this.isLive(message) && message.State !== 'visible' && message.VisibleAt === top.at) this.show(message);
    }
  }

  /** The next time a hidden message becomes visible, skipping stale heap entries. */
  nextDeadline(): number | undefined {
    for (let top = this.deadlines.peek(); top; top = this.deadlines.peek()) {
      const message = top.message;
      if (this.isLive(message) && message.State !== 'visible' && message.VisibleAt === top.at) return top.at;
      this.deadlines.pop();
    }
    return undefined;
  }

  shiftVisible(): StoredMessage | undefined {
    while (this.readyHead < this.ready.length) {
      const message = this.ready[this.readyHead];
      this.ready[this.readyHead] = undefined;
      this.readyHead++;
      if (message && this.isLive(message) && message.State === 'visible') {
        this.compact();
        return message;
      }
    }
    this.ready = [];
    this.readyHead = 0;
    return undefined;
  }

  private compact(): void {
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  /** Visible messages in delivery order, then the hidden ones: the order exportState writes them in. */
  orderedMessages(): StoredMessage[] {
    const visible: StoredMessage[] = [];
    for (let i = this.readyHead; i < this.ready.length; i++) {
      const message = this.ready[i];
      if (message && this.isLive(message) && message.State === 'visible') visible.push(message);
    }
    const hidden = [...this.messages.values()].filter((message) => message.State !== 'visible');
    return [...visible, ...hidden];
  }

  clearMessages(): void {
    for (const id of this.messages.keys()) this.touched(id);
    this.messages.clear();
    this.ready = [];
    this.readyHead = 0;
    this.deadlines.clear();
    this.counts.visible = this.counts.inflight = this.counts.delayed = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------

const KEY_PART = '\u0000';
const queueKey = (name: string) => `q${KEY_PART}${name}`;
const messageKey = (name: string, id: string) => `m${KEY_PART}${name}${KEY_PART}${id}`;

export type SqsMessageAttributeInput = Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>;

export class SqsService implements Service, EntityState {
  private restoring = false;
  private queues = new Map<string, Queue>();
  private closed = false;

  constructor(protected readonly ctx: EmulatorContext) {}

  readonly operations: Record<string, Operation> = {
    CreateQueue: (input: CreateQueueRequest): CreateQueueResult => {
      const queue = this.createOrMatchQueue(input.QueueName, input.Attributes, input.tags);
      return { QueueUrl: this.urlOf(queue) };
    },

    GetQueueUrl: (input: GetQueueUrlRequest): GetQueueUrlResult => {
      const name = requiredString(input.QueueName, 'QueueName', SQS_STRING);
      const owner = input.QueueOwnerAWSAccountId;
      const queue = this.queues.get(name);
      if (!queue || (owner !== undefined && owner !== this.ctx.accountId)) throw queueDoesNotExist();
      return { QueueUrl: this.urlOf(queue) };
    },

    GetQueueAttributes: (input: GetQueueAttributesRequest): GetQueueAttributesResult => {
      const queue = this.requireQueue(input.QueueUrl);
      const attributes = this.queueAttributes(queue, stringList(input.AttributeNames));
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },

    SetQueueAttributes: (input: SetQueueAttributesRequest): Record<string, never> => {
      const queue = this.requireQueue(input.QueueUrl);
      const changes = this.validateQueueAttributes(input.Attributes, 'set');
      Object.assign(queue.record.Attributes, changes);
      for (const [name, value] of Object.entries(changes)) {
        // An empty Policy or RedrivePolicy removes it, as on AWS.
        if (value === '' && (name === 'Policy' || name === 'RedrivePolicy' || name === 'RedriveAllowPolicy')) {
          delete queue.record.Attributes[name];
        }
      }
      queue.record.LastModifiedTimestamp = this.nowSeconds();
      this.touchQueue(queue);
      this.ctx.stateChanged('acknowledged', 'sqs');
      // A shorter wait or delay does not move deadlines already set; nothing to reschedule.
      return {};
    },

    ListQueues: (input: ListQueuesRequest): ListQueuesResult => {
      const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
      const maxResults = optionalInteger(input.MaxResults, 'MaxResults', MAX_RESULTS_RULE);
      let names = [...this.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
      const after = typeof input.NextToken === 'string' ? this.decodeNextToken(input.NextToken) : undefined;
      if (after !== undefined) names = names.filter((name) => name > after);
      const page = names.slice(0, maxResults ?? MAX_LIST_QUEUES);
      const result: ListQueuesResult = {};
      if (page.length > 0) result.QueueUrls = page.map((name) => this.urlOf(this.queues.get(name)!));
      // NextToken only comes back when the caller paginates with MaxResults (botocore model ListQueues doc).
      if (maxResults !== undefined && names.length > page.length) {
        result.NextToken = Buffer.from(JSON.stringify({ after: page[page.length - 1] })).toString('base64');
      }
      return result;
    },

    DeleteQueue: (input: DeleteQueueRequest): Record<string, never> => {
      this.dropQueue(this.requireQueue(input.QueueUrl));
      return {};
    },

    PurgeQueue: (input: PurgeQueueRequest): Record<string, never> => {
      const queue = this.requireQueue(input.QueueUrl);
      const now = this.ctx.now();
      if (queue.record.LastPurgeAt !== undefined && now - queue.record.LastPurgeAt < PURGE_INTERVAL_MS) {
        // docs/aws-semantics.md §5.2: HTTP 403 with the legacy code.
        throw new ServiceError(
          'PurgeQueueInProgress',
          `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
          { status: 403, queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress' },
        );
      }
      queue.record.LastPurgeAt = now;
      this.touchQueue(queue);
      queue.clearMessages();
      this.ctx.stateChanged('acknowledged', 'sqs');
      return {};
    },

    TagQueue: (input: TagQueueRequest): Record<string, never> => {
      const queue = this.requireQueue(input.QueueUrl);
      Object.assign(queue.record.Tags, this.validateTags(input.Tags));
      this.touchQueue(queue);
      this.ctx.stateChanged('acknowledged', 'sqs');
      return {};
    },

    UntagQueue: (input: UntagQueueRequest): Record<string, never> => {
      const queue = this.requireQueue(input.QueueUrl);
      for (const key of stringList(input.TagKeys)) delete queue.record.Tags[key];
      this.touchQueue(queue);
      this.ctx.stateChanged('acknowledged', 'sqs');
      return {};
    },

    ListQueueTags: (input: ListQueueTagsRequest): ListQueueTagsResult => {
      const queue = this.requireQueue(input.QueueUrl);
      return Object.keys(queue.record.Tags).length > 0 ? { Tags: { ...queue.record.Tags } } : {};
    },

    ListDeadLetterSourceQueues: (input: ListDeadLetterSourceQueuesRequest): ListDeadLetterSourceQueuesResult => {
      const target = this.arnOf(this.requireQueue(input.QueueUrl));
      const sources = [...this.queues.values()].filter((queue) => this.redrivePolicy(queue)?.deadLetterTargetArn === target);
      return { queueUrls: sources.map((queue) => this.urlOf(queue)) };
    },

    SendMessage: (input: WireSendMessageRequest): WireSendMessageResult => {
      const queue = this.requireQueue(input.QueueUrl);
      const now = this.ctx.now();
      queue.promoteDue(now);
      const result = this.enqueue(queue, input, now);
      this.settle(queue);
      this.ctx.stateChanged('acknowledged', 'sqs');
      return result;
    },

    SendMessageBatch: (input: WireSendMessageBatchRequest) => {
      const queue = this.requireQueue(input.QueueUrl);
      const entries = validateBatchIds(input.Entries, 'SendMessageBatchRequestEntry');
      let total = 0;
      for (const entry of entries) {
        if (typeof entry.MessageBody === 'string') total += byteLength(entry.MessageBody);
        try {
          total += attributesSize(normaliseMessageAttributes(entry.MessageAttributes));
        } catch {
          // Reported for the entry itself below.
        }
      }
      if (total > MAX_MESSAGE_BYTES) {
        throw new ServiceError(
          'BatchRequestTooLong',
          `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`,
          { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong' },
        );
      }
      const now = this.ctx.now();
      queue.promoteDue(now);
      const Successful: Array<WireSendMessageResult & { Id: string }> = [];
      const Failed: WireBatchError[] = [];
      for (const entry of entries) {
        try {
          Successful.push({ Id: entry.Id, ...this.enqueue(queue, entry as WireSendEntry, now) });
        } catch (error) {
          Failed.push(batchError(entry.Id, error));
        }
      }
      this.settle(queue);
      if (Successful.length > 0) this.ctx.stateChanged('acknowledged', 'sqs');
      return { Successful, Failed };
    },

    ReceiveMessage: (input: ReceiveMessageRequest): WireReceiveMessageResult | Promise<WireReceiveMessageResult> => {
      const queue = this.requireQueue(input.QueueUrl);
      const max =
        optionalInteger(input.MaxNumberOfMessages, 'MaxNumberOfMessages', MAX_NUMBER_OF_MESSAGES_RULE) ?? 1;
      const wait =
        optionalInteger(input.WaitTimeSeconds, 'WaitTimeSeconds', WAIT_TIME_SECONDS_RULE) ?? queue.attribute('ReceiveMessageWaitTimeSeconds');
      const visibilityTimeout = optionalInteger(input.VisibilityTimeout, 'VisibilityTimeout', VISIBILITY_TIMEOUT_RULE);
      const options: ReceiveOptions = {
        max,
        visibilityTimeout,
        // AttributeNames is the deprecated alias of MessageSystemAttributeNames (§5.3); either may be sent.
        systemAttributeNames: [...stringList(input.MessageSystemAttributeNames), ...stringList(input.AttributeNames)],
        messageAttributeNames: stringList(input.MessageAttributeNames),
      };
      const now = this.ctx.now();
      queue.promoteDue(now);
      const messages = this.take(queue, options, now);
      if (messages.length > 0 || wait === 0 || this.closed) {
        this.settle(queue);
        if (messages.length > 0) this.ctx.stateChanged('acknowledged', 'sqs');
        return messages.length > 0 ? { Messages: messages } : {};
      }
      // Long poll: answered by settle() the moment a message is sent or becomes visible, or empty at the deadline.
      return new Promise<WireReceiveMessageResult>((resolve) => {
        const waiter: Waiter = {
          options,
          resolve: (delivered) => resolve(delivered.length > 0 ? { Messages: delivered } : {}),
          timer: setTimeout(guarded('SQS long poll timeout', () => {
            const index = queue.waiters.indexOf(waiter);
            if (index >= 0) queue.waiters.splice(index, 1);
            waiter.resolve([]);
            this.scheduleWake(queue);
          }), wait * 1000),
        };
        queue.waiters.push(waiter);
        this.scheduleWake(queue);
      });
    },

    DeleteMessage: (input: DeleteMessageRequest): Record<string, never> => {
      const queue = this.requireQueue(input.QueueUrl);
      const handle = requiredString(input.ReceiptHandle, 'ReceiptHandle', SQS_STRING);
      queue.promoteDue(this.ctx.now());
      if (this.deleteByHandle(queue, handle)) this.ctx.stateChanged('acknowledged', 'sqs');
      return {};
    },

    DeleteMessageBatch: (input: DeleteMessageBatchRequest): DeleteMessageBatchResult => {
      const queue = this.requireQueue(input.QueueUrl);
      const entries = validateBatchIds(input.Entries, 'DeleteMessageBatchRequestEntry');
      queue.promoteDue(this.ctx.now());
      const result: DeleteMessageBatchResult = { Successful: [], Failed: [] };
      let changed = false;
      for (const entry of entries) {
        try {
          changed = this.deleteByHandle(queue, requiredString(entry.ReceiptHandle, 'ReceiptHandle', SQS_STRING)) || changed;
          result.Successful!.push({ Id: entry.Id });
        } catch (error) {
          result.Failed!.push(batchError(entry.Id, error));
        }
      }
      if (changed) this.ctx.stateChanged('acknowledged', 'sqs');
      return result;
    },

    ChangeMessageVisibility: (input: ChangeMessageVisibilityRequest): Record<string, never> => {
      const queue = this.requireQueue(input.QueueUrl);
      queue.promoteDue(this.ctx.now());
      this.changeVisibility(queue, input.ReceiptHandle, input.VisibilityTimeout);
      this.settle(queue);
      this.ctx.stateChanged('acknowledged', 'sqs');
      return {};
    },

    ChangeMessageVisibilityBatch: (input: ChangeMessageVisibilityBatchRequest): ChangeMessageVisibilityBatchResult => {
      const queue = this.requireQueue(input.QueueUrl);
      const entries = validateBatchIds(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
      queue.promoteDue(this.ctx.now());
      const result: ChangeMessageVisibilityBatchResult = { Successful: [], Failed: [] };
      for (const entry of entries) {
        try {
          this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout);
          result.Successful!.push({ Id: entry.Id });
        } catch (error) {
          result.Failed!.push(batchError(entry.Id, error));
        }
      }
      this.settle(queue);
      if (result.Successful!.length > 0) this.ctx.stateChanged('acknowledged', 'sqs');
      return result;
    },
  };

  // -------------------------------------------------------------------------------------------------------------
  // Internal API for sibling services (context.ts).

  createQueue(
    name: string,
    attributes?: Record<string, string>,
    tags?: Record<string, string>,
  ): { QueueUrl: string; QueueArn: string } {
    const queue = this.createOrMatchQueue(name, attributes, tags);
    return { QueueUrl: this.urlOf(queue), QueueArn: this.arnOf(queue) };
  }

  deleteQueue(queueUrlOrArn: string): void {
    const queue = this.findQueue(queueUrlOrArn);
    if (queue) this.dropQueue(queue);
  }

  /** The URL of the queue the ARN names, or undefined when the ARN is malformed or the queue does not exist. */
  queueUrlFromArn(arn: string): string | undefined {
    if (!arn.startsWith('arn:')) return undefined;
    const queue = this.findQueue(arn);
    return queue ? this.urlOf(queue) : undefined;
  }

  sendMessage(queueUrlOrArn: string, body: string, messageAttributes?: SqsMessageAttributeInput): { MessageId: string } {
    const queue = this.findQueue(queueUrlOrArn);
    if (!queue) throw queueDoesNotExist();
    let wireAttributes: WireAttributeMap | undefined;
    if (messageAttributes) {
      wireAttributes = {};
      for (const [name, value] of Object.entries(messageAttributes)) {
        wireAttributes[name] = {
          DataType: value.DataType,
          ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
          ...(value.BinaryValue !== undefined ? { BinaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
        };
      }
    }
    const now = this.ctx.now();
    queue.promoteDue(now);
    const { MessageId } = this.enqueue(queue, { MessageBody: body, MessageAttributes: wireAttributes }, now);
    this.settle(queue);
    this.ctx.stateChanged('acknowledged', 'sqs');
    return { MessageId };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Persistence and shutdown.

  exportState(): SqsState {
    return {
      queues: [...this.queues.values()].map((queue) => ({
        ...structuredClone(queue.record),
        Messages: queue.orderedMessages().map((message) => structuredClone(message)),
      })),
    };
  }

  // Persisted entity by entity (persistence.ts): `q<NUL><queue>` holds a queue's record, `m<NUL><queue><NUL><id>` one
  // message, so a send, receive or delete writes one line however full the queue is.
  exportEntities(): Array<[string, unknown]> {
    const entities: Array<[string, unknown]> = [];
    for (const queue of this.queues.values()) {
      entities.push([queueKey(queue.name), queue.record]);
      for (const message of queue.orderedMessages()) entities.push([messageKey(queue.name, message.MessageId), message]);
    }
    return entities;
  }

  entity(key: string): unknown {
    const [kind, name, id] = key.split(KEY_PART);
    const queue = this.queues.get(name ?? '');
    if (kind === 'q') return queue?.record;
    return id === undefined ? undefined : queue?.messages.get(id);
  }

  importEntities(entities: Map<string, unknown>): void {
    const queues: SqsState['queues'] = [];
    const byName = new Map<string, SqsState['queues'][number]>();
    for (const [key, value] of entities) {
      const [kind, name] = key.split(KEY_PART);
      if (kind !== 'q' || name === undefined) continue;
      const queue = { ...(value as QueueRecord), Messages: [] };
      byName.set(name, queue);
      queues.push(queue);
    }
    for (const [key, value] of entities) {
      const [kind, name] = key.split(KEY_PART);
      if (kind === 'm') byName.get(name ?? '')?.Messages.push(value as StoredMessage);
    }
    this.importState({ queues });
  }

  private newQueue(record: QueueRecord): Queue {
    const name = record.Name;
    // What is being restored is on disk already: only later changes are news to the journal.
    return new Queue(record, (id) => {
      if (!this.restoring) this.ctx.touch('sqs', messageKey(name, id));
    });
  }

  private touchQueue(queue: Queue): void {
    this.ctx.touch('sqs', queueKey(queue.name));
  }

  importState(state: unknown): void {
    this.restoring = true;
    try {
      this.restore(state);
    } finally {
      this.restoring = false;
    }
  }

  private restore(state: unknown): void {
    for (const queue of this.queues.values()) this.endWaits(queue);
    this.queues = new Map();
    const queues = (state as Partial<SqsState> | undefined)?.queues;
    if (!Array.isArray(queues)) return;
    const now = this.ctx.now();
    for (const saved of queues) {
      const { Messages, ...record } = structuredClone(saved);
      const queue = this.newQueue(record);
      for (const message of Messages ?? []) queue.add(message);
      // In-flight messages whose visibility timeout ended while the emulator was down are visible again.
      queue.promoteDue(now);
      this.queues.set(queue.name, queue);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.queues.values()) this.endWaits(queue);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Queues.

  private nowSeconds(): number {
    return Math.floor(this.ctx.now() / 1000);
  }

  private urlOf(queue: Queue): string {
    return `${this.ctx.baseUrl()}/${this.ctx.accountId}/${queue.name}`;
  }

  private arnOf(queue: Queue): string {
    return `arn:aws:sqs:${this.ctx.region}:${this.ctx.accountId}:${queue.name}`;
  }

  /**
   * A queue named by URL or ARN. Any URL whose last two path segments are <account>/<name> resolves, so a URL saved
   * while the emulator listened on another port still works; a bare name is accepted as the AWS CLI's shorthand.
   */
  private findQueue(reference: string): Queue | undefined {
    let account: string | undefined;
    let name: string | undefined;
    if (reference.startsWith('arn:')) {
      const parts = reference.split(':');
      if (parts.length !== 6 || parts[2] !== 'sqs') return undefined;
      account = parts[4];
      name = parts[5];
    } else {
      const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(reference) ? safePathname(reference) : reference;
      const segments = (path ?? '').split('/').filter((segment) => segment !== '');
      if (segments.length === 1 && !reference.includes('/')) {
        name = segments[0];
        account = this.ctx.accountId;
      } else if (segments.length >= 2) {
        account = segments[segments.length - 2];
        name = segments[segments.length - 1];
      }
    }
    if (account !== this.ctx.accountId || name === undefined) return undefined;
    return this.queues.get(name);
  }

  private requireQueue(reference: unknown): Queue {
    const queue = this.findQueue(requiredString(reference, 'QueueUrl', SQS_STRING));
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  private createOrMatchQueue(nameInput: unknown, attributesInput: unknown, tagsInput: unknown): Queue {
    const name = requiredString(nameInput, 'QueueName', SQS_STRING);
    const requested = this.validateQueueAttributes(attributesInput, 'create');
    if (!QUEUE_NAME.test(name)) {
      throw invalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const existing = this.queues.get(name);
    if (existing) {
      // CreateQueue is idempotent only when every given attribute equals the existing value (§5.5).
      for (const [attribute, value] of Object.entries(requested)) {
        const current = existing.record.Attributes[attribute] ?? '';
        if (current !== value) {
          throw new ServiceError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${attribute}`,
            { queryCode: 'QueueAlreadyExists' },
          );
        }
      }
      return existing;
    }
    // AWS makes queues wait 60 s after a delete before the name is reused (QueueDeletedRecently); the emulator
    // does not, so a lesson torn down and redeployed at once keeps working.
    const now = this.nowSeconds();
    const attributes = { ...DEFAULT_QUEUE_ATTRIBUTES, ...requested };
    if (requested.KmsMasterKeyId && requested.SqsManagedSseEnabled === undefined) attributes.SqsManagedSseEnabled = 'false';
    for (const [key, value] of Object.entries(attributes)) if (value === '') delete attributes[key];
    const queue = this.newQueue({
      Name: name,
      Attributes: attributes,
      Tags: this.validateTags(tagsInput),
      CreatedTimestamp: now,
      LastModifiedTimestamp: now,
    });
    this.queues.set(name, queue);
    this.touchQueue(queue);
    this.ctx.stateChanged('acknowledged', 'sqs');
    return queue;
  }

  private dropQueue(queue: Queue): void {
    this.endWaits(queue);
    this.touchQueue(queue);
    queue.clearMessages();
    this.queues.delete(queue.name);
    this.ctx.stateChanged('acknowledged', 'sqs');
  }

  private validateTags(value: unknown): Record<string, string> {
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
  private validateQueueAttributes(value: unknown, mode: 'create' | 'set'): Record<string, string> {
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
        out[name] = text === '' ? '' : this.normaliseRedrivePolicy(text);
      } else {
        const number = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
        if (!Number.isInteger(number) || number < rule.min || number > rule.max) throw invalidAttributeValue(name);
        out[name] = String(number);
      }
    }
    return out;
  }

  private normaliseRedrivePolicy(text: string): string {
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

  private redrivePolicy(queue: Queue): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
    const text = queue.record.Attributes.RedrivePolicy;
    return text ? (JSON.parse(text) as { deadLetterTargetArn: string; maxReceiveCount: number }) : undefined;
  }

  private queueAttributes(queue: Queue, names: string[]): Record<string, string> {
    for (const name of names) {
      if (name !== 'All' && !ATTRIBUTE_ORDER.includes(name) && !FIFO_ATTRIBUTES.has(name)) throw invalidAttributeName(name);
    }
    if (names.length === 0) return {};
    queue.promoteDue(this.ctx.now());
    const wanted = names.includes('All') ? new Set(ATTRIBUTE_ORDER) : new Set(names);
    const computed: Record<(typeof COMPUTED_ATTRIBUTES)[number], string> = {
      QueueArn: this.arnOf(queue),
      ApproximateNumberOfMessages: String(queue.counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(queue.counts.inflight),
      ApproximateNumberOfMessagesDelayed: String(queue.counts.delayed),
      CreatedTimestamp: String(queue.record.CreatedTimestamp),
      LastModifiedTimestamp: String(queue.record.LastModifiedTimestamp),
    };
    const out: Record<string, string> = {};
    for (const name of ATTRIBUTE_ORDER) {
      if (!wanted.has(name)) continue;
      const value = name in computed ? computed[name as keyof typeof computed] : queue.record.Attributes[name];
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  private decodeNextToken(token: string): string {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
      if (typeof parsed.after === 'string') return parsed.after;
    } catch {
      // fall through
    }
    throw invalidParameterValue('Invalid NextToken value.');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Messages.

  private enqueue(queue: Queue, entry: WireSendEntry, now: number): WireSendMessageResult {
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
      SenderId: this.ctx.accountId,
      SentTimestamp: now,
      ReceiveCount: 0,
      State: delay > 0 ? 'delayed' : 'visible',
      VisibleAt: now + delay * 1000,
    };
    queue.add(message);
    return {
      MD5OfMessageBody: message.MD5OfBody,
      MD5OfMessageAttributes: md5OfMessageAttributes(attributes),
      MD5OfMessageSystemAttributes: md5OfMessageAttributes(systemAttributes),
      MessageId: message.MessageId,
    };
  }

  /** Takes up to options.max visible messages, hiding each for the visibility timeout. */
  private take(queue: Queue, options: ReceiveOptions, now: number): WireMessage[] {
    const delivered: WireMessage[] = [];
    const visibilityTimeout = options.visibilityTimeout ?? queue.attribute('VisibilityTimeout');
    const retentionMs = queue.attribute('MessageRetentionPeriod') * 1000;
    const redrive = this.redrivePolicy(queue);
    while (delivered.length < options.max) {
      const message = queue.shiftVisible();
      if (!message) break;
      if (now - message.SentTimestamp > retentionMs) {
        queue.remove(message);
        continue;
      }
      if (redrive && message.ReceiveCount >= redrive.maxReceiveCount && this.moveToDeadLetterQueue(queue, message, redrive.deadLetterTargetArn, now)) {
        continue;
      }
      message.ReceiveCount++;
      message.FirstReceiveTimestamp ??= now;
      message.ReceiptHandle = this.receiptHandle(queue, message, now);
      queue.hide(message, now + visibilityTimeout * 1000);
      delivered.push(this.render(message, options));
    }
    return delivered;
  }

  /** §5.5: once the receive count passes maxReceiveCount the message moves to the dead-letter queue. */
  private moveToDeadLetterQueue(source: Queue, message: StoredMessage, targetArn: string, now: number): boolean {
    const target = this.findQueue(targetArn);
    if (!target || target === source) return false;
    source.remove(message);
    const moved: StoredMessage = {
      ...structuredClone(message),
      DeadLetterQueueSourceArn: this.arnOf(source),
      ReceiveCount: 0,
      State: 'visible',
      VisibleAt: now,
    };
    delete moved.FirstReceiveTimestamp;
    delete moved.ReceiptHandle;
    target.promoteDue(now);
    target.add(moved);
    this.ctx.stateChanged('acknowledged', 'sqs');
    // Wake the target's long polls once this receive is over: settling inside take() could re-enter the source
    // queue through a redrive cycle while its waiter list is being walked.
    queueMicrotask(() => {
      if (this.queues.get(target.name) === target) this.settle(target);
    });
    return true;
  }

  private render(message: StoredMessage, options: ReceiveOptions): WireMessage {
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

  private receiptHandle(queue: Queue, message: StoredMessage, now: number): string {
    // randomUUID draws from a cached entropy pool; a fresh randomBytes per receive costs several times more.
    const text = `${randomUUID()} ${this.arnOf(queue)} ${message.MessageId} ${now}`;
    return Buffer.from(text, 'utf8').toString('base64');
  }

  private messageIdFromHandle(handle: string): string {
    const parts = Buffer.from(handle, 'base64').toString('utf8').split(' ');
    const messageId = parts[2];
    if (parts.length !== 4 || messageId === undefined || !MESSAGE_ID.test(messageId)) throw invalidReceiptHandle(handle);
    return messageId;
  }

  /**
   * A well-formed handle of a message already gone succeeds without effect, as SQS does for stale handles (§5.5).
   * A message in flight under a newer receive stays: only its current holder may delete it.
   */
  private deleteByHandle(queue: Queue, handle: string): boolean {
    const message = queue.messages.get(this.messageIdFromHandle(handle));
    if (!message) return false;
    if (message.State === 'inflight' && message.ReceiptHandle !== handle) return false;
    queue.remove(message);
    return true;
  }

  private changeVisibility(queue: Queue, handleInput: unknown, timeoutInput: unknown): void {
    const handle = requiredString(handleInput, 'ReceiptHandle', SQS_STRING);
    if (timeoutInput === undefined || timeoutInput === null) throw missingParameter('VisibilityTimeout');
    const timeout = optionalInteger(timeoutInput, 'VisibilityTimeout', VISIBILITY_TIMEOUT_RULE)!;
    const message = queue.messages.get(this.messageIdFromHandle(handle));
    if (!message || message.ReceiptHandle !== handle) {
      throw invalidParameterValue(
        `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    if (message.State !== 'inflight') {
      throw new ServiceError('MessageNotInflight', "The specified message isn't in flight.", {
        queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
      });
    }
    if (timeout === 0) queue.show(message);
    else queue.hide(message, this.ctx.now() + timeout * 1000);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Long polling.

  /** Hands newly visible messages to waiting long polls and keeps one timer on the next visibility deadline. */
  private settle(queue: Queue): void {
    if (queue.waiters.length > 0) {
      const now = this.ctx.now();
      queue.promoteDue(now);
      let delivered = false;
      while (queue.waiters.length > 0 && queue.counts.visible > 0) {
        const waiter = queue.waiters[0]!;
        const messages = this.take(queue, waiter.options, now);
        if (messages.length === 0) break;
        queue.waiters.shift();
        clearTimeout(waiter.timer);
        waiter.resolve(messages);
        delivered = true;
      }
      if (delivered) this.ctx.stateChanged('acknowledged', 'sqs');
    }
    this.scheduleWake(queue);
  }

  private scheduleWake(queue: Queue): void {
    const next = queue.waiters.length > 0 && !this.closed ? queue.nextDeadline() : undefined;
    if (next === undefined) {
      if (queue.wakeTimer) clearTimeout(queue.wakeTimer);
      queue.wakeTimer = undefined;
      queue.wakeAt = Infinity;
      return;
    }
    if (queue.wakeTimer && queue.wakeAt <= next) return;
    if (queue.wakeTimer) clearTimeout(queue.wakeTimer);
    queue.wakeAt = next;
    queue.wakeTimer = setTimeout(guarded('SQS queue wake-up', () => {
      queue.wakeTimer = undefined;
      queue.wakeAt = Infinity;
      if (this.queues.get(queue.name) === queue) this.settle(queue);
    }), Math.max(0, next - this.ctx.now()));
  }

  /** Answers every pending long poll of the queue with no messages and stops its timer. */
  private endWaits(queue: Queue): void {
    for (const waiter of queue.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve([]);
    }
    if (queue.wakeTimer) clearTimeout(queue.wakeTimer);
    queue.wakeTimer = undefined;
    queue.wakeAt = Infinity;
  }
}

function safePathname(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

// SQS: standard queues in memory with delays, visibility timeouts, long polls, redrive and AWS's exact errors.
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
import type { EmulatorContext, EntityState, Operation, Service } from '../../context.js';
import { ServiceError } from '../../errors.js';
import { optionalInteger, requiredString } from '../validation.js';
import { entityOf, messageKey, queueEntities, queueKey, stateFromEntities } from './entities.js';
import {
  attributesSize, byteLength, messageIdFromHandle, newMessage, normaliseMessageAttributes, receiptHandle, renderMessage,
} from './messages.js';
import { addWaiter, endWaits, type PollHost, settle } from './long-polls.js';
import { Queue } from './queue-store.js';
import {
  ATTRIBUTE_ORDER, batchError, type COMPUTED_ATTRIBUTES, DEFAULT_QUEUE_ATTRIBUTES, decodeNextToken, encodeNextToken,
  FIFO_ATTRIBUTES, invalidAttributeName, invalidParameterValue, MAX_LIST_QUEUES, MAX_MESSAGE_BYTES,
  MAX_NUMBER_OF_MESSAGES_RULE, MAX_RESULTS_RULE, missingParameter, parseQueueReference, PURGE_INTERVAL_MS, QUEUE_NAME,
  queueDoesNotExist, SQS_STRING, stringList, validateBatchIds, validateQueueAttributes, validateTags,
  VISIBILITY_TIMEOUT_RULE, WAIT_TIME_SECONDS_RULE,
} from './rules.js';
import type {
  QueueRecord, ReceiveOptions, SqsState, StoredMessage, WireAttributeMap, WireBatchError, WireMessage,
  WireReceiveMessageResult, WireSendEntry, WireSendMessageBatchRequest, WireSendMessageRequest, WireSendMessageResult,
} from './types.js';

export type SqsMessageAttributeInput = Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>;

export class SqsService implements Service, EntityState {
  private restoring = false;
  private queues = new Map<string, Queue>();
  private closed = false;

  constructor(protected readonly ctx: EmulatorContext) {}

  /** What long polling (long-polls.ts) needs from the service. */
  private readonly polls: PollHost = {
    now: () => this.ctx.now(),
    take: (queue, options, now) => this.take(queue, options, now),
    isCurrent: (queue) => this.queues.get(queue.name) === queue,
    isClosed: () => this.closed,
    delivered: () => this.ctx.stateChanged('acknowledged', 'sqs'),
  };

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
      const changes = validateQueueAttributes(input.Attributes, 'set');
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
      const after = typeof input.NextToken === 'string' ? decodeNextToken(input.NextToken) : undefined;
      if (after !== undefined) names = names.filter((name) => name > after);
      const page = names.slice(0, maxResults ?? MAX_LIST_QUEUES);
      const result: ListQueuesResult = {};
      if (page.length > 0) result.QueueUrls = page.map((name) => this.urlOf(this.queues.get(name)!));
      // NextToken only comes back when the caller paginates with MaxResults (botocore model ListQueues doc).
      if (maxResults !== undefined && names.length > page.length) {
        result.NextToken = encodeNextToken(page[page.length - 1]!);
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
      Object.assign(queue.record.Tags, validateTags(input.Tags));
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
      settle(this.polls, queue);
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
      settle(this.polls, queue);
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
        settle(this.polls, queue);
        if (messages.length > 0) this.ctx.stateChanged('acknowledged', 'sqs');
        return messages.length > 0 ? { Messages: messages } : {};
      }
      // Long poll: answered by settle() the moment a message is sent or becomes visible, or empty at the deadline.
      return new Promise<WireReceiveMessageResult>((resolve) => {
        addWaiter(this.polls, queue, options, wait, (delivered) => resolve(delivered.length > 0 ? { Messages: delivered } : {}));
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
      settle(this.polls, queue);
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
      settle(this.polls, queue);
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
    settle(this.polls, queue);
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

  // Persisted entity by entity (entities.ts), so a send, receive or delete writes one line however full the queue is.
  exportEntities(): Array<[string, unknown]> {
    return queueEntities(this.queues.values());
  }

  entity(key: string): unknown {
    return entityOf(this.queues, key);
  }

  importEntities(entities: Map<string, unknown>): void {
    this.importState(stateFromEntities(entities));
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
    for (const queue of this.queues.values()) endWaits(queue);
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
    for (const queue of this.queues.values()) endWaits(queue);
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

  /** A queue of this account named by URL, ARN or bare name (rules.ts, parseQueueReference). */
  private findQueue(reference: string): Queue | undefined {
    const { account, name } = parseQueueReference(reference, this.ctx.accountId);
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
    const requested = validateQueueAttributes(attributesInput, 'create');
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
      Tags: validateTags(tagsInput),
      CreatedTimestamp: now,
      LastModifiedTimestamp: now,
    });
    this.queues.set(name, queue);
    this.touchQueue(queue);
    this.ctx.stateChanged('acknowledged', 'sqs');
    return queue;
  }

  private dropQueue(queue: Queue): void {
    endWaits(queue);
    this.touchQueue(queue);
    queue.clearMessages();
    this.queues.delete(queue.name);
    this.ctx.stateChanged('acknowledged', 'sqs');
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

  // -------------------------------------------------------------------------------------------------------------
  // Messages.

  private enqueue(queue: Queue, entry: WireSendEntry, now: number): WireSendMessageResult {
    const { message, result } = newMessage(queue, entry, this.ctx.accountId, now);
    queue.add(message);
    return result;
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
      message.ReceiptHandle = receiptHandle(this.arnOf(queue), message.MessageId, now);
      queue.hide(message, now + visibilityTimeout * 1000);
      delivered.push(renderMessage(message, options));
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
      if (this.queues.get(target.name) === target) settle(this.polls, target);
    });
    return true;
  }

  /**
   * A well-formed handle of a message already gone succeeds without effect, as SQS does for stale handles (§5.5).
   * A message in flight under a newer receive stays: only its current holder may delete it.
   */
  private deleteByHandle(queue: Queue, handle: string): boolean {
    const message = queue.messages.get(messageIdFromHandle(handle));
    if (!message) return false;
    if (message.State === 'inflight' && message.ReceiptHandle !== handle) return false;
    queue.remove(message);
    return true;
  }

  private changeVisibility(queue: Queue, handleInput: unknown, timeoutInput: unknown): void {
    const handle = requiredString(handleInput, 'ReceiptHandle', SQS_STRING);
    if (timeoutInput === undefined || timeoutInput === null) throw missingParameter('VisibilityTimeout');
    const timeout = optionalInteger(timeoutInput, 'VisibilityTimeout', VISIBILITY_TIMEOUT_RULE)!;
    const message = queue.messages.get(messageIdFromHandle(handle));
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
}

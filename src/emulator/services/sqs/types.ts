// The SQS emulator's shapes: messages as the JSON wire carries them, queues and messages as they are stored.
import type { WireMessageAttribute } from './md5.js';

// Wire shapes. The SDK's own types describe blobs as Uint8Array; on the JSON wire they are base64 text, which is
// what operations receive and return, so the message shapes are restated here.

export type WireAttributeMap = Record<string, WireMessageAttribute>;

export interface WireSendEntry {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: WireAttributeMap;
  MessageSystemAttributes?: WireAttributeMap;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}
export interface WireSendMessageRequest extends WireSendEntry {
  QueueUrl?: string;
}
export interface WireSendMessageBatchRequest {
  QueueUrl?: string;
  Entries?: Array<WireSendEntry & { Id?: string }>;
}
export interface WireSendMessageResult {
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  MessageId: string;
}
export interface WireMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: WireAttributeMap;
}
export interface WireReceiveMessageResult {
  Messages?: WireMessage[];
}
export interface WireBatchError {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

// Persisted state: plain JSON, so exportState/importState are copies.

export type MessageState = 'delayed' | 'visible' | 'inflight';

export interface StoredMessage {
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

export interface QueueRecord {
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

export interface SqsState {
  queues: Array<QueueRecord & { Messages: StoredMessage[] }>;
}

// A receive's options, and a long poll waiting on a queue for messages.

export interface ReceiveOptions {
  max: number;
  visibilityTimeout?: number;
  systemAttributeNames: string[];
  messageAttributeNames: string[];
}

export interface Waiter {
  options: ReceiveOptions;
  resolve(messages: WireMessage[]): void;
  timer: NodeJS.Timeout;
}

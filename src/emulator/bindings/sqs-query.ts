// SQS over the query protocol (AWS CLI v2 before 2.15, older SDKs): flattened form params <-> JSON 1.0 shapes.
// Wire names follow the query-era botocore model (sqs/2012-11-05, protocol "query"): flattened lists and maps
// named Attribute, MessageAttribute, AttributeName, Tag, SendMessageBatchRequestEntry, ... with Name/Value pairs.
import type { QueryParams } from '../protocol/query.js';
import { ServiceError } from '../errors.js';

type Json = Record<string, unknown>;

/** Actions without an output shape: their query response has no <XResult> element at all. */
const NO_OUTPUT = new Set([
  'DeleteMessage', 'DeleteQueue', 'SetQueueAttributes', 'PurgeQueue', 'ChangeMessageVisibility', 'TagQueue', 'UntagQueue',
  'AddPermission', 'RemovePermission',
]);

const INTEGER_PARAMS = new Set(['MaxNumberOfMessages', 'WaitTimeSeconds', 'VisibilityTimeout', 'DelaySeconds', 'MaxResults']);

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined ? [] : [value];
}

// Integers arrive as text; a value that is not one is passed through so the service reports it as AWS would.
function integer(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

/** `Attribute.N.Name/Value` (or `Tag.N.Key/Value`) to a plain map. */
function pairsToMap(value: unknown, keyName: string, valueName: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const map: Record<string, unknown> = {};
  for (const pair of list(value)) {
    if (isRecord(pair) && typeof pair[keyName] === 'string') map[pair[keyName] as string] = pair[valueName] ?? '';
  }
  return map;
}

/** `MessageAttribute.N.Name` + `.Value.StringValue/.BinaryValue/.DataType/.StringListValue.N` to the JSON map. */
function messageAttributesToMap(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const map: Record<string, unknown> = {};
  for (const pair of list(value)) {
    if (!isRecord(pair) || typeof pair.Name !== 'string') continue;
    const raw = isRecord(pair.Value) ? pair.Value : {};
    const attribute: Json = { DataType: raw.DataType };
    if (raw.StringValue !== undefined) attribute.StringValue = raw.StringValue;
    if (raw.BinaryValue !== undefined) attribute.BinaryValue = raw.BinaryValue;
    if (raw.StringListValue !== undefined) attribute.StringListValues = list(raw.StringListValue);
    if (raw.BinaryListValue !== undefined) attribute.BinaryListValues = list(raw.BinaryListValue);
    map[pair.Name] = attribute;
  }
  return map;
}

/** One request (or batch entry) from query names to JSON names. */
function convertInput(params: Json, action: string): Json {
  const input: Json = {};
  for (const [key, value] of Object.entries(params)) {
    switch (key) {
      case 'Attribute':
        input.Attributes = pairsToMap(value, 'Name', 'Value');
        break;
      case 'AttributeName':
        input.AttributeNames = list(value);
        break;
      case 'MessageAttributeName':
        input.MessageAttributeNames = list(value);
        break;
      case 'MessageSystemAttributeName':
        input.MessageSystemAttributeNames = list(value);
        break;
      case 'MessageAttribute':
        input.MessageAttributes = messageAttributesToMap(value);
        break;
      case 'MessageSystemAttribute':
        input.MessageSystemAttributes = messageAttributesToMap(value);
        break;
      case 'Tag':
        // CreateQueue's member is lowercase `tags`; TagQueue's is `Tags`.
        input[action === 'CreateQueue' ? 'tags' : 'Tags'] = pairsToMap(value, 'Key', 'Value');
        break;
      case 'TagKey':
        input.TagKeys = list(value);
        break;
      case 'SendMessageBatchRequestEntry':
      case 'DeleteMessageBatchRequestEntry':
      case 'ChangeMessageVisibilityBatchRequestEntry':
        input.Entries = list(value).map((entry) => (isRecord(entry) ? convertInput(entry, action) : entry));
        break;
      default:
        input[key] = INTEGER_PARAMS.has(key) ? integer(value) : value;
    }
  }
  return input;
}

function mapToPairs(map: unknown, keyName: string, valueName: string): Json[] | undefined {
  if (!isRecord(map)) return undefined;
  return Object.entries(map).map(([key, value]) => ({ [keyName]: key, [valueName]: value }));
}

function messageAttributesToPairs(map: unknown): Json[] | undefined {
  if (!isRecord(map)) return undefined;
  return Object.entries(map).map(([name, raw]) => {
    const attribute = isRecord(raw) ? raw : {};
    const value: Json = {};
    if (attribute.StringValue !== undefined) value.StringValue = attribute.StringValue;
    if (attribute.BinaryValue !== undefined) value.BinaryValue = attribute.BinaryValue;
    if (attribute.StringListValues !== undefined) value.StringListValue = attribute.StringListValues;
    if (attribute.BinaryListValues !== undefined) value.BinaryListValue = attribute.BinaryListValues;
    value.DataType = attribute.DataType;
    return { Name: name, Value: value };
  });
}

function messageToXmlShape(raw: unknown): Json {
  const message = isRecord(raw) ? raw : {};
  return {
    MessageId: message.MessageId,
    ReceiptHandle: message.ReceiptHandle,
    MD5OfBody: message.MD5OfBody,
    Body: message.Body,
    Attribute: mapToPairs(message.Attributes, 'Name', 'Value'),
    MD5OfMessageAttributes: message.MD5OfMessageAttributes,
    MessageAttribute: messageAttributesToPairs(message.MessageAttributes),
  };
}

function batchResult(output: Json, successName: string): Json {
  return { [successName]: output.Successful, BatchResultErrorEntry: output.Failed };
}

export const sqsQueryBinding = {
  toInput(action: string, params: QueryParams): unknown {
    return convertInput(params, action);
  },

  /**
   * The error as SQS words it under the query protocol: a missing queue keeps the WSDL-era text there, which AWS CLI
   * v2 before 2.13.34 prints (docs/aws-semantics.md §5.2); JSON 1.0 clients get "The specified queue does not exist."
   */
  toError(error: ServiceError): ServiceError {
    if (error.queryCode !== 'AWS.SimpleQueueService.NonExistentQueue') return error;
    return new ServiceError(error.code, 'The specified queue does not exist for this wsdl version.', {
      status: error.status,
      sender: error.sender,
      queryCode: error.queryCode,
      headers: error.headers,
      fields: error.fields,
    });
  },

  /** The object renderQueryResult prints inside <{Action}Result>, with SQS's flattened element names. */
  toResult(action: string, output: unknown): unknown {
    if (NO_OUTPUT.has(action)) return undefined;
    const result = isRecord(output) ? output : {};
    switch (action) {
      case 'ReceiveMessage':
        return { Message: list(result.Messages).map(messageToXmlShape) };
      case 'GetQueueAttributes':
        return { Attribute: mapToPairs(result.Attributes, 'Name', 'Value') };
      case 'ListQueues':
        return { QueueUrl: result.QueueUrls, NextToken: result.NextToken };
      case 'ListDeadLetterSourceQueues':
        return { QueueUrl: result.queueUrls, NextToken: result.NextToken };
      case 'ListQueueTags':
        return { Tag: mapToPairs(result.Tags, 'Key', 'Value') };
      case 'SendMessageBatch':
        return batchResult(result, 'SendMessageBatchResultEntry');
      case 'DeleteMessageBatch':
        return batchResult(result, 'DeleteMessageBatchResultEntry');
      case 'ChangeMessageVisibilityBatch':
        return batchResult(result, 'ChangeMessageVisibilityBatchResultEntry');
      default:
        return result;
    }
  },
};

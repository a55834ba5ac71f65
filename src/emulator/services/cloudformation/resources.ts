// The resource types the local CloudFormation can provision, each backed by a sibling service's internal API.
import { randomInt, randomUUID } from 'node:crypto';
import type { EmulatorContext, Service } from '../../context.js';
import { ServiceError, isServiceError } from '../../errors.js';

export type Properties = Record<string, unknown>;

/** What the engine keeps about a provisioned resource: its physical id and the values Fn::GetAtt can read. */
export interface ProvisionedResource {
  physicalId: string;
  attributes: Record<string, string>;
}

export interface HandlerContext {
  ctx: EmulatorContext;
  stackName: string;
  stackId: string;
  logicalId: string;
}

export interface ResourceHandler {
  /** Properties CloudFormation's schema marks required; a missing one fails the resource before any call. */
  readonly requiredProperties: readonly string[];
  /** Properties whose change needs a new physical resource (AWS's "Update requires: Replacement"). */
  readonly replacementProperties: readonly string[];
  /** The property that names the resource, if the template may set one (a custom name blocks replacement). */
  readonly nameProperty?: string;
  /** Attribute names Fn::GetAtt accepts, checked when the template is validated. */
  readonly attributeNames: readonly string[];
  create(properties: Properties, hc: HandlerContext): Promise<ProvisionedResource> | ProvisionedResource;
  /** In-place update; absent means every change replaces the resource. */
  update?(
    current: ProvisionedResource,
    properties: Properties,
    previous: Properties,
    hc: HandlerContext,
  ): Promise<ProvisionedResource> | ProvisionedResource;
  delete(current: ProvisionedResource, properties: Properties, hc: HandlerContext): Promise<void> | void;
  ref(current: ProvisionedResource): string;
  getAtt(current: ProvisionedResource, attribute: string): string | undefined;
}

export type ResourceRegistry = Record<string, ResourceHandler>;

/** A failure whose message is already the reason CloudFormation shows (not a service error to be wrapped). */
export class ResourceFailure extends Error {}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomSuffix(length: number): string {
  let suffix = '';
  for (let i = 0; i < length; i++) suffix += UPPER_ALNUM[randomInt(UPPER_ALNUM.length)];
  return suffix;
}

/**
 * CloudFormation's generated physical names, `<stack>-<LogicalId>-<RANDOM>` (docs/aws-semantics.md §6.7),
 * with the stack and logical id shortened when the whole would pass the service's length limit.
 */
export function generatedName(hc: HandlerContext, randomLength: number, maxLength: number, ending = ''): string {
  const tail = `-${randomSuffix(randomLength)}${ending}`;
  let stack = hc.stackName;
  let logical = hc.logicalId;
  const budget = maxLength - tail.length - 1;
  while (stack.length + logical.length > budget) {
    if (stack.length >= logical.length) stack = stack.slice(0, -1);
    else logical = logical.slice(0, -1);
  }
  return `${stack}-${logical}${tail}`;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function optionalNumber(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function tagsRecord(tags: unknown): Record<string, string> | undefined {
  if (!Array.isArray(tags)) return undefined;
  const record: Record<string, string> = {};
  for (const tag of tags as Array<{ Key?: unknown; Value?: unknown }>) {
    if (tag && tag.Key !== undefined) record[String(tag.Key)] = text(tag.Value ?? '');
  }
  return record;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Calls another service's AWS operation when no internal method covers it (the operation table is public). */
async function callOperation(service: Service, name: string, input: unknown): Promise<unknown> {
  const operation = Object.hasOwn(service.operations, name) ? service.operations[name] : undefined;
  if (!operation) {
    throw new ServiceError('InvalidRequest', `The local ${name} operation this update needs is not available.`);
  }
  return operation(input, { requestId: randomUUID() });
}

function ignoreMissing(error: unknown, ...codes: string[]): void {
  if (isServiceError(error) && codes.includes(error.code)) return;
  throw error;
}

// ---------------------------------------------------------------------------------------------- AWS::SQS::Queue

const QUEUE_ATTRIBUTE_PROPERTIES = [
  'DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout',
  'RedrivePolicy', 'RedriveAllowPolicy', 'SqsManagedSseEnabled', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds',
  'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit',
] as const;

/** What SQS falls back to when a template drops a property (AWS resets it rather than keeping the old value). */
const QUEUE_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  RedrivePolicy: '',
  RedriveAllowPolicy: '',
};

function queueAttributes(properties: Properties): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const name of QUEUE_ATTRIBUTE_PROPERTIES) {
    if (properties[name] !== undefined) attributes[name] = text(properties[name]);
  }
  return attributes;
}

const sqsQueue: ResourceHandler = {
  requiredProperties: [],
  replacementProperties: ['QueueName', 'FifoQueue'],
  nameProperty: 'QueueName',
  attributeNames: ['Arn', 'QueueName', 'QueueUrl'],
  create(properties, hc) {
    const fifo = text(properties.FifoQueue ?? 'false') === 'true';
    const name = properties.QueueName !== undefined ? text(properties.QueueName) : generatedName(hc, 13, 80, fifo ? '.fifo' : '');
    const { QueueUrl, QueueArn } = hc.ctx.sqs.createQueue(name, queueAttributes(properties), tagsRecord(properties.Tags));
    return { physicalId: QueueUrl, attributes: { Arn: QueueArn, QueueName: name, QueueUrl } };
  },
  async update(current, properties, previous, hc) {
    const next = queueAttributes(properties);
    const before = queueAttributes(previous);
    const changed: Record<string, string> = {};
    for (const name of new Set([...Object.keys(next), ...Object.keys(before)])) {
      if (next[name] === before[name]) continue;
      const value = next[name] ?? QUEUE_ATTRIBUTE_DEFAULTS[name];
      if (value !== undefined) changed[name] = value;
    }
    if (Object.keys(changed).length > 0) {
      await callOperation(hc.ctx.sqs, 'SetQueueAttributes', { QueueUrl: current.physicalId, Attributes: changed });
    }
    return current;
  },
  delete(current, _properties, hc) {
    hc.ctx.sqs.deleteQueue(current.physicalId);
  },
  ref: (current) => current.physicalId,
  getAtt: (current, attribute) => current.attributes[attribute],
};

// ------------------------------------------------------------------------------------------ AWS::Logs::LogGroup

const logsLogGroup: ResourceHandler = {
  requiredProperties: [],
  replacementProperties: ['LogGroupName', 'LogGroupClass', 'KmsKeyId'],
  nameProperty: 'LogGroupName',
  attributeNames: ['Arn'],
  create(properties, hc) {
    const name = properties.LogGroupName !== undefined ? text(properties.LogGroupName) : generatedName(hc, 12, 512);
    const { arn } = hc.ctx.logs.createLogGroup(name, {
      retentionInDays: optionalNumber(properties.RetentionInDays),
      tags: tagsRecord(properties.Tags),
    });
    // docs/aws-semantics.md §3: GetAtt Arn ends in `:*`.
    return { physicalId: name, attributes: { Arn: arn } };
  },
  async update(current, properties, previous, hc) {
    if (!sameValue(properties.RetentionInDays, previous.RetentionInDays)) {
      if (properties.RetentionInDays === undefined) {
        await callOperation(hc.ctx.logs, 'DeleteRetentionPolicy', { logGroupName: current.physicalId });
      } else {
        hc.ctx.logs.putRetentionPolicy(current.physicalId, Number(properties.RetentionInDays));
      }
    }
    return current;
  },
  delete(current, _properties, hc) {
    try {
      hc.ctx.logs.deleteLogGroup(current.physicalId);
    } catch (error) {
      ignoreMissing(error, 'ResourceNotFoundException');
    }
  },
  ref: (current) => current.physicalId,
  getAtt: (current, attribute) => current.attributes[attribute],
};

// ----------------------------------------------------------------------------------------------- AWS::IAM::Role

interface RolePolicy {
  PolicyName: string;
  PolicyDocument: unknown;
}

function rolePolicies(properties: Properties): RolePolicy[] {
  return Array.isArray(properties.Policies) ? (properties.Policies as RolePolicy[]) : [];
}

function managedPolicyArns(properties: Properties): string[] {
  return Array.isArray(properties.ManagedPolicyArns) ? properties.ManagedPolicyArns.map(text) : [];
}

const iamRole: ResourceHandler = {
  requiredProperties: ['AssumeRolePolicyDocument'],
  replacementProperties: ['RoleName', 'Path'],
  nameProperty: 'RoleName',
  attributeNames: ['Arn', 'RoleId'],
  create(properties, hc) {
    const name = properties.RoleName !== undefined ? text(properties.RoleName) : generatedName(hc, 12, 64);
    const role = hc.ctx.iam.createRole({
      RoleName: name,
      Path: properties.Path !== undefined ? text(properties.Path) : undefined,
      AssumeRolePolicyDocument: properties.AssumeRolePolicyDocument,
      Policies: rolePolicies(properties),
      ManagedPolicyArns: managedPolicyArns(properties),
    });
    return { physicalId: role.RoleName, attributes: { Arn: role.Arn, RoleId: role.RoleId } };
  },
  update(current, properties, _previous, hc) {
    hc.ctx.iam.updateRole(current.physicalId, {
      AssumeRolePolicyDocument: properties.AssumeRolePolicyDocument,
      Policies: rolePolicies(properties),
      ManagedPolicyArns: managedPolicyArns(properties),
    });
    return current;
  },
  delete(current, _properties, hc) {
    try {
      hc.ctx.iam.deleteRole(current.physicalId);
    } catch (error) {
      ignoreMissing(error, 'NoSuchEntity');
    }
  },
  ref: (current) => current.physicalId,
  getAtt: (current, attribute) => current.attributes[attribute],
};

// ---------------------------------------------------------------------------------------- AWS::Lambda::Function

function inlineCode(properties: Properties, logicalId: string): string {
  const code = (properties.Code ?? {}) as Record<string, unknown>;
  if (typeof code.ZipFile === 'string') return code.ZipFile;
  throw new ResourceFailure(
    `Function ${logicalId} must give its code inline as Code.ZipFile: the lambda-async-demo local emulator runs only ` +
      'inline code (S3Bucket/S3Key and ImageUri code cannot be fetched locally).',
  );
}

function functionInput(properties: Properties, logicalId: string) {
  const environment = properties.Environment as { Variables?: Record<string, unknown> } | undefined;
  const variables = environment?.Variables
    ? Object.fromEntries(Object.entries(environment.Variables).map(([key, value]) => [key, text(value)]))
    : undefined;
  return {
    Runtime: text(properties.Runtime ?? ''),
    Handler: text(properties.Handler ?? ''),
    Role: text(properties.Role),
    Code: { ZipFile: inlineCode(properties, logicalId) },
    Timeout: optionalNumber(properties.Timeout),
    MemorySize: optionalNumber(properties.MemorySize),
    Description: properties.Description !== undefined ? text(properties.Description) : undefined,
    Environment: variables ? { Variables: variables } : undefined,
    DeadLetterConfig: properties.DeadLetterConfig as { TargetArn?: string } | undefined,
    LoggingConfig: properties.LoggingConfig as { LogGroup?: string; LogFormat?: string } | undefined,
  };
}

// The template's Tags plus the three CloudFormation adds to every function it creates (recorded: localstack/localstack
// tests/aws/services/cloudformation/resources/test_lambda.snapshot.json, test_lambda_function_tags and
// test_cfn_lambda_permissions "get_function_result"). UNVERIFIED here: the stack's own Tags, which AWS also propagates.
function functionTags(properties: Properties, hc: HandlerContext): Record<string, string> {
  return {
    ...tagsRecord(properties.Tags),
    'aws:cloudformation:logical-id': hc.logicalId,
    'aws:cloudformation:stack-id': hc.stackId,
    'aws:cloudformation:stack-name': hc.stackName,
  };
}

const lambdaFunction: ResourceHandler = {
  requiredProperties: ['Code', 'Role'],
  replacementProperties: ['FunctionName', 'PackageType'],
  nameProperty: 'FunctionName',
  attributeNames: ['Arn', 'SnapStartResponse.ApplyOn', 'SnapStartResponse.OptimizationStatus'],
  create(properties, hc) {
    const name = properties.FunctionName !== undefined ? text(properties.FunctionName) : generatedName(hc, 12, 64);
    const configuration = hc.ctx.lambda.createFunction({
      FunctionName: name,
      ...functionInput(properties, hc.logicalId),
      Tags: functionTags(properties, hc),
    });
    return { physicalId: name, attributes: { Arn: configuration.FunctionArn ?? hc.ctx.lambda.functionArn(name) } };
  },
  update(current, properties, _previous, hc) {
    const input = functionInput(properties, hc.logicalId);
    // A property removed from the template goes back to Lambda's default rather than keeping its old value.
    hc.ctx.lambda.updateFunction(current.physicalId, {
      ...input,
      Timeout: input.Timeout ?? 3,
      MemorySize: input.MemorySize ?? 128,
      Description: input.Description ?? '',
      Environment: input.Environment ?? { Variables: {} },
      DeadLetterConfig: input.DeadLetterConfig ?? {},
      Tags: functionTags(properties, hc),
    });
    return current;
  },
  delete(current, _properties, hc) {
    hc.ctx.lambda.deleteFunction(current.physicalId);
  },
  ref: (current) => current.physicalId,
  getAtt: (current, attribute) => current.attributes[attribute],
};

// ------------------------------------------------------------------------------- AWS::Lambda::EventInvokeConfig

function invokeConfig(properties: Properties) {
  return {
    MaximumRetryAttempts: optionalNumber(properties.MaximumRetryAttempts),
    MaximumEventAgeInSeconds: optionalNumber(properties.MaximumEventAgeInSeconds),
    DestinationConfig: properties.DestinationConfig,
  };
}

const lambdaEventInvokeConfig: ResourceHandler = {
  requiredProperties: ['FunctionName', 'Qualifier'],
  replacementProperties: ['FunctionName', 'Qualifier'],
  attributeNames: [],
  create(properties, hc) {
    hc.ctx.lambda.putEventInvokeConfig(text(properties.FunctionName), text(properties.Qualifier), invokeConfig(properties));
    // AWS documents no format for this physical id; a uuid is stable for the resource's life, as there.
    return { physicalId: randomUUID(), attributes: {} };
  },
  update(current, properties, _previous, hc) {
    hc.ctx.lambda.putEventInvokeConfig(text(properties.FunctionName), text(properties.Qualifier), invokeConfig(properties));
    return current;
  },
  delete(_current, properties, hc) {
    try {
      hc.ctx.lambda.deleteEventInvokeConfig(text(properties.FunctionName), text(properties.Qualifier));
    } catch (error) {
      // The function may already be gone (deleted by hand); the config went with it.
      ignoreMissing(error, 'ResourceNotFoundException');
    }
  },
  ref: (current) => current.physicalId,
  getAtt: () => undefined,
};

export const defaultResourceRegistry: ResourceRegistry = {
  'AWS::SQS::Queue': sqsQueue,
  'AWS::Logs::LogGroup': logsLogGroup,
  'AWS::IAM::Role': iamRole,
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::Lambda::EventInvokeConfig': lambdaEventInvokeConfig,
};

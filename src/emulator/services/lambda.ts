// The Lambda service: functions and event-invoke configs as plain data, Invoke in its three types, AWS's errors.
import type {
  DeadLetterConfig,
  FunctionConfiguration,
  UpdateFunctionConfigurationRequest,
} from '@aws-sdk/client-lambda';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EmulatorContext, RequestContext, Service } from '../context.js';
import {
  AsyncInvoker,
  DEFAULT_RETRY_POLICY,
  type AttemptResult,
  type PendingEvent,
  type RetryPolicy,
} from '../lambda-runner/async-invoker.js';
import { languageRuntime, runtimeProblem } from '../lambda-runner/runtimes.js';
import { InvocationAborted, LambdaRunner, type RunnableFunction } from '../lambda-runner/runner.js';
import { ServiceError } from '../errors.js';
import { shown } from './validation.js';
import { zipFiles } from './zip.js';

export interface CreateFunctionInput {
  FunctionName: string;
  Runtime: string;
  Handler: string;
  Role: string;
  /** ZipFile is the inline source text, as CloudFormation's Code.ZipFile. */
  Code: { ZipFile: string };
  Timeout?: number;
  MemorySize?: number;
  Description?: string;
  Environment?: { Variables?: Record<string, string> };
  DeadLetterConfig?: { TargetArn?: string };
  LoggingConfig?: { LogGroup?: string; LogFormat?: string };
  /** The function's tags; CloudFormation adds its aws:cloudformation:* tags here. */
  Tags?: Record<string, string>;
}

/** The signed parts of a Code.Location URL, as the binding reads them back from the query. */
export interface CodePackageRequest {
  functionName: string;
  amzDate: string;
  expiresSeconds: string;
  signature: string;
}

export interface EventInvokeConfigInput {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: unknown;
}

interface Destination {
  Destination?: string;
}

interface StoredFunction {
  configuration: FunctionConfiguration;
  /** The inline source, written as index.js for the runtime. */
  code: string;
  /** Absent when the function has none: GetFunction then has no Tags key, as on AWS. */
  tags?: Record<string, string>;
}

/** Where the emulator serves function packages; the rest of the path is the function name. */
export const LAMBDA_CODE_PATH = '/_emulator/lambda-code/';

/**
 * The deployment package of inline code: a zip holding it as index.js (index.py for Python), the file CloudFormation's
 * Code.ZipFile becomes on AWS. The zip's bytes are fixed for a given source, so CodeSha256 is stable.
 */
function packageOf(runtime: string, code: string): Buffer {
  return zipFiles({ [runtime.startsWith('python') ? 'index.py' : 'index.js']: code });
}

/** Stored tags: none means no key at all. */
function tagsOf(tags: Record<string, string> | undefined): { tags?: Record<string, string> } {
  return tags && Object.keys(tags).length > 0 ? { tags: { ...tags } } : {};
}

/** How long a Code.Location URL is good for: AWS's presigned package URLs say X-Amz-Expires=600. */
const CODE_URL_EXPIRES_SECONDS = 600;

interface StoredEventInvokeConfig {
  functionName: string;
  qualifier: string;
  /** Epoch seconds with a fraction, as the API returns it (docs/aws-semantics.md §1.6). */
  LastModified: number;
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig: { OnSuccess: Destination; OnFailure: Destination };
}

interface LambdaState {
  functions: Record<string, StoredFunction>;
  /** Keyed `<function name>:<qualifier>`. */
  eventInvokeConfigs: Record<string, StoredEventInvokeConfig>;
}

interface FunctionReference {
  name: string;
  qualifier?: string;
}

/** Sync request bodies above this are refused (docs/aws-semantics.md §1.3, §1.4). */
const MAX_SYNC_PAYLOAD_BYTES = 6291456;
/** Event payloads: 1 MB since late October 2025 (docs/aws-semantics.md §1.4). */
const MAX_EVENT_PAYLOAD_BYTES = 1048576;
/** The deprecated InvokeAsync keeps the old 256 KB limit (docs/aws-semantics.md §1.4). */
const MAX_INVOKE_ASYNC_PAYLOAD_BYTES = 262144;

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'];
const LOG_TYPES = ['None', 'Tail'];

// AWS's current patterns, exactly as its ValidationException messages quote them (recorded: localstack/localstack
// tests/aws/services/lambda_/test_lambda_api.snapshot.json, TestLambdaFunction::test_function_name_and_qualifier_validation,
// 25-11-2025; newer than botocore's model, which lacks `(eusc-)?`). NAMESPACED is the FunctionName of Invoke, GetFunction,
// DeleteFunction and the event-invoke-config operations; PLAIN that of CreateFunction and UpdateFunctionConfiguration
// (test_function_arns, invalid_function_name_exc).
const NAMESPACED_FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?';
const PLAIN_FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
/** The Qualifier parameter (same recording, invalid_characters_in_qualifier and qualifier_too_long). */
const QUALIFIER_PATTERN = '\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+';
const QUALIFIER = new RegExp(`^(?:${QUALIFIER_PATTERN})$`);
/** Both name patterns, whole-string, with their groups: 3 region, 9 account, 11 name, 13 qualifier. */
const FUNCTION_NAME_SHAPES = {
  namespaced: { pattern: NAMESPACED_FUNCTION_NAME_PATTERN, regex: new RegExp(`^(?:${NAMESPACED_FUNCTION_NAME_PATTERN})$`) },
  plain: { pattern: PLAIN_FUNCTION_NAME_PATTERN, regex: new RegExp(`^(?:${PLAIN_FUNCTION_NAME_PATTERN})$`) },
};
/** Function names themselves stop at 64 characters (test_function_arns, long_function_name_exc). */
const MAX_FUNCTION_NAME_LENGTH = 64;
// The recorded pattern (test_lambda_eventinvokeconfig_exceptions, put_destination_invalid_arn_pattern, 25-11-2025).
const DESTINATION_PATTERN =
  '$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const DESTINATION_ARN = new RegExp(`^(?:${DESTINATION_PATTERN})$`);
/**
 * Services an async invocation record may go to: SQS, SNS, EventBridge, Lambda, and S3 for failures only
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html). UNVERIFIED: whether AWS answers an
 * S3 OnSuccess with the same "provided destination config" message.
 */
const DESTINATION_SERVICES = { OnSuccess: ['sqs', 'sns', 'events', 'lambda'], OnFailure: ['sqs', 'sns', 'events', 'lambda', 's3'] };

/** Variables Lambda sets itself; a function may not override them. */
const RESERVED_VARIABLES = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

// "1 validation error detected: ..." is how Lambda words a model constraint failure; several are joined with "; ".
function validationError(...details: string[]): ServiceError {
  const count = details.length === 1 ? '1 validation error' : `${details.length} validation errors`;
  return new ServiceError('ValidationException', `${count} detected: ${details.join('; ')}`);
}

function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterValueException', message);
}

function notFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', message, { status: 404 });
}

function checkRange(value: unknown, member: string, min: number, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validationError(`Value '${shown(value)}' at '${member}' failed to satisfy constraint: Member must be an integer`);
  }
  if (value < min) {
    throw validationError(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  }
  if (value > max) {
    throw validationError(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  }
}

// CloudFormation hands parameter values over as strings ("2"); the internal API takes them as the numbers they are.
function numeric<T>(value: T): T | number {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
}

/** AWS's LastModified: `2026-11-28T10:00:00.000+0000`. */
function lambdaTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
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

export class LambdaService implements Service {
  // Null-prototype records: a function named `constructor` or `toString` must not find Object.prototype's members
  // (found by test/reliability/fuzz.test.ts: those names answered 500).
  private state: LambdaState = { functions: Object.create(null), eventInvokeConfigs: Object.create(null) };
  private readonly runner: LambdaRunner;
  private readonly invoker: AsyncInvoker;
  /** Signs Code.Location URLs: only URLs this process handed out open a package (a restart invalidates them). */
  private readonly codeUrlKey = randomBytes(32);

  constructor(protected readonly ctx: EmulatorContext) {
    this.runner = new LambdaRunner({
      region: ctx.region,
      get maxEnvironmentsPerFunction() {
        return ctx.maxEnvironmentsPerFunction;
      },
      endpointUrl: () => ctx.baseUrl(),
      now: () => ctx.now(),
      appendLog: (group, stream, events) => ctx.logs.appendLogEvents(group, stream, events),
      logWriteFailed: (functionName, lines, error) =>
        ctx.incident({
          metric: 'LogWriteErrors',
          functionName,
          message: `${lines} log line${lines === 1 ? '' : 's'} could not be written: ${error instanceof Error ? error.message : String(error)}`,
        }),
    });
    this.invoker = new AsyncInvoker({
      now: () => ctx.now(),
      retryDelaysMs: ctx.retryDelaysMs,
      maxConcurrencyPerFunction: ctx.maxEnvironmentsPerFunction,
      retryPolicy: (name) => this.retryPolicy(name),
      deliveryTargets: (name) => {
        const stored = this.state.functions[name];
        if (!stored) return undefined;
        const config = this.state.eventInvokeConfigs[`${name}:$LATEST`];
        return {
          functionArn: stored.configuration.FunctionArn!,
          deadLetterTargetArn: stored.configuration.DeadLetterConfig?.TargetArn || undefined,
          onSuccess: config?.DestinationConfig.OnSuccess.Destination || undefined,
          onFailure: config?.DestinationConfig.OnFailure.Destination || undefined,
        };
      },
      runAttempt: (event) => this.runAttempt(event),
      sendToQueue: (queueArn, body, attributes) => {
        ctx.sqs.sendMessage(queueArn, body, attributes);
      },
      invokeFunctionAsync: (functionArn, payload) => {
        const reference = this.parseReference(functionArn);
        if (!this.state.functions[reference.name]) throw new Error(`Function not found: ${functionArn}`);
        this.invoker.enqueue(reference.name, randomUUID(), payload);
      },
      stateChanged: () => ctx.stateChanged(),
      incident: (incident) => ctx.incident(incident),
    });
  }

  readonly operations = {
    Invoke: (input: Record<string, unknown>, request: RequestContext) => this.invoke(input, request),
    InvokeAsync: (input: { FunctionName: string; InvokeArgs?: Uint8Array }, request: RequestContext) =>
      this.invokeAsync(input, request),
    GetFunction: (input: { FunctionName: string; Qualifier?: string }) => this.getFunction(input),
    GetFunctionConfiguration: (input: { FunctionName: string; Qualifier?: string }) =>
      this.lookup(input.FunctionName, input.Qualifier, 'management').configuration,
    UpdateFunctionConfiguration: (input: UpdateFunctionConfigurationRequest) => this.updateFunctionConfiguration(input),
    ListFunctions: (input: { Marker?: string; MaxItems?: number }) => this.listFunctions(input),
    DeleteFunction: (input: { FunctionName: string; Qualifier?: string }) => this.deleteFunctionOperation(input),
    PutFunctionEventInvokeConfig: (input: EventInvokeConfigInput & { FunctionName: string; Qualifier?: string }) =>
      this.writeEventInvokeConfig(input, 'replace'),
    UpdateFunctionEventInvokeConfig: (input: EventInvokeConfigInput & { FunctionName: string; Qualifier?: string }) =>
      this.writeEventInvokeConfig(input, 'merge'),
    GetFunctionEventInvokeConfig: (input: { FunctionName: string; Qualifier?: string }) =>
      this.renderEventInvokeConfig(this.existingEventInvokeConfig(input.FunctionName, input.Qualifier)),
    DeleteFunctionEventInvokeConfig: (input: { FunctionName: string; Qualifier?: string }) => {
      const config = this.existingEventInvokeConfig(input.FunctionName, input.Qualifier);
      delete this.state.eventInvokeConfigs[`${config.functionName}:${config.qualifier}`];
      this.ctx.stateChanged();
      return undefined;
    },
    ListFunctionEventInvokeConfigs: (input: { FunctionName: string; Marker?: string; MaxItems?: number }) =>
      this.listEventInvokeConfigs(input),
  };

  // ---- internal API (called by CloudFormation and tests through ctx.lambda) ----

  functionArn(functionName: string): string {
    return `arn:aws:lambda:${this.ctx.region}:${this.ctx.accountId}:function:${functionName}`;
  }

  createFunction(rawInput: CreateFunctionInput): FunctionConfiguration {
    const input = { ...rawInput, Timeout: numeric(rawInput.Timeout), MemorySize: numeric(rawInput.MemorySize) } as CreateFunctionInput;
    const name = this.validName(input.FunctionName);
    if (this.state.functions[name]) {
      // AWS's own wording, grammar included.
      throw new ServiceError('ResourceConflictException', `Function already exist: ${name}`, { status: 409 });
    }
    if (typeof input.Code?.ZipFile !== 'string') {
      throw invalidParameter('The local emulator runs inline code only: Code.ZipFile must hold the function source.');
    }
    const configuration = this.buildConfiguration(name, input, undefined);
    this.state.functions[name] = { configuration, code: input.Code.ZipFile, ...tagsOf(input.Tags) };
    this.ctx.stateChanged();
    // Its first invoke will need a runtime process: fork one now, while the caller is still busy deploying.
    this.runner.prewarm();
    return configuration;
  }

  updateFunction(functionName: string, rawInput: Partial<CreateFunctionInput>): FunctionConfiguration {
    const input = { ...rawInput, Timeout: numeric(rawInput.Timeout), MemorySize: numeric(rawInput.MemorySize) } as Partial<CreateFunctionInput>;
    const stored = this.lookup(functionName, undefined, 'management');
    const name = stored.configuration.FunctionName!;
    const current = this.asCreateInput(stored);
    const merged: CreateFunctionInput = {
      ...current,
      ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
      FunctionName: name,
    } as CreateFunctionInput;
    if (input.Code !== undefined && typeof input.Code.ZipFile !== 'string') {
      throw invalidParameter('The local emulator runs inline code only: Code.ZipFile must hold the function source.');
    }
    const configuration = this.buildConfiguration(name, merged, stored.configuration);
    this.state.functions[name] = {
      configuration,
      code: merged.Code.ZipFile,
      ...tagsOf(input.Tags !== undefined ? input.Tags : stored.tags),
    };
    this.runner.noteRevision(name, configuration.RevisionId!);
    this.ctx.stateChanged();
    return configuration;
  }

  /** Deletes the function, kills its environments and drops its pending events; no error when it does not exist. */
  deleteFunction(functionName: string): void {
    let name: string;
    try {
      name = this.parseReference(functionName).name;
    } catch {
      return;
    }
    this.invoker.dropFunction(name);
    void this.runner.removeFunction(name);
    const existed = name in this.state.functions;
    delete this.state.functions[name];
    for (const [key, config] of Object.entries(this.state.eventInvokeConfigs)) {
      if (config.functionName === name) delete this.state.eventInvokeConfigs[key];
    }
    if (existed) this.ctx.stateChanged();
  }

  putEventInvokeConfig(functionName: string, qualifier: string | undefined, config: EventInvokeConfigInput): void {
    this.writeEventInvokeConfig(
      {
        ...config,
        MaximumRetryAttempts: numeric(config.MaximumRetryAttempts) as number | undefined,
        MaximumEventAgeInSeconds: numeric(config.MaximumEventAgeInSeconds) as number | undefined,
        FunctionName: functionName,
        Qualifier: qualifier,
      },
      'replace',
    );
  }

  deleteEventInvokeConfig(functionName: string, qualifier?: string): void {
    const reference = this.parseReference(functionName);
    const key = `${reference.name}:${qualifier ?? reference.qualifier ?? '$LATEST'}`;
    if (!(key in this.state.eventInvokeConfigs)) return;
    delete this.state.eventInvokeConfigs[key];
    this.ctx.stateChanged();
  }

  /** Acknowledged Event invocations not finished yet (for inspection and tests). */
  pendingEvents(): PendingEvent[] {
    return this.invoker.pending();
  }

  // ---- functions ----

  private validName(functionName: string): string {
    const reference = this.parseReference(functionName, undefined, 'plain');
    if (reference.qualifier !== undefined) {
      throw invalidParameter('Unqualified function name expected; a qualifier is not allowed here.');
    }
    if (reference.name.length > MAX_FUNCTION_NAME_LENGTH) {
      // An InvalidParameterValueException worded as a validation error, as recorded (test_function_arns).
      throw invalidParameter(
        `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to ${MAX_FUNCTION_NAME_LENGTH}`,
      );
    }
    return reference.name;
  }

  /**
   * Name, partial ARN or full ARN, with an optional `:qualifier` (docs/aws-semantics.md §1.1), checked against
   * AWS's pattern together with the Qualifier parameter: both failures are reported at once, as AWS does. A name
   * longer than 64 characters passes (the pattern has no length) and is then simply not found, as on AWS.
   */
  private parseReference(
    functionName: string,
    qualifierParameter?: string,
    shape: keyof typeof FUNCTION_NAME_SHAPES = 'namespaced',
  ): FunctionReference {
    const problems: string[] = [];
    if (qualifierParameter !== undefined) {
      if (qualifierParameter.length > 128) {
        problems.push(`Value '${qualifierParameter}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128`);
      } else if (qualifierParameter.length < 1) {
        problems.push(`Value '${qualifierParameter}' at 'qualifier' failed to satisfy constraint: Member must have length greater than or equal to 1`);
      } else if (!QUALIFIER.test(qualifierParameter)) {
        problems.push(
          `Value '${qualifierParameter}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`,
        );
      }
    }
    const { pattern, regex } = FUNCTION_NAME_SHAPES[shape];
    const match = typeof functionName === 'string' ? regex.exec(functionName) : null;
    if (!match) {
      problems.push(`Value '${shown(functionName)}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`);
    }
    if (problems.length > 0 || !match) throw validationError(...problems);
    const region = match[3]?.slice(0, -1);
    const account = match[9]?.slice(0, -1);
    const name = match[11]!;
    const qualifier = match[13];
    if (region && region !== this.ctx.region) {
      throw invalidParameter(`Functions from '${region}' are not reachable in this region ('${this.ctx.region}')`);
    }
    if (account && account !== this.ctx.accountId) {
      throw notFound(`Function not found: arn:aws:lambda:${this.ctx.region}:${account}:function:${name}`);
    }
    return { name, qualifier };
  }

  /** Resolves a function for an operation; `invoke` not-found messages carry the qualifier, others do not (§1.3). */
  private lookup(
    functionName: string,
    qualifierParameter: string | undefined,
    use: 'invoke' | 'management',
    shape: keyof typeof FUNCTION_NAME_SHAPES = 'namespaced',
  ): StoredFunction {
    const reference = this.parseReference(functionName, qualifierParameter, shape);
    if (reference.qualifier !== undefined && qualifierParameter !== undefined && reference.qualifier !== qualifierParameter) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = qualifierParameter ?? reference.qualifier;
    const stored = this.state.functions[reference.name];
    const arn = this.functionArn(reference.name);
    if (!stored) {
      const shown = use === 'invoke' ? `${arn}:${qualifier ?? '$LATEST'}` : qualifier ? `${arn}:${qualifier}` : arn;
      throw notFound(`Function not found: ${shown}`);
    }
    // Only $LATEST exists here: the emulator does not publish versions or aliases.
    if (qualifier !== undefined && qualifier !== '$LATEST') throw notFound(`Function not found: ${arn}:${qualifier}`);
    return stored;
  }

  private asCreateInput(stored: StoredFunction): CreateFunctionInput {
    const configuration = stored.configuration;
    return {
      FunctionName: configuration.FunctionName!,
      Runtime: configuration.Runtime!,
      Handler: configuration.Handler!,
      Role: configuration.Role!,
      Code: { ZipFile: stored.code },
      Timeout: configuration.Timeout,
      MemorySize: configuration.MemorySize,
      Description: configuration.Description,
      Environment: configuration.Environment ? { Variables: configuration.Environment.Variables } : undefined,
      DeadLetterConfig: configuration.DeadLetterConfig,
      LoggingConfig: configuration.LoggingConfig,
    };
  }

  private validateSettings(input: CreateFunctionInput): void {
    checkRange(input.Timeout, 'timeout', 1, 900);
    checkRange(input.MemorySize, 'memorySize', 128, 10240);
    const runtimeRefused = runtimeProblem(input.Runtime);
    if (runtimeRefused) throw invalidParameter(runtimeRefused);
    if (typeof input.Handler !== 'string' || !/^[^\s]{1,128}$/.test(input.Handler)) {
      throw validationError(
        `Value '${shown(input.Handler)}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+`,
      );
    }
    if (typeof input.Role !== 'string' || !/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(input.Role)) {
      throw validationError(
        `Value '${shown(input.Role)}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`,
      );
    }
    if (!this.ctx.iam.roleExists(input.Role)) {
      throw invalidParameter('The role defined for the function cannot be assumed by Lambda.');
    }
    const variables = input.Environment?.Variables ?? {};
    const reserved = Object.keys(variables).filter((key) => RESERVED_VARIABLES.has(key));
    if (reserved.length > 0) {
      throw invalidParameter(
        'Lambda was unable to configure your environment variables because the environment variables you have provided ' +
          `contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
      );
    }
    for (const [key, value] of Object.entries(variables)) {
      if (typeof value !== 'string') {
        throw invalidParameter(`The value of the environment variable ${key} must be a string.`);
      }
    }
    const logFormat = input.LoggingConfig?.LogFormat;
    if (logFormat !== undefined && logFormat !== 'Text' && logFormat !== 'JSON') {
      throw validationError(
        `Value '${logFormat}' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [Text, JSON]`,
      );
    }
    this.checkDeadLetterPermission(input.Role, input.DeadLetterConfig);
  }

  // The role must be able to send to the DLQ, or the call fails at once with AWS's message (docs/aws-semantics.md §2).
  private checkDeadLetterPermission(role: string, deadLetterConfig: DeadLetterConfig | undefined): void {
    const target = deadLetterConfig?.TargetArn;
    if (!target) return;
    const service = target.split(':')[2];
    if (service === 'sqs') {
      if (!this.ctx.iam.isAllowed(role, 'sqs:SendMessage', target)) {
        throw invalidParameter('The provided execution role does not have permissions to call SendMessage on SQS');
      }
    } else if (service === 'sns') {
      if (!this.ctx.iam.isAllowed(role, 'sns:Publish', target)) {
        throw invalidParameter('The provided execution role does not have permissions to call Publish on SNS');
      }
    } else {
      throw invalidParameter(`The DeadLetterConfig target ${target} is neither an SQS queue nor an SNS topic.`);
    }
  }

  private buildConfiguration(
    name: string,
    input: CreateFunctionInput,
    previous: FunctionConfiguration | undefined,
  ): FunctionConfiguration {
    this.validateSettings(input);
    // CodeSize and CodeSha256 describe the deployment package, the zip Code.Location serves, as on AWS.
    const codePackage = packageOf(input.Runtime, input.Code.ZipFile);
    const logGroup = input.LoggingConfig?.LogGroup || `/aws/lambda/${name}`;
    const configuration: FunctionConfiguration = {
      FunctionName: name,
      FunctionArn: this.functionArn(name),
      Runtime: input.Runtime as FunctionConfiguration['Runtime'],
      Role: input.Role,
      Handler: input.Handler,
      CodeSize: codePackage.length,
      Description: input.Description ?? '',
      Timeout: input.Timeout ?? 3,
      MemorySize: input.MemorySize ?? 128,
      LastModified: lambdaTimestamp(this.ctx.now()),
      CodeSha256: createHash('sha256').update(codePackage).digest('base64'),
      Version: '$LATEST',
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: randomUUID(),
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
      RuntimeVersionConfig: {
        RuntimeVersionArn: `arn:aws:lambda:${this.ctx.region}::runtime:${createHash('sha256').update(languageRuntime(input.Runtime).runtimeVersion).digest('hex')}`,
      },
      // LoggingConfig defaults to Text and /aws/lambda/<name> (docs/aws-semantics.md §1.6).
      LoggingConfig: { LogFormat: (input.LoggingConfig?.LogFormat ?? 'Text') as 'Text', LogGroup: logGroup },
    };
    if (input.Environment?.Variables !== undefined) configuration.Environment = { Variables: { ...input.Environment.Variables } };
    // Sending DeadLetterConfig={} removes it (docs/aws-semantics.md §2).
    if (input.DeadLetterConfig?.TargetArn) configuration.DeadLetterConfig = { TargetArn: input.DeadLetterConfig.TargetArn };
    if (previous && previous.RevisionId === configuration.RevisionId) configuration.RevisionId = randomUUID();
    return configuration;
  }

  // {Configuration, Code: {RepositoryType, Location}, Tags?} (recorded: localstack/localstack
  // tests/aws/services/cloudformation/resources/test_lambda.snapshot.json, test_cfn_lambda_permissions
  // "get_function_result"; no Tags key without tags: test_lambda_api.snapshot.json, test_function_lifecycle).
  private getFunction(input: { FunctionName: string; Qualifier?: string }) {
    const stored = this.lookup(input.FunctionName, input.Qualifier, 'management');
    return {
      Configuration: stored.configuration,
      Code: { RepositoryType: 'S3', Location: this.codeLocation(stored) },
      ...(stored.tags ? { Tags: { ...stored.tags } } : {}),
    };
  }

  // AWS hands out a presigned S3 URL, good for 10 minutes; here a URL of the same shape on the emulator itself, signed
  // with a key only this process knows, over the function and its code's hash (an update invalidates older URLs).
  private codeLocation(stored: StoredFunction): string {
    const name = stored.configuration.FunctionName!;
    const amzDate = new Date(this.ctx.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const expires = String(CODE_URL_EXPIRES_SECONDS);
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': amzDate,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Expires': expires,
      'X-Amz-Credential': `LAMBDAASYNCDEMO/${amzDate.slice(0, 8)}/${this.ctx.region}/s3/aws4_request`,
      'X-Amz-Signature': this.codeSignature(stored, amzDate, expires),
    });
    return `${this.ctx.baseUrl()}${LAMBDA_CODE_PATH}${encodeURIComponent(name)}?${query}`;
  }

  private codeSignature(stored: StoredFunction, amzDate: string, expires: string): string {
    const material = [stored.configuration.FunctionName, stored.configuration.CodeSha256, amzDate, expires].join('\n');
    return createHmac('sha256', this.codeUrlKey).update(material).digest('hex');
  }

  /**
   * The zip a Code.Location URL names, holding the inline code as the runtime's file. Refused (403, as S3 refuses a
   * presigned URL) unless this process signed exactly that URL and it has not expired.
   */
  codePackage(request: CodePackageRequest): Buffer {
    const stored = this.state.functions[request.functionName];
    const expected = stored ? Buffer.from(this.codeSignature(stored, request.amzDate, request.expiresSeconds), 'hex') : undefined;
    const given = Buffer.from(/^[0-9a-f]{64}$/.test(request.signature) ? request.signature : '', 'hex');
    if (!stored || !expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ServiceError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        { status: 403 },
      );
    }
    const issued = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(request.amzDate);
    const issuedAt = issued ? Date.UTC(+issued[1]!, +issued[2]! - 1, +issued[3]!, +issued[4]!, +issued[5]!, +issued[6]!) : NaN;
    if (!(this.ctx.now() <= issuedAt + Number(request.expiresSeconds) * 1000)) {
      throw new ServiceError('AccessDenied', 'Request has expired', { status: 403 });
    }
    return packageOf(stored.configuration.Runtime ?? '', stored.code);
  }

  private updateFunctionConfiguration(input: UpdateFunctionConfigurationRequest): FunctionConfiguration {
    // UpdateFunctionConfiguration's FunctionName is the plain shape: no `.` and no $LATEST.PUBLISHED (botocore model).
    const stored = this.lookup(input.FunctionName!, undefined, 'management', 'plain');
    if (input.RevisionId !== undefined && input.RevisionId !== stored.configuration.RevisionId) {
      throw new ServiceError(
        'PreconditionFailedException',
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
        { status: 412 },
      );
    }
    return this.updateFunction(stored.configuration.FunctionName!, {
      Role: input.Role,
      Handler: input.Handler,
      Description: input.Description,
      Timeout: input.Timeout,
      MemorySize: input.MemorySize,
      Runtime: input.Runtime,
      Environment: input.Environment ? { Variables: input.Environment.Variables ?? {} } : undefined,
      DeadLetterConfig: input.DeadLetterConfig,
      LoggingConfig: input.LoggingConfig
        ? { ...stored.configuration.LoggingConfig, ...input.LoggingConfig }
        : undefined,
    });
  }

  private listFunctions(input: { Marker?: string; MaxItems?: number }) {
    const limit = input.MaxItems ?? 50;
    checkRange(limit, 'maxItems', 1, 10000);
    const names = Object.keys(this.state.functions).sort();
    const start = input.Marker ? names.findIndex((name) => name > Buffer.from(input.Marker!, 'base64url').toString('utf8')) : 0;
    const page = start < 0 ? [] : names.slice(start, start + limit);
    const more = start >= 0 && start + limit < names.length;
    return {
      Functions: page.map((name) => this.state.functions[name]!.configuration),
      ...(more ? { NextMarker: Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url') } : {}),
    };
  }

  private deleteFunctionOperation(input: { FunctionName: string; Qualifier?: string }): undefined {
    const reference = this.parseReference(input.FunctionName, input.Qualifier);
    if (reference.qualifier !== undefined && input.Qualifier !== undefined && reference.qualifier !== input.Qualifier) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = input.Qualifier ?? reference.qualifier;
    if (qualifier === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    // A missing function is named without the qualifier on DeleteFunction (recorded: test_lambda_api.snapshot.json,
    // test_function_name_and_qualifier_validation[lowercase_latest_qualifier-delete_function], 25-11-2025).
    if (!this.state.functions[reference.name]) throw notFound(`Function not found: ${this.functionArn(reference.name)}`);
    const stored = this.lookup(input.FunctionName, input.Qualifier, 'management');
    this.deleteFunction(stored.configuration.FunctionName!);
    return undefined;
  }

  // ---- invoke ----

  private runnable(stored: StoredFunction): RunnableFunction {
    const configuration = stored.configuration;
    const name = configuration.FunctionName!;
    return {
      name,
      arn: configuration.FunctionArn!,
      code: stored.code,
      handler: configuration.Handler!,
      timeoutSeconds: configuration.Timeout ?? 3,
      memorySizeMb: configuration.MemorySize ?? 128,
      variables: configuration.Environment?.Variables ?? {},
      logGroup: configuration.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`,
      revisionId: configuration.RevisionId!,
      runtime: configuration.Runtime ?? 'nodejs24.x',
    };
  }

  private async invoke(input: Record<string, unknown>, request: RequestContext): Promise<InvokeOperationOutput> {
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
    const stored = this.lookup(input.FunctionName as string, input.Qualifier as string | undefined, 'invoke');
    const bytes = payloadBytes(input.Payload);
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
    const text = eventText(bytes);
    const name = stored.configuration.FunctionName!;

    if (invocationType === 'DryRun') return { StatusCode: 204 };
    if (invocationType === 'Event') {
      // Accepted: from here on the event belongs to the async queue and is never lost (docs/aws-semantics.md §2).
      this.invoker.enqueue(name, request.requestId, text);
      return { StatusCode: 202 };
    }

    try {
      const outcome = await this.runner.invoke(this.runnable(stored), {
        requestId: request.requestId,
        payload: text,
        clientContext: (input.ClientContext as string | undefined) || undefined,
        tailLog: logType === 'Tail',
      });
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        FunctionError: outcome.error ? 'Unhandled' : undefined,
        LogResult: outcome.logResult,
        Payload: outcome.payload,
      };
    } catch (error) {
      if (error instanceof InvocationAborted) {
        if (!this.state.functions[name]) throw notFound(`Function not found: ${this.functionArn(name)}:$LATEST`);
        throw new ServiceError('ServiceException', error.message, { status: 500 });
      }
      throw error;
    }
  }

  // The deprecated API: same queue, 256 KB limit, answers {Status: 202} (docs/aws-semantics.md §1.1, §1.4).
  private invokeAsync(input: { FunctionName: string; InvokeArgs?: Uint8Array }, request: RequestContext): { Status: number } {
    const stored = this.lookup(input.FunctionName, undefined, 'invoke');
    const bytes = payloadBytes(input.InvokeArgs);
    if (bytes.length > MAX_INVOKE_ASYNC_PAYLOAD_BYTES) {
      throw new ServiceError(
        'RequestEntityTooLargeException',
        `${bytes.length} byte payload is too large for the Event invocation type (limit ${MAX_INVOKE_ASYNC_PAYLOAD_BYTES} bytes)`,
        { status: 413 },
      );
    }
    this.invoker.enqueue(stored.configuration.FunctionName!, request.requestId, eventText(bytes));
    return { Status: 202 };
  }

  private async runAttempt(event: PendingEvent): Promise<AttemptResult> {
    const stored = this.state.functions[event.functionName];
    if (!stored) return { kind: 'gone' };
    const outcome = await this.runner.invoke(this.runnable(stored), {
      requestId: event.requestId,
      payload: event.payload,
    });
    if (outcome.error) return { kind: 'function-error', error: outcome.error };
    return { kind: 'success', payload: outcome.payload };
  }

  private retryPolicy(functionName: string): RetryPolicy {
    const config = this.state.eventInvokeConfigs[`${functionName}:$LATEST`];
    return {
      maximumRetryAttempts: config?.MaximumRetryAttempts ?? DEFAULT_RETRY_POLICY.maximumRetryAttempts,
      maximumEventAgeInSeconds: config?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY_POLICY.maximumEventAgeInSeconds,
    };
  }

  // ---- event-invoke configs (docs/aws-semantics.md §1.6, §2) ----

  private eventConfigTarget(functionName: string, qualifierParameter: string | undefined): { name: string; qualifier: string } {
    const reference = this.parseReference(functionName, qualifierParameter);
    if (reference.qualifier !== undefined && qualifierParameter !== undefined && reference.qualifier !== qualifierParameter) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    return { name: reference.name, qualifier: qualifierParameter ?? reference.qualifier ?? '$LATEST' };
  }

  private existingEventInvokeConfig(functionName: string, qualifier: string | undefined): StoredEventInvokeConfig {
    const target = this.eventConfigTarget(functionName, qualifier);
    const config = this.state.eventInvokeConfigs[`${target.name}:${target.qualifier}`];
    if (!config || !this.state.functions[target.name]) {
      throw notFound(`The function ${this.functionArn(target.name)}:${target.qualifier} doesn't have an EventInvokeConfig`);
    }
    return config;
  }

  // Pattern first (ValidationException), then the record's own rules (InvalidParameterValueException), in the order the
  // recording shows them (test_lambda_eventinvokeconfig_exceptions, 25-11-2025).
  private validateDestinations(name: string, destinationConfig: unknown): StoredEventInvokeConfig['DestinationConfig'] {
    const config = (destinationConfig ?? {}) as { OnSuccess?: Destination; OnFailure?: Destination };
    const result = { OnSuccess: {} as Destination, OnFailure: {} as Destination };
    const kinds = [
      ['OnSuccess', 'onSuccess'],
      ['OnFailure', 'onFailure'],
    ] as const;
    for (const [key, member] of kinds) {
      const destination = config[key]?.Destination;
      if (destination === undefined || destination === null || destination === '') continue;
      if (typeof destination !== 'string' || !DESTINATION_ARN.test(destination)) {
        throw validationError(
          `Value '${shown(destination)}' at 'destinationConfig.${member}.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ${DESTINATION_PATTERN}`,
        );
      }
      result[key] = { Destination: destination };
    }
    for (const [key] of kinds) {
      const destination = result[key].Destination;
      if (destination === undefined) continue;
      const service = destination.startsWith('arn:') ? destination.split(':')[2]! : '';
      if (!DESTINATION_SERVICES[key].includes(service)) {
        // AWS quotes its own Java rendering of the whole config (put_destination_invalid_service_arn).
        const shownConfig = (kind: 'OnSuccess' | 'OnFailure') =>
          result[kind].Destination === undefined ? 'null' : `${kind}(destination=${result[kind].Destination})`;
        throw invalidParameter(
          `The provided destination config DestinationConfig(onSuccess=${shownConfig('OnSuccess')}, onFailure=${shownConfig('OnFailure')}) is invalid.`,
        );
      }
      if (service !== 'lambda') continue;
      // put_destination_recursive, then put_destination_lambda_doesntexist.
      let target: FunctionReference | undefined;
      try {
        target = this.parseReference(destination);
      } catch {
        target = undefined;
      }
      if (target?.name === name) throw invalidParameter("You can't specify the function as a destination for itself.");
      if (!target || !this.state.functions[target.name] || (target.qualifier !== undefined && target.qualifier !== '$LATEST')) {
        throw invalidParameter(`The destination ARN ${destination} is invalid.`);
      }
    }
    return result;
  }

  private writeEventInvokeConfig(
    input: EventInvokeConfigInput & { FunctionName: string; Qualifier?: string },
    mode: 'replace' | 'merge',
  ) {
    if (input.MaximumRetryAttempts == null && input.MaximumEventAgeInSeconds == null && input.DestinationConfig == null) {
      throw invalidParameter('You must specify at least one of error handling or destination setting.');
    }
    checkRange(input.MaximumRetryAttempts, 'maximumRetryAttempts', 0, 2);
    checkRange(input.MaximumEventAgeInSeconds, 'maximumEventAgeInSeconds', 60, 21600);
    const target = this.eventConfigTarget(input.FunctionName, input.Qualifier);
    if (!this.state.functions[target.name] || target.qualifier !== '$LATEST') {
      throw notFound("The function doesn't exist.");
    }
    const key = `${target.name}:${target.qualifier}`;
    const existing = this.state.eventInvokeConfigs[key];
    if (mode === 'merge' && !existing) {
      throw notFound(`The function ${this.functionArn(target.name)}:${target.qualifier} doesn't have an EventInvokeConfig`);
    }
    const destinations =
      input.DestinationConfig != null ? this.validateDestinations(target.name, input.DestinationConfig) : undefined;
    const base: StoredEventInvokeConfig =
      mode === 'merge' && existing
        ? { ...existing }
        : { functionName: target.name, qualifier: target.qualifier, LastModified: 0, DestinationConfig: { OnSuccess: {}, OnFailure: {} } };
    if (input.MaximumRetryAttempts != null) base.MaximumRetryAttempts = input.MaximumRetryAttempts;
    if (input.MaximumEventAgeInSeconds != null) base.MaximumEventAgeInSeconds = input.MaximumEventAgeInSeconds;
    if (destinations) {
      base.DestinationConfig =
        mode === 'merge'
          ? {
              OnSuccess: (input.DestinationConfig as { OnSuccess?: unknown }).OnSuccess !== undefined ? destinations.OnSuccess : base.DestinationConfig.OnSuccess,
              OnFailure: (input.DestinationConfig as { OnFailure?: unknown }).OnFailure !== undefined ? destinations.OnFailure : base.DestinationConfig.OnFailure,
            }
          : destinations;
    }
    base.LastModified = this.ctx.now() / 1000;
    this.state.eventInvokeConfigs[key] = base;
    this.ctx.stateChanged();
    return this.renderEventInvokeConfig(base);
  }

  private renderEventInvokeConfig(config: StoredEventInvokeConfig) {
    return {
      LastModified: config.LastModified,
      FunctionArn: `${this.functionArn(config.functionName)}:${config.qualifier}`,
      MaximumRetryAttempts: config.MaximumRetryAttempts,
      MaximumEventAgeInSeconds: config.MaximumEventAgeInSeconds,
      DestinationConfig: config.DestinationConfig,
    };
  }

  private listEventInvokeConfigs(input: { FunctionName: string; Marker?: string; MaxItems?: number }) {
    const reference = this.parseReference(input.FunctionName);
    if (!this.state.functions[reference.name]) throw notFound("The function doesn't exist.");
    checkRange(input.MaxItems, 'maxItems', 1, 50);
    const configs = Object.values(this.state.eventInvokeConfigs)
      .filter((config) => config.functionName === reference.name)
      .map((config) => this.renderEventInvokeConfig(config));
    return { FunctionEventInvokeConfigs: configs };
  }

  // ---- Service ----

  exportState(): unknown {
    return {
      functions: this.state.functions,
      eventInvokeConfigs: this.state.eventInvokeConfigs,
      pendingEvents: this.invoker.exportState(),
    };
  }

  importState(state: unknown): void {
    const incoming = (state ?? {}) as Partial<LambdaState> & { pendingEvents?: PendingEvent[] };
    for (const name of Object.keys(this.state.functions)) void this.runner.removeFunction(name);
    this.state = {
      functions: Object.assign(Object.create(null), incoming.functions),
      eventInvokeConfigs: Object.assign(Object.create(null), incoming.eventInvokeConfigs),
    };
    // Pending retries resume with what remains of their delay, overdue ones at once.
    this.invoker.importState((incoming.pendingEvents ?? []).filter((event) => event.functionName in this.state.functions));
  }

  /** Forks a Node.js runtime ahead of the first cold start, for a caller about to create and invoke a function. */
  prewarmRuntime(): void {
    this.runner.prewarm();
  }

  async close(): Promise<void> {
    this.invoker.close();
    await this.runner.close();
  }
}

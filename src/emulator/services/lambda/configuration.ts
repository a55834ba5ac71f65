// A function's configuration: CreateFunction/Update input, its validation, and the FunctionConfiguration AWS returns.
import type { DeadLetterConfig, FunctionConfiguration } from '@aws-sdk/client-lambda';
import { createHash, randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../../context.js';
import { languageRuntime, runtimeProblem } from '../../lambda-runner/runtimes.js';
import type { IamService } from '../iam.js';
import { zipFiles } from '../zip.js';
import { checkRange, invalidParameter, shown, validationError } from './errors.js';
import { functionArnOf } from './names.js';

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

export interface StoredFunction {
  configuration: FunctionConfiguration;
  /** The inline source, written as index.js for the runtime. */
  code: string;
  /** Absent when the function has none: GetFunction then has no Tags key, as on AWS. */
  tags?: Record<string, string>;
}

/**
 * The deployment package of inline code: a zip holding it as index.js (index.py for Python), the file CloudFormation's
 * Code.ZipFile becomes on AWS. The zip's bytes are fixed for a given source, so CodeSha256 is stable.
 */
export function packageOf(runtime: string, code: string): Buffer {
  return zipFiles({ [runtime.startsWith('python') ? 'index.py' : 'index.js']: code });
}

/** Stored tags: none means no key at all. */
export function tagsOf(tags: Record<string, string> | undefined): { tags?: Record<string, string> } {
  return tags && Object.keys(tags).length > 0 ? { tags: { ...tags } } : {};
}

/** Variables Lambda sets itself; a function may not override them. */
const RESERVED_VARIABLES = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

/** AWS's LastModified: `2026-11-28T10:00:00.000+0000`. */
function lambdaTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

/** A stored function as the input that would create it again: what an update merges into. */
export function asCreateInput(stored: StoredFunction): CreateFunctionInput {
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

function validateSettings(iam: IamService, input: CreateFunctionInput): void {
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
  if (!iam.roleExists(input.Role)) {
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
  checkDeadLetterPermission(iam, input.Role, input.DeadLetterConfig);
}

// The role must be able to send to the DLQ, or the call fails at once with AWS's message (docs/aws-semantics.md §2).
function checkDeadLetterPermission(iam: IamService, role: string, deadLetterConfig: DeadLetterConfig | undefined): void {
  const target = deadLetterConfig?.TargetArn;
  if (!target) return;
  const service = target.split(':')[2];
  if (service === 'sqs') {
    if (!iam.isAllowed(role, 'sqs:SendMessage', target)) {
      throw invalidParameter('The provided execution role does not have permissions to call SendMessage on SQS');
    }
  } else if (service === 'sns') {
    if (!iam.isAllowed(role, 'sns:Publish', target)) {
      throw invalidParameter('The provided execution role does not have permissions to call Publish on SNS');
    }
  } else {
    throw invalidParameter(`The DeadLetterConfig target ${target} is neither an SQS queue nor an SNS topic.`);
  }
}

/** Validates the input, then builds the configuration; a new RevisionId every time. */
export function buildConfiguration(
  ctx: EmulatorContext,
  name: string,
  input: CreateFunctionInput,
  previous: FunctionConfiguration | undefined,
): FunctionConfiguration {
  validateSettings(ctx.iam, input);
  // CodeSize and CodeSha256 describe the deployment package, the zip Code.Location serves, as on AWS.
  const codePackage = packageOf(input.Runtime, input.Code.ZipFile);
  const logGroup = input.LoggingConfig?.LogGroup || `/aws/lambda/${name}`;
  const configuration: FunctionConfiguration = {
    FunctionName: name,
    FunctionArn: functionArnOf(ctx, name),
    Runtime: input.Runtime as FunctionConfiguration['Runtime'],
    Role: input.Role,
    Handler: input.Handler,
    CodeSize: codePackage.length,
    Description: input.Description ?? '',
    Timeout: input.Timeout ?? 3,
    MemorySize: input.MemorySize ?? 128,
    LastModified: lambdaTimestamp(ctx.now()),
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
      RuntimeVersionArn: `arn:aws:lambda:${ctx.region}::runtime:${createHash('sha256').update(languageRuntime(input.Runtime).runtimeVersion).digest('hex')}`,
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

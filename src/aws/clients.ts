// The one place that builds AWS SDK clients: one shared config (region, endpoint, credentials), narrow typed APIs.
import type {
  CreateChangeSetCommandInput,
  CreateChangeSetCommandOutput,
  DeleteChangeSetCommandInput,
  DeleteChangeSetCommandOutput,
  DescribeChangeSetCommandInput,
  DescribeChangeSetCommandOutput,
  DescribeStackEventsCommandInput,
  DescribeStackEventsCommandOutput,
  DescribeStacksCommandInput,
  DescribeStacksCommandOutput,
  ExecuteChangeSetCommandInput,
  ExecuteChangeSetCommandOutput,
  ValidateTemplateCommandInput,
  ValidateTemplateCommandOutput,
} from '@aws-sdk/client-cloudformation';
import type { FilterLogEventsCommandInput, FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import type { InvokeCommandInput, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type {
  ChangeMessageVisibilityCommandInput,
  ChangeMessageVisibilityCommandOutput,
  DeleteMessageCommandInput,
  DeleteMessageCommandOutput,
  ReceiveMessageCommandInput,
  ReceiveMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import { environmentError } from '../cli/errors.js';

export type Target = 'local' | 'aws';

/** Credentials for endpoints that ignore them (the local emulator, LocalStack): never the user's real keys. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const LOCAL_REGION = 'us-east-1';

export interface ClientSettings {
  target: Target;
  /** Origin of an AWS-compatible endpoint (the in-process emulator, LocalStack, ...); undefined means AWS itself. */
  endpoint?: string;
  region?: string;
  profile?: string;
  /** Aborts every call in flight (Ctrl-C). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

// The exact API surface the lesson depends on, typed with the SDK's own shapes (fakes are easy to write against it).
export interface CloudFormationApi {
  validateTemplate(input: ValidateTemplateCommandInput): Promise<ValidateTemplateCommandOutput>;
  describeStacks(input: DescribeStacksCommandInput): Promise<DescribeStacksCommandOutput>;
  describeStackEvents(input: DescribeStackEventsCommandInput): Promise<DescribeStackEventsCommandOutput>;
  createChangeSet(input: CreateChangeSetCommandInput): Promise<CreateChangeSetCommandOutput>;
  describeChangeSet(input: DescribeChangeSetCommandInput): Promise<DescribeChangeSetCommandOutput>;
  executeChangeSet(input: ExecuteChangeSetCommandInput): Promise<ExecuteChangeSetCommandOutput>;
  deleteChangeSet(input: DeleteChangeSetCommandInput): Promise<DeleteChangeSetCommandOutput>;
}
export interface LambdaApi {
  invoke(input: InvokeCommandInput): Promise<InvokeCommandOutput>;
}
export interface LogsApi {
  filterLogEvents(input: FilterLogEventsCommandInput): Promise<FilterLogEventsCommandOutput>;
}
export interface SqsApi {
  receiveMessage(input: ReceiveMessageCommandInput): Promise<ReceiveMessageCommandOutput>;
  deleteMessage(input: DeleteMessageCommandInput): Promise<DeleteMessageCommandOutput>;
  changeMessageVisibility(input: ChangeMessageVisibilityCommandInput): Promise<ChangeMessageVisibilityCommandOutput>;
}

export interface AwsClients {
  target: Target;
  region: string;
  endpoint?: string;
  cloudFormation: CloudFormationApi;
  lambda: LambdaApi;
  logs: LogsApi;
  sqs: SqsApi;
  /** Closes the clients' sockets so the process can exit. */
  destroy(): void;
}

/**
 * Which credentials to use: the in-process emulator always gets dummy ones; another endpoint gets dummy ones
 * unless the user configured a profile or keys (LocalStack accepts anything, a real endpoint needs the chain);
 * AWS gets the SDK's default chain (env, SSO, profiles, IMDS...), narrowed to --profile when given.
 */
function wantsCredentialChain(settings: ClientSettings): boolean {
  if (settings.target === 'aws' && !settings.endpoint) return true;
  if (!settings.endpoint) return false;
  const env = settings.env ?? process.env;
  return Boolean(settings.profile || env.AWS_PROFILE || env.AWS_ACCESS_KEY_ID);
}

function regionOf(settings: ClientSettings): string | undefined {
  const env = settings.env ?? process.env;
  const configured = settings.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (configured) return configured;
  // AWS resolves the region from the profile; an endpoint that is not AWS has no profile to ask.
  return settings.target === 'aws' && !settings.endpoint ? undefined : LOCAL_REGION;
}

/** Builds the clients. The SDK is imported here, lazily, so `--help` never pays for loading it. */
export async function createClients(settings: ClientSettings): Promise<AwsClients> {
  const [cfnModule, lambdaModule, logsModule, sqsModule] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('@aws-sdk/client-lambda'),
    import('@aws-sdk/client-cloudwatch-logs'),
    import('@aws-sdk/client-sqs'),
  ]);
  const useChain = wantsCredentialChain(settings);
  const shared = {
    region: regionOf(settings),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(useChain ? (settings.profile ? { profile: settings.profile } : {}) : { credentials: LOCAL_CREDENTIALS }),
    // An unreachable host fails in seconds rather than hanging; no request timeout, since SQS long polls for 20 s.
    requestHandler: { connectionTimeout: 5_000 },
  };

  const cfn = new cfnModule.CloudFormationClient(shared);
  // No SDK retries for Invoke: every extra START line in the logs must be Lambda's own retry, never a client's.
  const lambda = new lambdaModule.LambdaClient({ ...shared, maxAttempts: 1 });
  const logs = new logsModule.CloudWatchLogsClient(shared);
  const sqs = new sqsModule.SQSClient(shared);

  let region: string;
  try {
    region = await cfn.config.region();
  } catch (error) {
    for (const client of [cfn, lambda, logs, sqs]) client.destroy();
    throw environmentError(
      'No AWS region is configured.',
      'Pass --region, set AWS_REGION, or give your profile a region (aws configure).',
      error,
    );
  }

  const options = { abortSignal: settings.signal };
  return {
    target: settings.target,
    region,
    endpoint: settings.endpoint,
    cloudFormation: {
      validateTemplate: (input) => cfn.send(new cfnModule.ValidateTemplateCommand(input), options),
      describeStacks: (input) => cfn.send(new cfnModule.DescribeStacksCommand(input), options),
      describeStackEvents: (input) => cfn.send(new cfnModule.DescribeStackEventsCommand(input), options),
      createChangeSet: (input) => cfn.send(new cfnModule.CreateChangeSetCommand(input), options),
      describeChangeSet: (input) => cfn.send(new cfnModule.DescribeChangeSetCommand(input), options),
      executeChangeSet: (input) => cfn.send(new cfnModule.ExecuteChangeSetCommand(input), options),
      deleteChangeSet: (input) => cfn.send(new cfnModule.DeleteChangeSetCommand(input), options),
    },
    lambda: {
      invoke: (input) => lambda.send(new lambdaModule.InvokeCommand(input), options),
    },
    logs: {
      filterLogEvents: (input) => logs.send(new logsModule.FilterLogEventsCommand(input), options),
    },
    sqs: {
      receiveMessage: (input) => sqs.send(new sqsModule.ReceiveMessageCommand(input), options),
      deleteMessage: (input) => sqs.send(new sqsModule.DeleteMessageCommand(input), options),
      changeMessageVisibility: (input) => sqs.send(new sqsModule.ChangeMessageVisibilityCommand(input), options),
    },
    destroy() {
      for (const client of [cfn, lambda, logs, sqs]) client.destroy();
    },
  };
}

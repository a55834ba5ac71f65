// The one place that builds AWS SDK clients: one shared config (region, endpoint, credentials), narrow typed APIs.
import type {
  CreateChangeSetCommandInput,
  CreateChangeSetCommandOutput,
  DeleteChangeSetCommandInput,
  DeleteChangeSetCommandOutput,
  DeleteStackCommandInput,
  DeleteStackCommandOutput,
  DescribeChangeSetCommandInput,
  DescribeChangeSetCommandOutput,
  DescribeStackEventsCommandInput,
  DescribeStackEventsCommandOutput,
  DescribeStackResourcesCommandInput,
  DescribeStackResourcesCommandOutput,
  DescribeStacksCommandInput,
  DescribeStacksCommandOutput,
  ExecuteChangeSetCommandInput,
  ExecuteChangeSetCommandOutput,
  ValidateTemplateCommandInput,
  ValidateTemplateCommandOutput,
} from '@aws-sdk/client-cloudformation';
import type {
  DeleteLogGroupCommandInput,
  DeleteLogGroupCommandOutput,
  DescribeLogGroupsCommandInput,
  DescribeLogGroupsCommandOutput,
  FilterLogEventsCommandInput,
  FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { InvokeCommandInput, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type {
  ChangeMessageVisibilityCommandInput,
  ChangeMessageVisibilityCommandOutput,
  DeleteMessageCommandInput,
  DeleteMessageCommandOutput,
  GetQueueAttributesCommandInput,
  GetQueueAttributesCommandOutput,
  ListQueuesCommandInput,
  ListQueuesCommandOutput,
  ReceiveMessageCommandInput,
  ReceiveMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import type { GetCallerIdentityCommandInput, GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import { environmentError } from '../errors.js';
import { explainAwsFailure, isUnreachable, tagAction } from './errors.js';
import { chosenProfile, profileHoldsCredentials } from './profiles.js';

export type Target = 'local' | 'aws';

/** How long a TCP connection may take to open. */
const CONNECTION_TIMEOUT_MS = 3_000;
/** How long an ordinary call may take to answer (CloudFormation's slowest here answer in well under a second). */
const REQUEST_TIMEOUT_MS = 30_000;
/** The first call to an endpoint: a dead one (accepting, never answering) is told within seconds, not a half-minute. */
const FIRST_CONTACT_TIMEOUT_MS = 5_000;
/** A synchronous Invoke waits for the function: the lesson's runs in seconds, Lambda allows up to 15 minutes. */
const INVOKE_TIMEOUT_MS = 15 * 60_000 + 30_000;

/** Credentials for endpoints that ignore them (the local emulator, LocalStack): never the user's real keys. */
const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
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
  /** True for the emulator this process started: it always gets the dummy credentials, nothing is looked up. */
  inProcess?: boolean;
}

// The exact API surface the lesson depends on, typed with the SDK's own shapes (fakes are easy to write against it).
export interface CloudFormationApi {
  validateTemplate(input: ValidateTemplateCommandInput): Promise<ValidateTemplateCommandOutput>;
  describeStacks(input: DescribeStacksCommandInput): Promise<DescribeStacksCommandOutput>;
  describeStackEvents(input: DescribeStackEventsCommandInput): Promise<DescribeStackEventsCommandOutput>;
  describeStackResources(input: DescribeStackResourcesCommandInput): Promise<DescribeStackResourcesCommandOutput>;
  createChangeSet(input: CreateChangeSetCommandInput): Promise<CreateChangeSetCommandOutput>;
  describeChangeSet(input: DescribeChangeSetCommandInput): Promise<DescribeChangeSetCommandOutput>;
  executeChangeSet(input: ExecuteChangeSetCommandInput): Promise<ExecuteChangeSetCommandOutput>;
  deleteChangeSet(input: DeleteChangeSetCommandInput): Promise<DeleteChangeSetCommandOutput>;
  deleteStack(input: DeleteStackCommandInput): Promise<DeleteStackCommandOutput>;
}
export interface LambdaApi {
  invoke(input: InvokeCommandInput): Promise<InvokeCommandOutput>;
}
export interface LogsApi {
  filterLogEvents(input: FilterLogEventsCommandInput): Promise<FilterLogEventsCommandOutput>;
  describeLogGroups(input: DescribeLogGroupsCommandInput): Promise<DescribeLogGroupsCommandOutput>;
  deleteLogGroup(input: DeleteLogGroupCommandInput): Promise<DeleteLogGroupCommandOutput>;
}
export interface SqsApi {
  receiveMessage(input: ReceiveMessageCommandInput): Promise<ReceiveMessageCommandOutput>;
  deleteMessage(input: DeleteMessageCommandInput): Promise<DeleteMessageCommandOutput>;
  changeMessageVisibility(input: ChangeMessageVisibilityCommandInput): Promise<ChangeMessageVisibilityCommandOutput>;
  getQueueAttributes(input: GetQueueAttributesCommandInput): Promise<GetQueueAttributesCommandOutput>;
  listQueues(input: ListQueuesCommandInput): Promise<ListQueuesCommandOutput>;
}
export interface StsApi {
  getCallerIdentity(input: GetCallerIdentityCommandInput): Promise<GetCallerIdentityCommandOutput>;
}

/**
 * Where the credentials come from: `chain` is the SDK's standard chain, resolved on the first call (AWS); `configured`
 * is that chain, found configured for an endpoint; `dummy` is test/test, for endpoints that ignore credentials.
 */
type CredentialSource = 'chain' | 'configured' | 'dummy';

export interface AwsClients {
  target: Target;
  region: string;
  endpoint?: string;
  /** The profile the credential chain uses (--profile, else AWS_PROFILE), for hints; undefined: the default. */
  profile?: string;
  credentials: CredentialSource;
  cloudFormation: CloudFormationApi;
  lambda: LambdaApi;
  logs: LogsApi;
  sqs: SqsApi;
  sts: StsApi;
  /** Closes the clients' sockets so the process can exit. */
  destroy(): void;
}

/** --region, else AWS_REGION, else AWS_DEFAULT_REGION: the one order every command reads the region in. */
export function configuredRegion(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

function regionOf(settings: ClientSettings): string | undefined {
  const env = settings.env ?? process.env;
  const configured = configuredRegion(settings.region, env);
  if (configured) return configured;
  // AWS resolves the region from the profile; an endpoint that is not AWS has no profile to ask.
  return settings.target === 'aws' && !settings.endpoint ? undefined : LOCAL_REGION;
}

/**
 * Whether the user configured credentials an endpoint should get. Checked before asking the SDK's chain, because the
 * chain ends at the EC2 instance metadata service: on a laptop with nothing configured that is a network call to a
 * host that is not there, only to fall back to dummy credentials anyway.
 */
async function credentialsConfigured(env: NodeJS.ProcessEnv, flag: string | undefined): Promise<boolean> {
  if (flag) return true;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return true;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  // The profile the chain reads: AWS_PROFILE's, else the default one.
  return profileHoldsCredentials(chosenProfile(undefined, env) ?? 'default', env);
}

/** Builds the clients. The SDK is imported here, lazily, so `--help` never pays for loading it. */
export async function createClients(settings: ClientSettings): Promise<AwsClients> {
  // Only the commands used below (sdk.ts): loading whole client packages would cost about twice as long.
  const {
    cloudFormation: cfnModule,
    lambda: lambdaModule,
    logs: logsModule,
    sqs: sqsModule,
    sts: stsModule,
  } = await import('./sdk.js');
  const env = settings.env ?? process.env;
  const profile = chosenProfile(settings.profile, env);
  const base = {
    region: regionOf(settings),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // Nothing hangs: an unreachable host fails in seconds, an endpoint that accepts and never answers after
    // REQUEST_TIMEOUT_MS (long polls and invokes get their own, longer, bound per call).
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
  const withChain = { ...base, ...(profile ? { profile } : {}) };
  const withDummy = { ...base, credentials: LOCAL_CREDENTIALS };

  // AWS: the standard chain (env, SSO, profiles, assumed roles, IMDS...), narrowed to --profile when given.
  // An endpoint: the chain when the user configured one, else dummy keys (LocalStack and the emulator accept any).
  let credentials: CredentialSource = 'chain';
  let shared: typeof withChain | typeof withDummy = withChain;
  if (settings.inProcess || (settings.target === 'local' && !settings.endpoint)) {
    credentials = 'dummy';
    shared = withDummy;
  } else if (settings.endpoint) {
    credentials = 'dummy';
    shared = withDummy;
    if (await credentialsConfigured(env, settings.profile)) {
      const probe = new stsModule.STSClient(withChain);
      try {
        await probe.config.credentials();
        credentials = 'configured';
        shared = withChain;
      } catch (error) {
        // An explicit --profile that does not resolve is the user's mistake to hear about, not to paper over.
        if (settings.profile) throw error;
      } finally {
        probe.destroy();
      }
    }
  }

  const cfn = new cfnModule.CloudFormationClient(shared);
  // No SDK retries for Invoke: every extra START line in the logs must be Lambda's own retry, never a client's.
  const lambda = new lambdaModule.LambdaClient({ ...shared, maxAttempts: 1 });
  const logs = new logsModule.CloudWatchLogsClient(shared);
  const sqs = new sqsModule.SQSClient(shared);
  const sts = new stsModule.STSClient(shared);
  const all = [cfn, lambda, logs, sqs, sts];

  let region: string;
  try {
    region = await cfn.config.region();
  } catch (error) {
    for (const client of all) client.destroy();
    throw environmentError(
      'No AWS region is configured.',
      'Pass --region, set AWS_REGION, or give your profile a region (aws configure).',
      error,
    );
  }

  // An endpoint the user names (LocalStack, any URL): one quick call first, so one that accepts connections and never
  // answers is reported within seconds (explainAwsFailure words it). Any answer will do: what it says is for the calls
  // that follow (one that is no AWS answer is reported by the first of them).
  if (settings.endpoint && !settings.inProcess) {
    // One attempt: the SDK's retries would triple the wait for an endpoint that never answers.
    const firstContact = new stsModule.STSClient({ ...shared, maxAttempts: 1 });
    try {
      await firstContact.send(new stsModule.GetCallerIdentityCommand({}), { abortSignal: settings.signal, requestTimeout: FIRST_CONTACT_TIMEOUT_MS });
    } catch (error) {
      if (isUnreachable(error)) {
        for (const client of all) client.destroy();
        throw explainAwsFailure(error, { endpoint: settings.endpoint, region: regionOf(settings) ?? LOCAL_REGION }) ?? error;
      }
    } finally {
      firstContact.destroy();
    }
  }

  const options = { abortSignal: settings.signal };
  /** Sends, and tags a failure with its IAM action so an AccessDenied can always name what was missing. */
  const tagged = <T>(action: string, sent: Promise<T>): Promise<T> =>
    sent.catch((error: unknown) => {
      tagAction(error, action);
      throw error;
    });
  return {
    target: settings.target,
    region,
    endpoint: settings.endpoint,
    profile,
    credentials,
    cloudFormation: {
      validateTemplate: (input) => tagged('cloudformation:ValidateTemplate', cfn.send(new cfnModule.ValidateTemplateCommand(input), options)),
      describeStacks: (input) => tagged('cloudformation:DescribeStacks', cfn.send(new cfnModule.DescribeStacksCommand(input), options)),
      describeStackEvents: (input) =>
        tagged('cloudformation:DescribeStackEvents', cfn.send(new cfnModule.DescribeStackEventsCommand(input), options)),
      describeStackResources: (input) =>
        tagged('cloudformation:DescribeStackResources', cfn.send(new cfnModule.DescribeStackResourcesCommand(input), options)),
      createChangeSet: (input) => tagged('cloudformation:CreateChangeSet', cfn.send(new cfnModule.CreateChangeSetCommand(input), options)),
      describeChangeSet: (input) => tagged('cloudformation:DescribeChangeSet', cfn.send(new cfnModule.DescribeChangeSetCommand(input), options)),
      executeChangeSet: (input) => tagged('cloudformation:ExecuteChangeSet', cfn.send(new cfnModule.ExecuteChangeSetCommand(input), options)),
      deleteChangeSet: (input) => tagged('cloudformation:DeleteChangeSet', cfn.send(new cfnModule.DeleteChangeSetCommand(input), options)),
      deleteStack: (input) => tagged('cloudformation:DeleteStack', cfn.send(new cfnModule.DeleteStackCommand(input), options)),
    },
    lambda: {
      invoke: (input) =>
        tagged('lambda:InvokeFunction', lambda.send(new lambdaModule.InvokeCommand(input), { ...options, requestTimeout: INVOKE_TIMEOUT_MS })),
    },
    logs: {
      filterLogEvents: (input) => tagged('logs:FilterLogEvents', logs.send(new logsModule.FilterLogEventsCommand(input), options)),
      describeLogGroups: (input) => tagged('logs:DescribeLogGroups', logs.send(new logsModule.DescribeLogGroupsCommand(input), options)),
      deleteLogGroup: (input) => tagged('logs:DeleteLogGroup', logs.send(new logsModule.DeleteLogGroupCommand(input), options)),
    },
    sqs: {
      receiveMessage: (input) =>
        tagged(
          'sqs:ReceiveMessage',
          sqs.send(new sqsModule.ReceiveMessageCommand(input), { ...options, requestTimeout: (input.WaitTimeSeconds ?? 20) * 1000 + REQUEST_TIMEOUT_MS }),
        ),
      deleteMessage: (input) => tagged('sqs:DeleteMessage', sqs.send(new sqsModule.DeleteMessageCommand(input), options)),
      changeMessageVisibility: (input) =>
        tagged('sqs:ChangeMessageVisibility', sqs.send(new sqsModule.ChangeMessageVisibilityCommand(input), options)),
      getQueueAttributes: (input) => tagged('sqs:GetQueueAttributes', sqs.send(new sqsModule.GetQueueAttributesCommand(input), options)),
      listQueues: (input) => tagged('sqs:ListQueues', sqs.send(new sqsModule.ListQueuesCommand(input), options)),
    },
    sts: {
      getCallerIdentity: (input) => tagged('sts:GetCallerIdentity', sts.send(new stsModule.GetCallerIdentityCommand(input), options)),
    },
    destroy() {
      for (const client of all) client.destroy();
    },
  };
}

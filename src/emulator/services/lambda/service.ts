// The Lambda service: the stored functions, the operations table, Invoke in its three types, and persistence.
import type { FunctionConfiguration, UpdateFunctionConfigurationRequest } from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import type { EmulatorContext, RequestContext, Service } from '../../context.js';
import { ServiceError } from '../../errors.js';
import {
  AsyncInvoker,
  DEFAULT_RETRY_POLICY,
  type AttemptResult,
  type PendingEvent,
  type RetryPolicy,
} from '../../lambda-runner/async-invoker.js';
import { InvocationAborted, type RunnableFunction } from '../../lambda-runner/invocation.js';
import { LambdaRunner } from '../../lambda-runner/runner.js';
import { languageRuntime } from '../../lambda-runner/runtimes.js';
import { type CodePackageRequest, CodePackages } from './code-package.js';
import {
  asCreateInput,
  buildConfiguration,
  type CreateFunctionInput,
  type StoredFunction,
  tagsOf,
} from './configuration.js';
import { checkRange, invalidParameter, notFound } from './errors.js';
import {
  type EventInvokeConfigInput,
  type EventInvokeConfigRequest,
  EventInvokeConfigs,
  type StoredEventInvokeConfig,
} from './event-invoke-configs.js';
import { type InvokeOperationOutput, invokeAsyncEvent, invokeEvent, invokeOptions } from './invoke-request.js';
import { type FunctionNameShape, functionArnOf, parseReference, validName } from './names.js';

/** What exportState writes and importState reads. */
interface LambdaState {
  functions: Record<string, StoredFunction>;
  /** Keyed `<function name>:<qualifier>`. */
  eventInvokeConfigs: Record<string, StoredEventInvokeConfig>;
}

// CloudFormation hands parameter values over as strings ("2"); the internal API takes them as the numbers they are.
function numeric<T>(value: T): T | number {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
}

export class LambdaService implements Service {
  // Null-prototype records: a function named `constructor` or `toString` must not find Object.prototype's members
  // (found by test/reliability/fuzz.test.ts: those names answered 500).
  private functions: Record<string, StoredFunction> = Object.create(null);
  private readonly eventConfigs: EventInvokeConfigs;
  private readonly runner: LambdaRunner;
  private readonly invoker: AsyncInvoker;
  private readonly codePackages: CodePackages;

  constructor(protected readonly ctx: EmulatorContext) {
    this.eventConfigs = new EventInvokeConfigs(ctx, (name) => this.functions[name] !== undefined);
    this.codePackages = new CodePackages(ctx);
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
        const stored = this.functions[name];
        if (!stored) return undefined;
        const config = this.eventConfigs.ofFunction(name);
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
        const reference = parseReference(this.ctx, functionArn);
        if (!this.functions[reference.name]) throw new Error(`Function not found: ${functionArn}`);
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
    PutFunctionEventInvokeConfig: (input: EventInvokeConfigRequest) => this.eventConfigs.write(input, 'replace'),
    UpdateFunctionEventInvokeConfig: (input: EventInvokeConfigRequest) => this.eventConfigs.write(input, 'merge'),
    GetFunctionEventInvokeConfig: (input: { FunctionName: string; Qualifier?: string }) =>
      this.eventConfigs.get(input.FunctionName, input.Qualifier),
    DeleteFunctionEventInvokeConfig: (input: { FunctionName: string; Qualifier?: string }) =>
      this.eventConfigs.delete(input.FunctionName, input.Qualifier),
    ListFunctionEventInvokeConfigs: (input: { FunctionName: string; Marker?: string; MaxItems?: number }) =>
      this.eventConfigs.list(input),
  };

  // ---- internal API (called by CloudFormation and tests through ctx.lambda) ----

  functionArn(functionName: string): string {
    return functionArnOf(this.ctx, functionName);
  }

  createFunction(rawInput: CreateFunctionInput): FunctionConfiguration {
    const input = { ...rawInput, Timeout: numeric(rawInput.Timeout), MemorySize: numeric(rawInput.MemorySize) } as CreateFunctionInput;
    const name = validName(this.ctx, input.FunctionName);
    if (this.functions[name]) {
      // AWS's own wording, grammar included.
      throw new ServiceError('ResourceConflictException', `Function already exist: ${name}`, { status: 409 });
    }
    if (typeof input.Code?.ZipFile !== 'string') {
      throw invalidParameter('The local emulator runs inline code only: Code.ZipFile must hold the function source.');
    }
    const configuration = buildConfiguration(this.ctx, name, input, undefined);
    this.functions[name] = { configuration, code: input.Code.ZipFile, ...tagsOf(input.Tags) };
    this.ctx.stateChanged();
    // Its first invoke will need a runtime process of its language: start one now, while the caller is still busy
    // deploying.
    this.runner.prewarm(languageRuntime(configuration.Runtime!));
    return configuration;
  }

  updateFunction(functionName: string, rawInput: Partial<CreateFunctionInput>): FunctionConfiguration {
    const input = { ...rawInput, Timeout: numeric(rawInput.Timeout), MemorySize: numeric(rawInput.MemorySize) } as Partial<CreateFunctionInput>;
    const stored = this.lookup(functionName, undefined, 'management');
    const name = stored.configuration.FunctionName!;
    const current = asCreateInput(stored);
    const merged: CreateFunctionInput = {
      ...current,
      ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
      FunctionName: name,
    } as CreateFunctionInput;
    if (input.Code !== undefined && typeof input.Code.ZipFile !== 'string') {
      throw invalidParameter('The local emulator runs inline code only: Code.ZipFile must hold the function source.');
    }
    const configuration = buildConfiguration(this.ctx, name, merged, stored.configuration);
    this.functions[name] = {
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
      name = parseReference(this.ctx, functionName).name;
    } catch {
      return;
    }
    this.invoker.dropFunction(name);
    void this.runner.removeFunction(name);
    const existed = name in this.functions;
    delete this.functions[name];
    this.eventConfigs.dropFunction(name);
    if (existed) this.ctx.stateChanged();
  }

  putEventInvokeConfig(functionName: string, qualifier: string | undefined, config: EventInvokeConfigInput): void {
    this.eventConfigs.write(
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
    this.eventConfigs.deleteIfPresent(functionName, qualifier);
  }

  /** Acknowledged Event invocations not finished yet (for inspection and tests). */
  pendingEvents(): PendingEvent[] {
    return this.invoker.pending();
  }

  // ---- functions ----

  /** Resolves a function for an operation; `invoke` not-found messages carry the qualifier, others do not (§1.3). */
  private lookup(
    functionName: string,
    qualifierParameter: string | undefined,
    use: 'invoke' | 'management',
    shape: FunctionNameShape = 'namespaced',
  ): StoredFunction {
    const reference = parseReference(this.ctx, functionName, qualifierParameter, shape);
    if (reference.qualifier !== undefined && qualifierParameter !== undefined && reference.qualifier !== qualifierParameter) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = qualifierParameter ?? reference.qualifier;
    const stored = this.functions[reference.name];
    const arn = this.functionArn(reference.name);
    if (!stored) {
      const shown = use === 'invoke' ? `${arn}:${qualifier ?? '$LATEST'}` : qualifier ? `${arn}:${qualifier}` : arn;
      throw notFound(`Function not found: ${shown}`);
    }
    // Only $LATEST exists here: the emulator does not publish versions or aliases.
    if (qualifier !== undefined && qualifier !== '$LATEST') throw notFound(`Function not found: ${arn}:${qualifier}`);
    return stored;
  }

  // {Configuration, Code: {RepositoryType, Location}, Tags?} (recorded: localstack/localstack
  // tests/aws/services/cloudformation/resources/test_lambda.snapshot.json, test_cfn_lambda_permissions
  // "get_function_result"; no Tags key without tags: test_lambda_api.snapshot.json, test_function_lifecycle).
  private getFunction(input: { FunctionName: string; Qualifier?: string }) {
    const stored = this.lookup(input.FunctionName, input.Qualifier, 'management');
    return {
      Configuration: stored.configuration,
      Code: { RepositoryType: 'S3', Location: this.codePackages.location(stored) },
      ...(stored.tags ? { Tags: { ...stored.tags } } : {}),
    };
  }

  /** The zip a Code.Location URL names, for the binding that serves LAMBDA_CODE_PATH (refused unless signed here). */
  codePackage(request: CodePackageRequest): Buffer {
    return this.codePackages.open(request, this.functions[request.functionName]);
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
    const names = Object.keys(this.functions).sort();
    const start = input.Marker ? names.findIndex((name) => name > Buffer.from(input.Marker!, 'base64url').toString('utf8')) : 0;
    const page = start < 0 ? [] : names.slice(start, start + limit);
    const more = start >= 0 && start + limit < names.length;
    return {
      Functions: page.map((name) => this.functions[name]!.configuration),
      ...(more ? { NextMarker: Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url') } : {}),
    };
  }

  private deleteFunctionOperation(input: { FunctionName: string; Qualifier?: string }): undefined {
    const reference = parseReference(this.ctx, input.FunctionName, input.Qualifier);
    if (reference.qualifier !== undefined && input.Qualifier !== undefined && reference.qualifier !== input.Qualifier) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = input.Qualifier ?? reference.qualifier;
    if (qualifier === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    // A missing function is named without the qualifier on DeleteFunction (recorded: test_lambda_api.snapshot.json,
    // test_function_name_and_qualifier_validation[lowercase_latest_qualifier-delete_function], 25-11-2025).
    if (!this.functions[reference.name]) throw notFound(`Function not found: ${this.functionArn(reference.name)}`);
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
    const { invocationType, logType } = invokeOptions(input);
    const stored = this.lookup(input.FunctionName as string, input.Qualifier as string | undefined, 'invoke');
    const text = invokeEvent(input.Payload, invocationType);
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
        if (!this.functions[name]) throw notFound(`Function not found: ${this.functionArn(name)}:$LATEST`);
        throw new ServiceError('ServiceException', error.message, { status: 500 });
      }
      throw error;
    }
  }

  // The deprecated API: same queue, 256 KB limit, answers {Status: 202} (docs/aws-semantics.md §1.1, §1.4).
  private invokeAsync(input: { FunctionName: string; InvokeArgs?: Uint8Array }, request: RequestContext): { Status: number } {
    const stored = this.lookup(input.FunctionName, undefined, 'invoke');
    this.invoker.enqueue(stored.configuration.FunctionName!, request.requestId, invokeAsyncEvent(input.InvokeArgs));
    return { Status: 202 };
  }

  private async runAttempt(event: PendingEvent): Promise<AttemptResult> {
    const stored = this.functions[event.functionName];
    if (!stored) return { kind: 'gone' };
    const outcome = await this.runner.invoke(this.runnable(stored), {
      requestId: event.requestId,
      payload: event.payload,
    });
    if (outcome.error) return { kind: 'function-error', error: outcome.error };
    return { kind: 'success', payload: outcome.payload };
  }

  private retryPolicy(functionName: string): RetryPolicy {
    const config = this.eventConfigs.ofFunction(functionName);
    return {
      maximumRetryAttempts: config?.MaximumRetryAttempts ?? DEFAULT_RETRY_POLICY.maximumRetryAttempts,
      maximumEventAgeInSeconds: config?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY_POLICY.maximumEventAgeInSeconds,
    };
  }

  // ---- Service ----

  exportState(): unknown {
    return {
      functions: this.functions,
      eventInvokeConfigs: this.eventConfigs.records,
      pendingEvents: this.invoker.exportState(),
    };
  }

  importState(state: unknown): void {
    const incoming = (state ?? {}) as Partial<LambdaState> & { pendingEvents?: PendingEvent[] };
    for (const name of Object.keys(this.functions)) void this.runner.removeFunction(name);
    this.functions = Object.assign(Object.create(null), incoming.functions);
    this.eventConfigs.records = Object.assign(Object.create(null), incoming.eventInvokeConfigs);
    // Pending retries resume with what remains of their delay, overdue ones at once.
    this.invoker.importState((incoming.pendingEvents ?? []).filter((event) => event.functionName in this.functions));
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

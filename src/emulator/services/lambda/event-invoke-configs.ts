// Event-invoke configs (docs/aws-semantics.md §1.6, §2): retries, event age and destinations of async invocations.
import type { EmulatorContext } from '../../context.js';
import { checkRange, invalidParameter, notFound, shown, validationError } from './errors.js';
import { type FunctionReference, functionArnOf, parseReference } from './names.js';

export interface EventInvokeConfigInput {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: unknown;
}

interface Destination {
  Destination?: string;
}

export interface StoredEventInvokeConfig {
  functionName: string;
  qualifier: string;
  /** Epoch seconds with a fraction, as the API returns it (docs/aws-semantics.md §1.6). */
  LastModified: number;
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig: { OnSuccess: Destination; OnFailure: Destination };
}

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

export type EventInvokeConfigRequest = EventInvokeConfigInput & { FunctionName: string; Qualifier?: string };

/** Every function's configs, keyed `<function name>:<qualifier>`; only $LATEST's exist here. */
export class EventInvokeConfigs {
  // A null-prototype record, as the functions' (a function named `constructor` must not find Object.prototype's).
  records: Record<string, StoredEventInvokeConfig> = Object.create(null);

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly functionExists: (name: string) => boolean,
  ) {}

  /** The config the async queue follows for a function. */
  ofFunction(name: string): StoredEventInvokeConfig | undefined {
    return this.records[`${name}:$LATEST`];
  }

  /** GetFunctionEventInvokeConfig. */
  get(functionName: string, qualifier: string | undefined) {
    return this.render(this.existing(functionName, qualifier));
  }

  /** DeleteFunctionEventInvokeConfig: the config must exist. */
  delete(functionName: string, qualifier: string | undefined): undefined {
    const config = this.existing(functionName, qualifier);
    delete this.records[`${config.functionName}:${config.qualifier}`];
    this.ctx.stateChanged();
    return undefined;
  }

  /** CloudFormation's delete: no error when there is nothing to delete. */
  deleteIfPresent(functionName: string, qualifier?: string): void {
    const reference = parseReference(this.ctx, functionName);
    const key = `${reference.name}:${qualifier ?? reference.qualifier ?? '$LATEST'}`;
    if (!(key in this.records)) return;
    delete this.records[key];
    this.ctx.stateChanged();
  }

  /** Drops a deleted function's configs; its deletion reports the change. */
  dropFunction(name: string): void {
    for (const [key, config] of Object.entries(this.records)) {
      if (config.functionName === name) delete this.records[key];
    }
  }

  private target(functionName: string, qualifierParameter: string | undefined): { name: string; qualifier: string } {
    const reference = parseReference(this.ctx, functionName, qualifierParameter);
    if (reference.qualifier !== undefined && qualifierParameter !== undefined && reference.qualifier !== qualifierParameter) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    return { name: reference.name, qualifier: qualifierParameter ?? reference.qualifier ?? '$LATEST' };
  }

  private existing(functionName: string, qualifier: string | undefined): StoredEventInvokeConfig {
    const target = this.target(functionName, qualifier);
    const config = this.records[`${target.name}:${target.qualifier}`];
    if (!config || !this.functionExists(target.name)) {
      throw notFound(`The function ${functionArnOf(this.ctx, target.name)}:${target.qualifier} doesn't have an EventInvokeConfig`);
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
        target = parseReference(this.ctx, destination);
      } catch {
        target = undefined;
      }
      if (target?.name === name) throw invalidParameter("You can't specify the function as a destination for itself.");
      if (!target || !this.functionExists(target.name) || (target.qualifier !== undefined && target.qualifier !== '$LATEST')) {
        throw invalidParameter(`The destination ARN ${destination} is invalid.`);
      }
    }
    return result;
  }

  write(
    input: EventInvokeConfigRequest,
    mode: 'replace' | 'merge',
  ) {
    if (input.MaximumRetryAttempts == null && input.MaximumEventAgeInSeconds == null && input.DestinationConfig == null) {
      throw invalidParameter('You must specify at least one of error handling or destination setting.');
    }
    checkRange(input.MaximumRetryAttempts, 'maximumRetryAttempts', 0, 2);
    checkRange(input.MaximumEventAgeInSeconds, 'maximumEventAgeInSeconds', 60, 21600);
    const target = this.target(input.FunctionName, input.Qualifier);
    if (!this.functionExists(target.name) || target.qualifier !== '$LATEST') {
      throw notFound("The function doesn't exist.");
    }
    const key = `${target.name}:${target.qualifier}`;
    const existing = this.records[key];
    if (mode === 'merge' && !existing) {
      throw notFound(`The function ${functionArnOf(this.ctx, target.name)}:${target.qualifier} doesn't have an EventInvokeConfig`);
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
    this.records[key] = base;
    this.ctx.stateChanged();
    return this.render(base);
  }

  private render(config: StoredEventInvokeConfig) {
    return {
      LastModified: config.LastModified,
      FunctionArn: `${functionArnOf(this.ctx, config.functionName)}:${config.qualifier}`,
      MaximumRetryAttempts: config.MaximumRetryAttempts,
      MaximumEventAgeInSeconds: config.MaximumEventAgeInSeconds,
      DestinationConfig: config.DestinationConfig,
    };
  }

  list(input: { FunctionName: string; Marker?: string; MaxItems?: number }) {
    const reference = parseReference(this.ctx, input.FunctionName);
    if (!this.functionExists(reference.name)) throw notFound("The function doesn't exist.");
    checkRange(input.MaxItems, 'maxItems', 1, 50);
    const configs = Object.values(this.records)
      .filter((config) => config.functionName === reference.name)
      .map((config) => this.render(config));
    return { FunctionEventInvokeConfigs: configs };
  }
}

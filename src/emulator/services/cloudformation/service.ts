// CloudFormation's API: stacks and change sets, their lookups, AWS's exact errors, and the operations that run the
// engine to completion before answering (so a client's first poll already sees the final status).
import type {
  Change,
  ChangeSetStatus,
  ChangeSetSummary,
  CreateChangeSetInput,
  CreateChangeSetOutput,
  CreateStackInput,
  CreateStackOutput,
  DeleteChangeSetInput,
  DeleteStackInput,
  DescribeChangeSetInput,
  DescribeChangeSetOutput,
  DescribeStackEventsInput,
  DescribeStackEventsOutput,
  DescribeStackResourceInput,
  DescribeStackResourceOutput,
  DescribeStackResourcesInput,
  DescribeStackResourcesOutput,
  DescribeStacksInput,
  DescribeStacksOutput,
  ExecuteChangeSetInput,
  ExecutionStatus,
  GetTemplateInput,
  GetTemplateOutput,
  GetTemplateSummaryInput,
  GetTemplateSummaryOutput,
  ListChangeSetsInput,
  ListChangeSetsOutput,
  ListStackResourcesInput,
  ListStackResourcesOutput,
  ListStacksInput,
  ListStacksOutput,
  Parameter,
  ResourceStatus,
  Stack,
  StackEvent,
  StackResource,
  StackStatus,
  UpdateStackInput,
  UpdateStackOutput,
  ValidateTemplateInput,
  ValidateTemplateOutput,
} from '@aws-sdk/client-cloudformation';
import { randomUUID } from 'node:crypto';
import type { EmulatorContext, Service } from '../../context.js';
import { ServiceError } from '../../errors.js';
import type { DeploymentPlan, ParameterInput, ResourceChange, StackRecord, StackResourceRecord } from './records.js';
import { defaultResourceRegistry, type ResourceRegistry } from './resources.js';
import { sameJson, validationError } from './shared.js';
import { StackEngine } from './stack-runner.js';
import { checkCapabilities, requiredCapabilities, validateTemplate } from './template-checks.js';
import { parseTemplate, type Template } from './template.js';

interface ChangeSetRecord {
  ChangeSetId: string;
  ChangeSetName: string;
  StackId: string;
  StackName: string;
  ChangeSetType: 'CREATE' | 'UPDATE';
  Description?: string;
  CreationTime: number;
  Status: string;
  StatusReason?: string;
  ExecutionStatus: string;
  templateBody: string;
  template: Template;
  parameters: Record<string, string>;
  Capabilities: string[];
  Tags: Array<{ Key: string; Value: string }>;
  NotificationARNs: string[];
  RoleARN?: string;
  OnStackFailure?: string;
  Changes: ResourceChange[];
  /** Executed: gone from the stack's list and its name free again, yet still describable by ARN (docs/aws-semantics.md §6.2). */
  executed?: boolean;
}

interface CloudFormationState {
  stacks: StackRecord[];
  changeSets: ChangeSetRecord[];
}

const PAGE_SIZE = 100;
const MAX_TEMPLATE_BODY_BYTES = 51_200;
const NAME_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]*$/;

/** Statuses from which a stack accepts an update (ROLLBACK_COMPLETE "can only be deleted", §6.4). */
const UPDATABLE = new Set([
  'CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_FAILED', 'CREATE_FAILED',
  'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE',
]);

/** Where a stack that was mid-operation when the emulator stopped is left on restart. */
const INTERRUPTED: Record<string, string> = {
  CREATE_IN_PROGRESS: 'CREATE_FAILED',
  ROLLBACK_IN_PROGRESS: 'ROLLBACK_FAILED',
  DELETE_IN_PROGRESS: 'DELETE_FAILED',
  UPDATE_IN_PROGRESS: 'UPDATE_FAILED',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'UPDATE_COMPLETE',
  UPDATE_ROLLBACK_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'UPDATE_ROLLBACK_COMPLETE',
};

const FAILED_STACK_STATUSES = new Set([
  'CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_FAILED', 'UPDATE_FAILED', 'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_FAILED', 'DELETE_COMPLETE',
]);

// ------------------------------------------------------------------------------------------- input checks

function required<T>(value: T | undefined, member: string): T {
  if (value === undefined || value === null || value === '') {
    throw validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function checkName(value: string, member: string): void {
  if (!NAME_PATTERN.test(value) || value.length > 128) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ` +
        'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*',
    );
  }
}

function parameterInputs(value: Parameter[] | undefined): ParameterInput[] {
  return (value ?? []).map((parameter) => ({
    ParameterKey: parameter.ParameterKey,
    ParameterValue: parameter.ParameterValue,
    UsePreviousValue: parameter.UsePreviousValue,
  }));
}

function tagList(value: Array<{ Key?: string; Value?: string }> | undefined): Array<{ Key: string; Value: string }> {
  return (value ?? []).map((tag) => ({ Key: String(tag.Key ?? ''), Value: String(tag.Value ?? '') }));
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

function paginate<T>(items: T[], nextToken: string | undefined, pageSize = PAGE_SIZE): { page: T[]; NextToken?: string } {
  let offset = 0;
  if (nextToken) {
    try {
      offset = Number((JSON.parse(Buffer.from(nextToken, 'base64').toString('utf8')) as { offset: unknown }).offset);
    } catch {
      offset = Number.NaN;
    }
    if (!Number.isInteger(offset) || offset < 0) throw validationError('Invalid NextToken');
  }
  const page = items.slice(offset, offset + pageSize);
  return { page, NextToken: offset + pageSize < items.length ? encodeToken(offset + pageSize) : undefined };
}

function date(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

// -------------------------------------------------------------------------------------------------- service

export class CloudFormationService implements Service {
  private stacks: StackRecord[] = [];
  private changeSets: ChangeSetRecord[] = [];
  /** The operation each stack is running, so a DeleteStack waits for it instead of racing it. */
  private running = new Map<string, Promise<void>>();
  private readonly engine: StackEngine;

  constructor(
    protected readonly ctx: EmulatorContext,
    private readonly registry: ResourceRegistry = defaultResourceRegistry,
  ) {
    this.engine = new StackEngine({ ctx, registry, exportedValue: (name) => this.exportedValue(name) });
  }

  readonly operations = {
    ValidateTemplate: (input: ValidateTemplateInput) => this.validateTemplate(input),
    GetTemplateSummary: (input: GetTemplateSummaryInput) => this.getTemplateSummary(input),
    CreateChangeSet: (input: CreateChangeSetInput) => this.createChangeSet(input),
    DescribeChangeSet: (input: DescribeChangeSetInput) => this.describeChangeSet(input),
    ListChangeSets: (input: ListChangeSetsInput) => this.listChangeSets(input),
    DeleteChangeSet: (input: DeleteChangeSetInput) => this.deleteChangeSet(input),
    ExecuteChangeSet: (input: ExecuteChangeSetInput) => this.executeChangeSet(input),
    CreateStack: (input: CreateStackInput) => this.createStack(input),
    UpdateStack: (input: UpdateStackInput) => this.updateStack(input),
    DeleteStack: (input: DeleteStackInput) => this.deleteStack(input),
    DescribeStacks: (input: DescribeStacksInput) => this.describeStacks(input),
    DescribeStackEvents: (input: DescribeStackEventsInput) => this.describeStackEvents(input),
    DescribeStackResource: (input: DescribeStackResourceInput) => this.describeStackResource(input),
    DescribeStackResources: (input: DescribeStackResourcesInput) => this.describeStackResources(input),
    ListStackResources: (input: ListStackResourcesInput) => this.listStackResources(input),
    ListStacks: (input: ListStacksInput) => this.listStacks(input),
    GetTemplate: (input: GetTemplateInput) => this.getTemplate(input),
  };

  /** Live (not deleted) stacks, for the health endpoint. */
  stackSummaries(): Array<{ StackName: string; StackStatus: string }> {
    return this.stacks
      .filter((stack) => stack.StackStatus !== 'DELETE_COMPLETE')
      .map((stack) => ({ StackName: stack.StackName, StackStatus: stack.StackStatus }));
  }

  exportState(): CloudFormationState {
    return structuredClone({ stacks: this.stacks, changeSets: this.changeSets });
  }

  importState(state: unknown): void {
    const saved = (state ?? {}) as Partial<CloudFormationState>;
    this.stacks = structuredClone(saved.stacks ?? []);
    this.changeSets = structuredClone(saved.changeSets ?? []);
    for (const stack of this.stacks) {
      const settled = INTERRUPTED[stack.StackStatus];
      // No stateChanged() here: the other services may not have imported their state yet.
      if (settled) this.engine.stackStatus(stack, settled, 'The lambda-async-demo emulator stopped while this operation ran.', undefined, false);
    }
    for (const changeSet of this.changeSets) {
      if (changeSet.ExecutionStatus === 'EXECUTE_IN_PROGRESS') changeSet.ExecutionStatus = 'EXECUTE_FAILED';
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  // ------------------------------------------------------------------------------------------------ lookups

  /** A stack by name (live ones only: a deleted stack is found by its ARN alone, §6.4) or by ARN. */
  private findStack(nameOrId: string | undefined): StackRecord | undefined {
    if (!nameOrId) return undefined;
    if (nameOrId.startsWith('arn:')) return this.stacks.find((stack) => stack.StackId === nameOrId);
    return this.stacks.find((stack) => stack.StackName === nameOrId && stack.StackStatus !== 'DELETE_COMPLETE');
  }

  /** docs/aws-semantics.md §6.2 and §7.7: `aws cloudformation deploy` matches this exact text. */
  private stackWithId(nameOrId: string | undefined): StackRecord {
    const stack = this.findStack(nameOrId);
    if (!stack) throw validationError(`Stack with id ${nameOrId ?? ''} does not exist`);
    return stack;
  }

  /** DescribeStackEvents, DescribeChangeSet and UpdateStack word it differently (§6.2). */
  private stackInBrackets(nameOrId: string | undefined): StackRecord {
    const stack = this.findStack(nameOrId);
    if (!stack) throw validationError(`Stack [${nameOrId ?? ''}] does not exist`);
    return stack;
  }

  private findChangeSet(
    changeSetName: string | undefined,
    stackName: string | undefined,
    missingStack: (name: string) => StackRecord,
  ): ChangeSetRecord {
    const name = required(changeSetName, 'changeSetName');
    if (name.startsWith('arn:')) {
      const changeSet = this.changeSets.find((candidate) => candidate.ChangeSetId === name);
      if (!changeSet) throw new ServiceError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, { status: 404 });
      return changeSet;
    }
    if (!stackName) throw validationError('StackName must be specified if ChangeSetName is not specified as an ARN.');
    const stack = missingStack(stackName);
    const changeSet = this.listedChangeSets(stack).find((candidate) => candidate.ChangeSetName === name);
    if (!changeSet) throw new ServiceError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, { status: 404 });
    return changeSet;
  }

  /** The change sets a stack still lists: an executed one leaves the list (docs/aws-semantics.md §6.2). */
  private listedChangeSets(stack: { StackId: string }): ChangeSetRecord[] {
    return this.changeSets.filter((changeSet) => changeSet.StackId === stack.StackId && !changeSet.executed);
  }

  private exportedValue(name: string): string | undefined {
    for (const stack of this.stacks) {
      if (stack.StackStatus === 'DELETE_COMPLETE') continue;
      const output = stack.Outputs.find((candidate) => candidate.ExportName === name);
      if (output) return output.OutputValue;
    }
    return undefined;
  }

  private templateFrom(
    input: { TemplateBody?: string; TemplateURL?: string; UsePreviousTemplate?: boolean },
    stack?: StackRecord,
  ): { body: string; template: Template } {
    if (input.TemplateBody !== undefined && input.TemplateBody !== '') {
      if (Buffer.byteLength(input.TemplateBody, 'utf8') > MAX_TEMPLATE_BODY_BYTES) {
        throw validationError(
          "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200",
        );
      }
      return { body: input.TemplateBody, template: parseTemplate(input.TemplateBody) };
    }
    if (input.UsePreviousTemplate) {
      if (!stack?.template) throw validationError('UsePreviousTemplate can only be used on an existing stack.');
      return { body: stack.templateBody, template: stack.template };
    }
    if (input.TemplateURL) {
      throw validationError(
        'TemplateURL is not supported by the lambda-async-demo local emulator (it cannot read S3): pass the template as TemplateBody.',
      );
    }
    throw validationError('Either Template URL or Template Body must be specified.');
  }

  private newStack(name: string, fields: Partial<StackRecord>): StackRecord {
    const now = this.ctx.now();
    const stack: StackRecord = {
      StackId: `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.accountId}:stack/${name}/${randomUUID()}`,
      StackName: name,
      StackStatus: 'REVIEW_IN_PROGRESS',
      CreationTime: now,
      templateBody: '',
      parameters: {},
      Capabilities: [],
      DisableRollback: false,
      Tags: [],
      NotificationARNs: [],
      Outputs: [],
      resources: {},
      events: [],
      lastEventTime: now - 1,
      ...fields,
    };
    this.stacks.push(stack);
    return stack;
  }

  private checkUpdatable(stack: StackRecord): void {
    if (!UPDATABLE.has(stack.StackStatus)) {
      throw validationError(`Stack:${stack.StackId} is in ${stack.StackStatus} state and can not be updated.`);
    }
  }

  /** Whether an update would change nothing at all: no resource changes and the same template, parameters, tags. */
  private isNoOp(stack: StackRecord, plan: DeploymentPlan, changes: ResourceChange[], tags: Array<{ Key: string; Value: string }>): boolean {
    return (
      changes.length === 0 &&
      sameJson(stack.template, plan.template) &&
      sameJson(stack.parameters, plan.parameters) &&
      sameJson(stack.Tags, tags)
    );
  }

  /** Runs a stack operation to the end; nothing else mutates that stack meanwhile. */
  private async run(stack: StackRecord, work: () => Promise<void>): Promise<void> {
    const previous = this.running.get(stack.StackId);
    if (previous) await previous;
    const current = work().catch((error: unknown) => {
      // A bug must not leave the stack IN_PROGRESS forever.
      const settled = INTERRUPTED[stack.StackStatus];
      const message = error instanceof Error ? error.message : String(error);
      if (settled) this.engine.stackStatus(stack, settled, `Internal Failure: ${message}`);
    });
    this.running.set(stack.StackId, current);
    try {
      await current;
    } finally {
      if (this.running.get(stack.StackId) === current) this.running.delete(stack.StackId);
      if (stack.StackStatus === 'DELETE_COMPLETE') {
        // Deleting a stack deletes its change sets (a redeploy must never match an old one, §7.6).
        this.changeSets = this.changeSets.filter((changeSet) => changeSet.StackId !== stack.StackId);
      }
      this.ctx.stateChanged();
    }
  }

  // -------------------------------------------------------------------------------------------- templates

  private templateParameters(template: Template) {
    return Object.entries(template.Parameters ?? {}).map(([key, definition]) => ({
      key,
      definition,
      defaultValue:
        definition.Default === undefined || definition.Default === null
          ? undefined
          : Array.isArray(definition.Default)
            ? definition.Default.map(String).join(',')
            : String(definition.Default),
      noEcho: String(definition.NoEcho ?? 'false').toLowerCase() === 'true',
    }));
  }

  private capabilitiesOf(template: Template): { Capabilities?: string[]; CapabilitiesReason?: string } {
    const { capabilities, resourceTypes } = requiredCapabilities(template);
    if (capabilities.length === 0) return {};
    return {
      Capabilities: capabilities,
      CapabilitiesReason: `The following resource(s) require capabilities: [${resourceTypes.join(', ')}]`,
    };
  }

  private validateTemplate(input: ValidateTemplateInput): ValidateTemplateOutput {
    const { template } = this.templateFrom(input);
    validateTemplate(template, this.registry);
    return {
      Parameters: this.templateParameters(template).map((parameter) => ({
        ParameterKey: parameter.key,
        DefaultValue: parameter.defaultValue,
        NoEcho: parameter.noEcho,
        Description: parameter.definition.Description,
      })),
      Description: template.Description,
      ...this.capabilitiesOf(template),
      DeclaredTransforms: [],
    } as ValidateTemplateOutput;
  }

  private getTemplateSummary(input: GetTemplateSummaryInput): GetTemplateSummaryOutput {
    let template: Template;
    if (input.StackName) {
      const stack = this.stackWithId(input.StackName);
      template = stack.template ?? this.latestChangeSet(stack)?.template ?? parseTemplate(stack.templateBody);
    } else {
      template = this.templateFrom(input).template;
      validateTemplate(template, this.registry);
    }
    const resourcesByType = new Map<string, string[]>();
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      resourcesByType.set(resource.Type, [...(resourcesByType.get(resource.Type) ?? []), logicalId]);
    }
    return {
      Parameters: this.templateParameters(template).map((parameter) => ({
        ParameterKey: parameter.key,
        DefaultValue: parameter.defaultValue,
        ParameterType: parameter.definition.Type,
        NoEcho: parameter.noEcho,
        Description: parameter.definition.Description,
        ParameterConstraints: parameter.definition.AllowedValues ? { AllowedValues: parameter.definition.AllowedValues.map(String) } : {},
      })),
      Description: template.Description,
      ...this.capabilitiesOf(template),
      ResourceTypes: [...resourcesByType.keys()],
      Version: '2010-09-09',
      Metadata: template.Metadata === undefined ? undefined : JSON.stringify(template.Metadata),
      DeclaredTransforms: [],
      ResourceIdentifierSummaries: [...resourcesByType.entries()].map(([type, logicalIds]) => ({
        ResourceType: type,
        LogicalResourceIds: logicalIds,
      })),
    } as GetTemplateSummaryOutput;
  }

  private latestChangeSet(stack: StackRecord): ChangeSetRecord | undefined {
    return this.changeSets.filter((changeSet) => changeSet.StackId === stack.StackId).at(-1);
  }

  // ------------------------------------------------------------------------------------------- change sets

  private createChangeSet(input: CreateChangeSetInput): CreateChangeSetOutput {
    const stackName = required(input.StackName, 'stackName');
    const changeSetName = required(input.ChangeSetName, 'changeSetName');
    checkName(changeSetName, 'changeSetName');
    const type = String(input.ChangeSetType ?? 'UPDATE');
    if (type !== 'CREATE' && type !== 'UPDATE') {
      throw validationError(`ChangeSetType ${type} is not supported by the lambda-async-demo local emulator.`);
    }
    const existing = this.findStack(stackName);
    if (type === 'CREATE') {
      if (!stackName.startsWith('arn:')) checkName(stackName, 'stackName');
      // A stack still in REVIEW_IN_PROGRESS is reused, as AWS does.
      if (existing && existing.StackStatus !== 'REVIEW_IN_PROGRESS') {
        throw validationError(`Stack [${stackName}] already exists and cannot be created again with the changeSet [${changeSetName}].`);
      }
    } else {
      if (!existing) throw validationError(`Stack [${stackName}] does not exist`);
      this.checkUpdatable(existing);
    }
    if (existing && this.listedChangeSets(existing).some((changeSet) => changeSet.ChangeSetName === changeSetName)) {
      throw new ServiceError('AlreadyExistsException', `ChangeSet [${changeSetName}] already exists`);
    }

    const { body, template } = this.templateFrom(input, type === 'UPDATE' ? existing : undefined);
    const notificationARNs = input.NotificationARNs ?? [];
    const identity = existing ?? {
      StackName: stackName,
      StackId: `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.accountId}:stack/${stackName}/${randomUUID()}`,
      NotificationARNs: notificationARNs,
    };
    const given = parameterInputs(input.Parameters);
    const plan = this.engine.plan(template, body, identity, given, type === 'UPDATE' ? existing?.parameters : undefined);
    const capabilities = (input.Capabilities ?? []).map(String);
    checkCapabilities(template, capabilities);

    let stack = existing;
    if (!stack) {
      stack = this.newStack(stackName, { StackId: identity.StackId, NotificationARNs: notificationARNs });
      // docs/aws-semantics.md §6.4 and §7.6: a new change set makes the stack, in REVIEW_IN_PROGRESS.
      this.engine.stackStatus(stack, 'REVIEW_IN_PROGRESS', 'User Initiated');
    }
    const tags = 'Tags' in input ? tagList(input.Tags) : stack.Tags;
    const changes = this.engine.changes(type === 'CREATE' ? { ...stack, resources: {} } : stack, plan);
    const empty = type === 'UPDATE' && this.isNoOp(stack, plan, changes, tags);
    const changeSet: ChangeSetRecord = {
      ChangeSetId: `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.accountId}:changeSet/${changeSetName}/${randomUUID()}`,
      ChangeSetName: changeSetName,
      StackId: stack.StackId,
      StackName: stack.StackName,
      ChangeSetType: type,
      Description: input.Description,
      CreationTime: this.ctx.now(),
      // The set is computed at once, so it is CREATE_COMPLETE (or FAILED) on the first DescribeChangeSet (§7.6).
      Status: empty ? 'FAILED' : 'CREATE_COMPLETE',
      // docs/aws-semantics.md §7.8: clients match on this sentence.
      StatusReason: empty
        ? "The submitted information didn't contain changes. Submit different information to create a change set."
        : undefined,
      ExecutionStatus: empty ? 'UNAVAILABLE' : 'AVAILABLE',
      templateBody: body,
      template,
      parameters: plan.parameters,
      Capabilities: capabilities,
      Tags: tags,
      NotificationARNs: notificationARNs.length > 0 ? notificationARNs : stack.NotificationARNs,
      RoleARN: input.RoleARN,
      OnStackFailure: input.OnStackFailure,
      Changes: changes,
    };
    this.changeSets.push(changeSet);
    this.ctx.stateChanged();
    return { Id: changeSet.ChangeSetId, StackId: stack.StackId };
  }

  private maskedParameters(template: Template | undefined, values: Record<string, string>): Parameter[] {
    return Object.entries(values).map(([key, value]) => {
      const noEcho = String(template?.Parameters?.[key]?.NoEcho ?? 'false').toLowerCase() === 'true';
      return { ParameterKey: key, ParameterValue: noEcho ? '****' : value };
    });
  }

  private describeChangeSet(input: DescribeChangeSetInput): DescribeChangeSetOutput {
    const changeSet = this.findChangeSet(input.ChangeSetName, input.StackName, (name) => this.stackInBrackets(name));
    const { page, NextToken } = paginate(changeSet.Changes, input.NextToken);
    const parameters = this.maskedParameters(changeSet.template, changeSet.parameters);
    return {
      ChangeSetName: changeSet.ChangeSetName,
      ChangeSetId: changeSet.ChangeSetId,
      StackId: changeSet.StackId,
      StackName: changeSet.StackName,
      Description: changeSet.Description,
      Parameters: parameters.length > 0 ? parameters : undefined,
      CreationTime: new Date(changeSet.CreationTime),
      ExecutionStatus: changeSet.ExecutionStatus as ExecutionStatus,
      Status: changeSet.Status as ChangeSetStatus,
      StatusReason: changeSet.StatusReason,
      NotificationARNs: changeSet.NotificationARNs,
      RollbackConfiguration: {},
      Capabilities: changeSet.Capabilities as DescribeChangeSetOutput['Capabilities'],
      // No Tags key when none were given (test_changesets.snapshot.json, test_create_change_set_update_without_parameters).
      Tags: changeSet.Tags.length > 0 ? changeSet.Tags : undefined,
      Changes: page as Change[],
      NextToken,
      IncludeNestedStacks: false,
      OnStackFailure: changeSet.OnStackFailure as DescribeChangeSetOutput['OnStackFailure'],
    };
  }

  private listChangeSets(input: ListChangeSetsInput): ListChangeSetsOutput {
    const stack = this.stackWithId(required(input.StackName, 'stackName'));
    const summaries: ChangeSetSummary[] = this.listedChangeSets(stack).map((changeSet) => ({
        StackId: changeSet.StackId,
        StackName: changeSet.StackName,
        ChangeSetId: changeSet.ChangeSetId,
        ChangeSetName: changeSet.ChangeSetName,
        ExecutionStatus: changeSet.ExecutionStatus as ExecutionStatus,
        Status: changeSet.Status as ChangeSetStatus,
        StatusReason: changeSet.StatusReason,
        CreationTime: new Date(changeSet.CreationTime),
        Description: changeSet.Description,
        IncludeNestedStacks: false,
      }));
    const { page, NextToken } = paginate(summaries, input.NextToken);
    return { Summaries: page, NextToken };
  }

  private deleteChangeSet(input: DeleteChangeSetInput): Record<string, never> {
    // "Stack [nostack] does not exist" (test_changesets.snapshot.json, test_delete_change_set_exception).
    const changeSet = this.findChangeSet(input.ChangeSetName, input.StackName, (name) => this.stackInBrackets(name));
    if (changeSet.ExecutionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new ServiceError(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.ChangeSetId}] cannot be deleted in its current execution status of [EXECUTE_IN_PROGRESS]`,
      );
    }
    this.changeSets = this.changeSets.filter((candidate) => candidate !== changeSet);
    this.ctx.stateChanged();
    return {};
  }

  private async executeChangeSet(input: ExecuteChangeSetInput): Promise<Record<string, never>> {
    const changeSet = this.findChangeSet(input.ChangeSetName, input.StackName, (name) => this.stackWithId(name));
    if (changeSet.Status !== 'CREATE_COMPLETE') {
      // docs/aws-semantics.md §6.2
      throw new ServiceError(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.ChangeSetId}] cannot be executed in its current status of [${changeSet.Status}]`,
      );
    }
    if (changeSet.ExecutionStatus !== 'AVAILABLE') {
      throw new ServiceError(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.ChangeSetId}] cannot be executed in its current execution status of [${changeSet.ExecutionStatus}]`,
      );
    }
    const stack = this.stacks.find((candidate) => candidate.StackId === changeSet.StackId)!;
    if (changeSet.ChangeSetType === 'CREATE' && stack.StackStatus !== 'REVIEW_IN_PROGRESS') {
      throw validationError(`Stack:${stack.StackId} is in ${stack.StackStatus} state and can not be updated.`);
    }
    if (changeSet.ChangeSetType === 'UPDATE') this.checkUpdatable(stack);

    const given = Object.entries(changeSet.parameters).map(([key, value]) => ({ ParameterKey: key, ParameterValue: value }));
    const plan = this.engine.plan(changeSet.template, changeSet.templateBody, stack, given);
    const disableRollback = input.DisableRollback === true || changeSet.OnStackFailure === 'DO_NOTHING';
    const options = {
      disableRollback,
      deleteOnFailure: changeSet.OnStackFailure === 'DELETE' && !disableRollback,
      clientRequestToken: input.ClientRequestToken,
    };

    changeSet.ExecutionStatus = 'EXECUTE_IN_PROGRESS';
    // "When you execute a change set, CloudFormation deletes all other change sets associated with the stack"
    // (the ExecuteChangeSet API reference): they no longer describe the stack.
    this.changeSets = this.changeSets.filter((other) => other.StackId !== stack.StackId || other === changeSet);
    stack.ChangeSetId = changeSet.ChangeSetId;
    // A stack a change set created or updated reports when (UNVERIFIED(§6.3): the recorded AWS DescribeStacks after
    // an executed CREATE change set carries LastUpdatedTime; its exact value is masked in the recordings).
    stack.LastUpdatedTime = this.ctx.now();
    stack.Capabilities = changeSet.Capabilities;
    stack.Tags = changeSet.Tags;
    stack.NotificationARNs = changeSet.NotificationARNs;
    stack.RoleARN = changeSet.RoleARN ?? stack.RoleARN;
    // AWS is asynchronous; here the whole run finishes before the response so `deploy`'s first poll sees the end.
    await this.run(stack, () =>
      changeSet.ChangeSetType === 'CREATE' ? this.engine.create(stack, plan, options) : this.engine.update(stack, plan, options),
    );
    changeSet.ExecutionStatus = FAILED_STACK_STATUSES.has(stack.StackStatus) ? 'EXECUTE_FAILED' : 'EXECUTE_COMPLETE';
    changeSet.executed = true;
    this.ctx.stateChanged();
    return {};
  }

  // ------------------------------------------------------------------------------------------------ stacks

  private async createStack(input: CreateStackInput): Promise<CreateStackOutput> {
    const stackName = required(input.StackName, 'stackName');
    checkName(stackName, 'stackName');
    if (this.findStack(stackName)) {
      throw new ServiceError('AlreadyExistsException', `Stack [${stackName}] already exists`);
    }
    const onFailure = input.OnFailure as string | undefined;
    const disableRollbackFlag = input.DisableRollback;
    if (onFailure && disableRollbackFlag !== undefined) {
      throw validationError('You cannot specify both DisableRollback and OnFailure.');
    }
    const { body, template } = this.templateFrom(input);
    const notificationARNs = input.NotificationARNs ?? [];
    const identity = {
      StackName: stackName,
      StackId: `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.accountId}:stack/${stackName}/${randomUUID()}`,
      NotificationARNs: notificationARNs,
    };
    const plan = this.engine.plan(template, body, identity, parameterInputs(input.Parameters));
    const capabilities = (input.Capabilities ?? []).map(String);
    checkCapabilities(template, capabilities);
    const disableRollback = disableRollbackFlag === true || onFailure === 'DO_NOTHING';
    const stack = this.newStack(stackName, {
      StackId: identity.StackId,
      StackStatus: 'CREATE_IN_PROGRESS',
      Capabilities: capabilities,
      Tags: tagList(input.Tags),
      NotificationARNs: notificationARNs,
      RoleARN: input.RoleARN,
      DisableRollback: disableRollback,
    });
    await this.run(stack, () =>
      this.engine.create(stack, plan, {
        disableRollback,
        deleteOnFailure: onFailure === 'DELETE',
        clientRequestToken: input.ClientRequestToken,
      }),
    );
    return { StackId: stack.StackId };
  }

  private async updateStack(input: UpdateStackInput): Promise<UpdateStackOutput> {
    const stack = this.stackInBrackets(required(input.StackName, 'stackName'));
    this.checkUpdatable(stack);
    const { body, template } = this.templateFrom(input, stack);
    const plan = this.engine.plan(template, body, stack, parameterInputs(input.Parameters), stack.parameters);
    const capabilities = (input.Capabilities ?? []).map(String);
    checkCapabilities(template, capabilities);
    const tags = 'Tags' in input ? tagList(input.Tags) : stack.Tags;
    if (this.isNoOp(stack, plan, this.engine.changes(stack, plan), tags)) {
      // docs/aws-semantics.md §6.2
      throw validationError('No updates are to be performed.');
    }
    stack.Capabilities = capabilities;
    stack.Tags = tags;
    stack.ChangeSetId = undefined;
    if (input.RoleARN) stack.RoleARN = input.RoleARN;
    await this.run(stack, () =>
      this.engine.update(stack, plan, { disableRollback: input.DisableRollback === true, clientRequestToken: input.ClientRequestToken }),
    );
    return { StackId: stack.StackId };
  }

  /** DeleteStack has no output in the model: it answers nothing. */
  private async deleteStack(input: DeleteStackInput): Promise<void> {
    const stack = this.findStack(required(input.StackName, 'stackName'));
    // Deleting a stack that does not exist (or is gone already) succeeds silently.
    if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return;
    const retain = (input.RetainResources ?? []).map(String);
    if (retain.length > 0 && stack.StackStatus !== 'DELETE_FAILED') {
      throw validationError(
        `Invalid operation on stack [${stack.StackId}]. RetainResources may only be specified for a stack in the DELETE_FAILED state.`,
      );
    }
    await this.run(stack, async () => {
      if (stack.StackStatus !== 'DELETE_COMPLETE') await this.engine.delete(stack, { retain, token: input.ClientRequestToken });
    });
  }

  private describeStack(stack: StackRecord): Stack {
    const parameters = this.maskedParameters(stack.template, stack.parameters);
    return {
      StackId: stack.StackId,
      StackName: stack.StackName,
      // A deleted stack (described by its id) has neither ChangeSetId nor EnableTerminationProtection (LocalStack's
      // AWS-validated test_stacks.snapshot.json: test_stack_lifecycle, test_name_conflicts).
      ChangeSetId: stack.StackStatus === 'DELETE_COMPLETE' ? undefined : stack.ChangeSetId,
      Description: stack.Description,
      Parameters: parameters.length > 0 ? parameters : undefined,
      CreationTime: new Date(stack.CreationTime),
      DeletionTime: date(stack.DeletionTime),
      LastUpdatedTime: date(stack.LastUpdatedTime),
      RollbackConfiguration: {},
      StackStatus: stack.StackStatus as StackStatus,
      StackStatusReason: stack.StackStatusReason,
      DisableRollback: stack.DisableRollback,
      NotificationARNs: stack.NotificationARNs,
      Capabilities: stack.Capabilities.length > 0 ? (stack.Capabilities as Stack['Capabilities']) : undefined,
      Outputs: stack.Outputs.length > 0 ? stack.Outputs : undefined,
      RoleARN: stack.RoleARN,
      Tags: stack.Tags,
      EnableTerminationProtection: stack.StackStatus === 'DELETE_COMPLETE' ? undefined : false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
  }

  private describeStacks(input: DescribeStacksInput): DescribeStacksOutput {
    if (input.StackName) return { Stacks: [this.describeStack(this.stackWithId(input.StackName))] };
    const live = this.stacks.filter((stack) => stack.StackStatus !== 'DELETE_COMPLETE').reverse();
    const { page, NextToken } = paginate(live, input.NextToken);
    return { Stacks: page.map((stack) => this.describeStack(stack)), NextToken };
  }

  private describeStackEvents(input: DescribeStackEventsInput): DescribeStackEventsOutput {
    const stack = this.stackInBrackets(required(input.StackName, 'stackName'));
    const newestFirst = [...stack.events].reverse();
    const { page, NextToken } = paginate(newestFirst, input.NextToken);
    const events: StackEvent[] = page.map((event) => ({
      StackId: stack.StackId,
      EventId: event.EventId,
      StackName: stack.StackName,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: event.PhysicalResourceId,
      ResourceType: event.ResourceType,
      Timestamp: new Date(event.Timestamp),
      ResourceStatus: event.ResourceStatus as ResourceStatus,
      ResourceStatusReason: event.ResourceStatusReason,
      ResourceProperties: event.ResourceProperties,
      ClientRequestToken: event.ClientRequestToken,
    }));
    return { StackEvents: events, NextToken };
  }

  private stackResource(stack: StackRecord, record: StackResourceRecord): StackResource {
    return {
      StackName: stack.StackName,
      StackId: stack.StackId,
      LogicalResourceId: record.LogicalResourceId,
      PhysicalResourceId: record.PhysicalResourceId,
      ResourceType: record.ResourceType,
      Timestamp: new Date(record.Timestamp),
      ResourceStatus: record.ResourceStatus as ResourceStatus,
      ResourceStatusReason: record.ResourceStatusReason,
      Description: record.Description,
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    };
  }

  private describeStackResource(input: DescribeStackResourceInput): DescribeStackResourceOutput {
    const stack = this.stackWithId(required(input.StackName, 'stackName'));
    const logicalId = required(input.LogicalResourceId, 'logicalResourceId');
    const record = stack.resources[logicalId];
    if (!record) throw validationError(`Resource ${logicalId} does not exist for stack ${stack.StackName}`);
    const { Timestamp, ...rest } = this.stackResource(stack, record);
    return { StackResourceDetail: { ...rest, LastUpdatedTimestamp: Timestamp, Metadata: record.Metadata } };
  }

  private describeStackResources(input: DescribeStackResourcesInput): DescribeStackResourcesOutput {
    let stack: StackRecord;
    if (input.StackName) {
      stack = this.stackWithId(input.StackName);
    } else if (input.PhysicalResourceId) {
      const physicalId = input.PhysicalResourceId;
      const owner = [...this.stacks]
        .reverse()
        .find((candidate) => Object.values(candidate.resources).some((record) => record.PhysicalResourceId === physicalId));
      if (!owner) throw validationError(`Stack for ${physicalId} does not exist`);
      stack = owner;
    } else {
      throw validationError('Either StackName or PhysicalResourceId must be specified.');
    }
    const records = Object.values(stack.resources).filter(
      (record) => !input.LogicalResourceId || record.LogicalResourceId === input.LogicalResourceId,
    );
    return { StackResources: records.map((record) => this.stackResource(stack, record)) };
  }

  private listStackResources(input: ListStackResourcesInput): ListStackResourcesOutput {
    const stack = this.stackWithId(required(input.StackName, 'stackName'));
    const { page, NextToken } = paginate(Object.values(stack.resources), input.NextToken);
    return {
      StackResourceSummaries: page.map((record) => ({
        LogicalResourceId: record.LogicalResourceId,
        PhysicalResourceId: record.PhysicalResourceId,
        ResourceType: record.ResourceType,
        LastUpdatedTimestamp: new Date(record.Timestamp),
        ResourceStatus: record.ResourceStatus as ResourceStatus,
        ResourceStatusReason: record.ResourceStatusReason,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken,
    };
  }

  private listStacks(input: ListStacksInput): ListStacksOutput {
    const filter = (input.StackStatusFilter ?? []).map(String);
    // Deleted stacks stay listed, as DELETE_COMPLETE (§6.3).
    const matching = [...this.stacks].reverse().filter((stack) => filter.length === 0 || filter.includes(stack.StackStatus));
    const { page, NextToken } = paginate(matching, input.NextToken);
    return {
      StackSummaries: page.map((stack) => ({
        StackId: stack.StackId,
        StackName: stack.StackName,
        TemplateDescription: stack.Description,
        CreationTime: new Date(stack.CreationTime),
        LastUpdatedTime: date(stack.LastUpdatedTime),
        DeletionTime: date(stack.DeletionTime),
        StackStatus: stack.StackStatus as StackStatus,
        StackStatusReason: stack.StackStatusReason,
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken,
    };
  }

  private getTemplate(input: GetTemplateInput): GetTemplateOutput {
    const stack = this.stackWithId(required(input.StackName, 'stackName'));
    let body = stack.templateBody;
    if (input.ChangeSetName) {
      body = this.findChangeSet(input.ChangeSetName, stack.StackId, (name) => this.stackWithId(name)).templateBody;
    } else if (!stack.template) {
      // A stack still in review has no template of its own yet: its change set's is the one it will get.
      body = this.latestChangeSet(stack)?.templateBody ?? body;
    }
    // The original text, byte for byte: YAML stays YAML.
    return { TemplateBody: body, StagesAvailable: ['Original', 'Processed'] };
  }
}

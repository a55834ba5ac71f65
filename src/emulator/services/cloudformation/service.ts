// CloudFormation's API: the operations on stacks and change sets, with AWS's exact errors, that run the engine to
// completion before answering (so a client's first poll already sees the final status).
import type {
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
  UpdateStackInput,
  UpdateStackOutput,
  ValidateTemplateInput,
  ValidateTemplateOutput,
} from '@aws-sdk/client-cloudformation';
import { randomUUID } from 'node:crypto';
import type { EmulatorContext, Service } from '../../context.js';
import { ServiceError } from '../../errors.js';
import { checkName, paginate, parameterInputs, required, tagList, templateFrom } from './inputs.js';
import type { ChangeSetRecord, DeploymentPlan, ResourceChange, StackRecord } from './records.js';
import { defaultResourceRegistry, type ResourceRegistry } from './resources.js';
import { sameJson, validationError } from './shared.js';
import { StackEngine } from './stack-runner.js';
import { StackStore } from './store.js';
import { checkCapabilities, validateTemplate } from './template-checks.js';
import { parseTemplate, type Template } from './template.js';
import {
  changeSetDescription,
  changeSetSummary,
  resourceSummary,
  stackDescription,
  stackEvent,
  stackResource,
  stackSummary,
  templateSummary,
  templateValidation,
} from './views.js';

interface CloudFormationState {
  stacks: StackRecord[];
  changeSets: ChangeSetRecord[];
}

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

// -------------------------------------------------------------------------------------------------- service

export class CloudFormationService implements Service {
  private readonly store: StackStore;
  /** The operation each stack is running, so a DeleteStack waits for it instead of racing it. */
  private running = new Map<string, Promise<void>>();
  private readonly engine: StackEngine;

  constructor(
    protected readonly ctx: EmulatorContext,
    private readonly registry: ResourceRegistry = defaultResourceRegistry,
  ) {
    this.store = new StackStore(ctx);
    this.engine = new StackEngine({ ctx, registry, exportedValue: (name) => this.store.exportedValue(name) });
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
    return this.store.stacks
      .filter((stack) => stack.StackStatus !== 'DELETE_COMPLETE')
      .map((stack) => ({ StackName: stack.StackName, StackStatus: stack.StackStatus }));
  }

  exportState(): CloudFormationState {
    return structuredClone({ stacks: this.store.stacks, changeSets: this.store.changeSets });
  }

  importState(state: unknown): void {
    const saved = (state ?? {}) as Partial<CloudFormationState>;
    this.store.stacks = structuredClone(saved.stacks ?? []);
    this.store.changeSets = structuredClone(saved.changeSets ?? []);
    for (const stack of this.store.stacks) {
      const settled = INTERRUPTED[stack.StackStatus];
      // No stateChanged() here: the other services may not have imported their state yet.
      if (settled) this.engine.stackStatus(stack, settled, 'The lambda-async-demo emulator stopped while this operation ran.', undefined, false);
    }
    for (const changeSet of this.store.changeSets) {
      if (changeSet.ExecutionStatus === 'EXECUTE_IN_PROGRESS') changeSet.ExecutionStatus = 'EXECUTE_FAILED';
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
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
        this.store.changeSets = this.store.changeSets.filter((changeSet) => changeSet.StackId !== stack.StackId);
      }
      this.ctx.stateChanged();
    }
  }

  // -------------------------------------------------------------------------------------------- templates

  private validateTemplate(input: ValidateTemplateInput): ValidateTemplateOutput {
    const { template } = templateFrom(input);
    validateTemplate(template, this.registry);
    return templateValidation(template);
  }

  private getTemplateSummary(input: GetTemplateSummaryInput): GetTemplateSummaryOutput {
    let template: Template;
    if (input.StackName) {
      const stack = this.store.stackWithId(input.StackName);
      template = stack.template ?? this.store.latestChangeSet(stack)?.template ?? parseTemplate(stack.templateBody);
    } else {
      template = templateFrom(input).template;
      validateTemplate(template, this.registry);
    }
    return templateSummary(template);
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
    const existing = this.store.findStack(stackName);
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
    if (existing && this.store.listedChangeSets(existing).some((changeSet) => changeSet.ChangeSetName === changeSetName)) {
      throw new ServiceError('AlreadyExistsException', `ChangeSet [${changeSetName}] already exists`);
    }

    const { body, template } = templateFrom(input, type === 'UPDATE' ? existing : undefined);
    const notificationARNs = input.NotificationARNs ?? [];
    const identity = existing ?? {
      StackName: stackName,
      StackId: this.store.newStackId(stackName),
      NotificationARNs: notificationARNs,
    };
    const given = parameterInputs(input.Parameters);
    const plan = this.engine.plan(template, body, identity, given, type === 'UPDATE' ? existing?.parameters : undefined);
    const capabilities = (input.Capabilities ?? []).map(String);
    checkCapabilities(template, capabilities);

    let stack = existing;
    if (!stack) {
      stack = this.store.newStack(stackName, { StackId: identity.StackId, NotificationARNs: notificationARNs });
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
    this.store.changeSets.push(changeSet);
    this.ctx.stateChanged();
    return { Id: changeSet.ChangeSetId, StackId: stack.StackId };
  }

  private describeChangeSet(input: DescribeChangeSetInput): DescribeChangeSetOutput {
    const changeSet = this.store.findChangeSet(input.ChangeSetName, input.StackName, (name) => this.store.stackInBrackets(name));
    const { page, NextToken } = paginate(changeSet.Changes, input.NextToken);
    return changeSetDescription(changeSet, { page, NextToken });
  }

  private listChangeSets(input: ListChangeSetsInput): ListChangeSetsOutput {
    const stack = this.store.stackWithId(required(input.StackName, 'stackName'));
    const summaries = this.store.listedChangeSets(stack).map(changeSetSummary);
    const { page, NextToken } = paginate(summaries, input.NextToken);
    return { Summaries: page, NextToken };
  }

  private deleteChangeSet(input: DeleteChangeSetInput): Record<string, never> {
    // "Stack [nostack] does not exist" (test_changesets.snapshot.json, test_delete_change_set_exception).
    const changeSet = this.store.findChangeSet(input.ChangeSetName, input.StackName, (name) => this.store.stackInBrackets(name));
    if (changeSet.ExecutionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new ServiceError(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.ChangeSetId}] cannot be deleted in its current execution status of [EXECUTE_IN_PROGRESS]`,
      );
    }
    this.store.changeSets = this.store.changeSets.filter((candidate) => candidate !== changeSet);
    this.ctx.stateChanged();
    return {};
  }

  private async executeChangeSet(input: ExecuteChangeSetInput): Promise<Record<string, never>> {
    const changeSet = this.store.findChangeSet(input.ChangeSetName, input.StackName, (name) => this.store.stackWithId(name));
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
    const stack = this.store.stacks.find((candidate) => candidate.StackId === changeSet.StackId)!;
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
    this.store.changeSets = this.store.changeSets.filter((other) => other.StackId !== stack.StackId || other === changeSet);
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
    if (this.store.findStack(stackName)) {
      throw new ServiceError('AlreadyExistsException', `Stack [${stackName}] already exists`);
    }
    const onFailure = input.OnFailure as string | undefined;
    const disableRollbackFlag = input.DisableRollback;
    if (onFailure && disableRollbackFlag !== undefined) {
      throw validationError('You cannot specify both DisableRollback and OnFailure.');
    }
    const { body, template } = templateFrom(input);
    const notificationARNs = input.NotificationARNs ?? [];
    const identity = {
      StackName: stackName,
      StackId: this.store.newStackId(stackName),
      NotificationARNs: notificationARNs,
    };
    const plan = this.engine.plan(template, body, identity, parameterInputs(input.Parameters));
    const capabilities = (input.Capabilities ?? []).map(String);
    checkCapabilities(template, capabilities);
    const disableRollback = disableRollbackFlag === true || onFailure === 'DO_NOTHING';
    const stack = this.store.newStack(stackName, {
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
    const stack = this.store.stackInBrackets(required(input.StackName, 'stackName'));
    this.checkUpdatable(stack);
    const { body, template } = templateFrom(input, stack);
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
    const stack = this.store.findStack(required(input.StackName, 'stackName'));
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

  private describeStacks(input: DescribeStacksInput): DescribeStacksOutput {
    if (input.StackName) return { Stacks: [stackDescription(this.store.stackWithId(input.StackName))] };
    const live = this.store.stacks.filter((stack) => stack.StackStatus !== 'DELETE_COMPLETE').reverse();
    const { page, NextToken } = paginate(live, input.NextToken);
    return { Stacks: page.map(stackDescription), NextToken };
  }

  private describeStackEvents(input: DescribeStackEventsInput): DescribeStackEventsOutput {
    const stack = this.store.stackInBrackets(required(input.StackName, 'stackName'));
    const newestFirst = [...stack.events].reverse();
    const { page, NextToken } = paginate(newestFirst, input.NextToken);
    return { StackEvents: page.map((event) => stackEvent(stack, event)), NextToken };
  }

  private describeStackResource(input: DescribeStackResourceInput): DescribeStackResourceOutput {
    const stack = this.store.stackWithId(required(input.StackName, 'stackName'));
    const logicalId = required(input.LogicalResourceId, 'logicalResourceId');
    const record = stack.resources[logicalId];
    if (!record) throw validationError(`Resource ${logicalId} does not exist for stack ${stack.StackName}`);
    const { Timestamp, ...rest } = stackResource(stack, record);
    return { StackResourceDetail: { ...rest, LastUpdatedTimestamp: Timestamp, Metadata: record.Metadata } };
  }

  private describeStackResources(input: DescribeStackResourcesInput): DescribeStackResourcesOutput {
    let stack: StackRecord;
    if (input.StackName) {
      stack = this.store.stackWithId(input.StackName);
    } else if (input.PhysicalResourceId) {
      const physicalId = input.PhysicalResourceId;
      const owner = [...this.store.stacks]
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
    return { StackResources: records.map((record) => stackResource(stack, record)) };
  }

  private listStackResources(input: ListStackResourcesInput): ListStackResourcesOutput {
    const stack = this.store.stackWithId(required(input.StackName, 'stackName'));
    const { page, NextToken } = paginate(Object.values(stack.resources), input.NextToken);
    return {
      StackResourceSummaries: page.map(resourceSummary),
      NextToken,
    };
  }

  private listStacks(input: ListStacksInput): ListStacksOutput {
    const filter = (input.StackStatusFilter ?? []).map(String);
    // Deleted stacks stay listed, as DELETE_COMPLETE (§6.3).
    const matching = [...this.store.stacks].reverse().filter((stack) => filter.length === 0 || filter.includes(stack.StackStatus));
    const { page, NextToken } = paginate(matching, input.NextToken);
    return {
      StackSummaries: page.map(stackSummary),
      NextToken,
    };
  }

  private getTemplate(input: GetTemplateInput): GetTemplateOutput {
    const stack = this.store.stackWithId(required(input.StackName, 'stackName'));
    let body = stack.templateBody;
    if (input.ChangeSetName) {
      body = this.store.findChangeSet(input.ChangeSetName, stack.StackId, (name) => this.store.stackWithId(name)).templateBody;
    } else if (!stack.template) {
      // A stack still in review has no template of its own yet: its change set's is the one it will get.
      body = this.store.latestChangeSet(stack)?.templateBody ?? body;
    }
    // The original text, byte for byte: YAML stays YAML.
    return { TemplateBody: body, StagesAvailable: ['Original', 'Processed'] };
  }
}

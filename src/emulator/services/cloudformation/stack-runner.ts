// CloudFormation's stack runner: the create, update and delete runs that provision resources in dependency order
// and walk a stack through AWS's statuses and events, rolling back on failure.
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../../context.js';
import { isServiceError } from '../../errors.js';
import { changedNames, resourceChanges } from './changes.js';
import { NO_VALUE, resolveValue } from './intrinsics.js';
import { planDeployment, stackScope, type EngineOptions } from './plan.js';
import {
  STACK_RESOURCE_TYPE,
  isLive,
  provisioned,
  type DeploymentPlan,
  type ParameterInput,
  type ResourceChange,
  type StackOutputRecord,
  type StackRecord,
  type StackResourceRecord,
} from './records.js';
import { ResourceFailure, type HandlerContext, type Properties, type ResourceHandler } from './resources.js';
import { isRecord, sameJson } from './shared.js';
import type { Template } from './template.js';

export interface RunOptions {
  disableRollback: boolean;
  /** CreateStack's OnFailure / CreateChangeSet's OnStackFailure DELETE: delete the stack after rolling back. */
  deleteOnFailure?: boolean;
  clientRequestToken?: string;
}

const HANDLER_ERROR_CODES: Array<[RegExp, string]> = [
  [/AlreadyExist|Conflict|QueueNameExists|EntityAlreadyExists/i, 'AlreadyExists'],
  [/NotFound|NoSuchEntity|DoesNotExist/i, 'NotFound'],
  [/AccessDenied/i, 'AccessDenied'],
  [/Throttl|TooManyRequests/i, 'Throttling'],
  [/LimitExceeded/i, 'ServiceLimitExceeded'],
];

/** The reason a failed resource shows, in AWS's Cloud Control wording for errors the service returned. */
export function failureReason(error: unknown): string {
  if (error instanceof ResourceFailure) return error.message;
  if (isServiceError(error)) {
    const code = HANDLER_ERROR_CODES.find(([pattern]) => pattern.test(error.code))?.[1] ?? 'InvalidRequest';
    return `Resource handler returned message: "${error.message}" (RequestToken: ${randomUUID()}, HandlerErrorCode: ${code})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Internal Failure: ${message}`;
}

function unsupportedType(type: string): ResourceFailure {
  return new ResourceFailure(`Resource type ${type} is not supported by the lambda-async-demo local emulator`);
}

export class StackEngine {
  constructor(private readonly options: EngineOptions) {}

  private get ctx(): EmulatorContext {
    return this.options.ctx;
  }

  /** Validates a template with its inputs and computes everything the runs need; throws ValidationError. */
  plan(
    template: Template,
    templateBody: string,
    stack: Pick<StackRecord, 'StackName' | 'StackId' | 'NotificationARNs'>,
    given: ParameterInput[],
    previous?: Record<string, string>,
  ): DeploymentPlan {
    return planDeployment(this.options, template, templateBody, stack, given, previous);
  }

  /** The resource changes executing `plan` would make, as DescribeChangeSet lists them. */
  changes(stack: StackRecord, plan: DeploymentPlan): ResourceChange[] {
    return resourceChanges(this.options, stack, plan);
  }

  // ---------------------------------------------------------------------------------------- events, statuses

  private tick(stack: StackRecord): number {
    stack.lastEventTime = Math.max(this.ctx.now(), stack.lastEventTime + 1);
    return stack.lastEventTime;
  }

  /** Moves the stack to `status` and records the stack's own event (LogicalResourceId = stack name). */
  stackStatus(stack: StackRecord, status: string, reason?: string, token?: string, notify = true): void {
    const timestamp = this.tick(stack);
    stack.StackStatus = status;
    stack.StackStatusReason = reason;
    stack.events.push({
      EventId: randomUUID(),
      LogicalResourceId: stack.StackName,
      PhysicalResourceId: stack.StackId,
      ResourceType: STACK_RESOURCE_TYPE,
      Timestamp: timestamp,
      ResourceStatus: status,
      ResourceStatusReason: reason,
      ClientRequestToken: token,
    });
    if (notify) this.ctx.stateChanged();
  }

  private resourceStatus(
    stack: StackRecord,
    record: StackResourceRecord,
    status: string,
    options: { reason?: string; physicalId?: string; properties?: unknown; token?: string } = {},
  ): void {
    const timestamp = this.tick(stack);
    record.ResourceStatus = status;
    record.ResourceStatusReason = options.reason;
    record.Timestamp = timestamp;
    stack.events.push({
      // AWS's resource event ids read <LogicalId>-<STATUS>-<ISO time>; the strictly later clock keeps them distinct.
      EventId: `${record.LogicalResourceId}-${status}-${new Date(timestamp).toISOString()}`,
      LogicalResourceId: record.LogicalResourceId,
      PhysicalResourceId: options.physicalId ?? record.PhysicalResourceId ?? '',
      ResourceType: record.ResourceType,
      Timestamp: timestamp,
      ResourceStatus: status,
      ResourceStatusReason: options.reason,
      ResourceProperties: options.properties === undefined ? undefined : JSON.stringify(options.properties),
      ClientRequestToken: options.token,
    });
    this.ctx.stateChanged();
  }

  private handlerContext(stack: StackRecord, logicalId: string): HandlerContext {
    return { ctx: this.ctx, stackName: stack.StackName, stackId: stack.StackId, logicalId };
  }

  private resolveProperties(stack: StackRecord, plan: DeploymentPlan, logicalId: string): Properties {
    const definition = plan.template.Resources[logicalId]!;
    const resolved = resolveValue(definition.Properties ?? {}, stackScope(this.options, stack, plan, false));
    return (resolved ?? {}) as Properties;
  }

  private requireHandler(type: string, logicalId: string, properties: Properties): ResourceHandler {
    const handler = Object.hasOwn(this.options.registry, type) ? this.options.registry[type] : undefined;
    if (!handler) throw unsupportedType(type);
    const missing = handler.requiredProperties.filter((name) => properties[name] === undefined);
    if (missing.length > 0) {
      throw new ResourceFailure(
        `Properties validation failed for resource ${logicalId} with message: ` +
          `[${missing.map((name) => `#: required key [${name}] not found`).join(', ')}]`,
      );
    }
    return handler;
  }

  /** Creates one resource with AWS's three events; returns false (resource CREATE_FAILED) on failure. */
  private async createResource(stack: StackRecord, plan: DeploymentPlan, logicalId: string, token?: string): Promise<boolean> {
    const definition = plan.template.Resources[logicalId]!;
    const record: StackResourceRecord = {
      LogicalResourceId: logicalId,
      ResourceType: definition.Type,
      ResourceStatus: 'CREATE_IN_PROGRESS',
      Timestamp: 0,
      DeletionPolicy: definition.DeletionPolicy,
      Metadata: definition.Metadata === undefined ? undefined : JSON.stringify(definition.Metadata),
    };
    stack.resources[logicalId] = record;
    let properties: Properties | undefined;
    try {
      properties = this.resolveProperties(stack, plan, logicalId);
    } catch (error) {
      this.resourceStatus(stack, record, 'CREATE_IN_PROGRESS', { physicalId: '', token });
      this.resourceStatus(stack, record, 'CREATE_FAILED', { reason: failureReason(error), token });
      return false;
    }
    this.resourceStatus(stack, record, 'CREATE_IN_PROGRESS', { physicalId: '', properties, token });
    try {
      const handler = this.requireHandler(definition.Type, logicalId, properties);
      const created = await handler.create(properties, this.handlerContext(stack, logicalId));
      record.PhysicalResourceId = created.physicalId;
      record.attributes = created.attributes;
      record.properties = properties;
      this.resourceStatus(stack, record, 'CREATE_IN_PROGRESS', { reason: 'Resource creation Initiated', properties, token });
      this.resourceStatus(stack, record, 'CREATE_COMPLETE', { properties, token });
      return true;
    } catch (error) {
      this.resourceStatus(stack, record, 'CREATE_FAILED', { reason: failureReason(error), properties, token });
      return false;
    }
  }

  /** Deletes one resource (DeletionPolicy Retain skips it); returns false (DELETE_FAILED) on failure. */
  private async deleteResource(stack: StackRecord, record: StackResourceRecord, token?: string): Promise<boolean> {
    if (record.ResourceStatus === 'DELETE_COMPLETE' || record.ResourceStatus === 'DELETE_SKIPPED') return true;
    if (!isLive(record)) {
      // Never created (failed or not attempted): nothing to remove, but AWS still reports it gone.
      this.resourceStatus(stack, record, 'DELETE_COMPLETE', { token });
      return true;
    }
    if (record.DeletionPolicy === 'Retain' || record.DeletionPolicy === 'RetainExceptOnCreate') {
      this.resourceStatus(stack, record, 'DELETE_SKIPPED', { token });
      return true;
    }
    this.resourceStatus(stack, record, 'DELETE_IN_PROGRESS', { token });
    try {
      const handler = this.options.registry[record.ResourceType];
      if (handler) await handler.delete(provisioned(record), record.properties ?? {}, this.handlerContext(stack, record.LogicalResourceId));
      this.resourceStatus(stack, record, 'DELETE_COMPLETE', { token });
      return true;
    } catch (error) {
      this.resourceStatus(stack, record, 'DELETE_FAILED', { reason: failureReason(error), token });
      return false;
    }
  }

  /** Deletes records in reverse dependency order; returns the logical ids that failed. */
  private async deleteAll(stack: StackRecord, records: StackResourceRecord[], token?: string): Promise<string[]> {
    const failed: string[] = [];
    for (const record of this.reverseDependencyOrder(stack, records)) {
      if (!(await this.deleteResource(stack, record, token))) failed.push(record.LogicalResourceId);
    }
    return failed;
  }

  private reverseDependencyOrder(stack: StackRecord, records: StackResourceRecord[]): StackResourceRecord[] {
    let order: string[] = Object.keys(stack.resources);
    if (stack.template) {
      try {
        const previous = Object.keys(stack.parameters).map((key) => ({ ParameterKey: key, UsePreviousValue: true }));
        const plan = this.plan(stack.template, stack.templateBody, stack, previous, stack.parameters);
        // Resources the template no longer names (left over by a failed update) go first.
        order = [...order.filter((logicalId) => !plan.order.includes(logicalId)), ...plan.order];
      } catch {
        // Creation order is the next best thing when the stored template no longer plans.
      }
    }
    const rank = new Map(order.map((logicalId, index) => [logicalId, index]));
    return [...records].sort((a, b) => (rank.get(b.LogicalResourceId) ?? -1) - (rank.get(a.LogicalResourceId) ?? -1));
  }

  private outputs(stack: StackRecord, plan: DeploymentPlan): StackOutputRecord[] {
    const scope = stackScope(this.options, stack, plan, false);
    const outputs: StackOutputRecord[] = [];
    for (const [key, output] of Object.entries(plan.template.Outputs ?? {})) {
      if (output.Condition !== undefined && !plan.conditions[output.Condition]) continue;
      const value = resolveValue(output.Value, scope);
      if (value === NO_VALUE) continue;
      const exportName = output.Export ? resolveValue(output.Export.Name, scope) : undefined;
      outputs.push({
        OutputKey: key,
        OutputValue: Array.isArray(value) ? value.map(String).join(',') : isRecord(value) ? JSON.stringify(value) : String(value),
        Description: output.Description,
        ExportName: exportName === undefined ? undefined : String(exportName),
      });
    }
    return outputs;
  }

  private adopt(stack: StackRecord, plan: DeploymentPlan): void {
    stack.template = plan.template;
    stack.templateBody = plan.templateBody;
    stack.parameters = plan.parameters;
    stack.Description = plan.template.Description;
  }

  // ------------------------------------------------------------------------------------------------- runs

  /** CREATE_IN_PROGRESS -> CREATE_COMPLETE, or the failure path (rollback, or CREATE_FAILED kept as is). */
  async create(stack: StackRecord, plan: DeploymentPlan, options: RunOptions): Promise<void> {
    const token = options.clientRequestToken;
    this.adopt(stack, plan);
    stack.DisableRollback = options.disableRollback;
    this.stackStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated', token);
    const failed: string[] = [];
    for (const logicalId of plan.order) {
      if (!(await this.createResource(stack, plan, logicalId, token))) {
        failed.push(logicalId);
        break;
      }
    }
    let outputFailure: string | undefined;
    if (failed.length === 0) {
      try {
        stack.Outputs = this.outputs(stack, plan);
      } catch (error) {
        outputFailure = failureReason(error);
      }
    }
    if (failed.length === 0 && !outputFailure) {
      this.stackStatus(stack, 'CREATE_COMPLETE', undefined, token);
      return;
    }
    const cause = outputFailure ?? `The following resource(s) failed to create: [${failed.join(', ')}].`;
    if (options.disableRollback) {
      // docs/aws-semantics.md §6.4: with rollback disabled the stack stays CREATE_FAILED, resources kept.
      this.stackStatus(stack, 'CREATE_FAILED', `${cause} `, token);
      return;
    }
    this.stackStatus(stack, 'ROLLBACK_IN_PROGRESS', `${cause} Rollback requested by user.`, token);
    stack.Outputs = [];
    const notDeleted = await this.deleteAll(stack, Object.values(stack.resources), token);
    if (notDeleted.length > 0) {
      this.stackStatus(stack, 'ROLLBACK_FAILED', `The following resource(s) failed to delete: [${notDeleted.join(', ')}]. `, token);
      return;
    }
    this.stackStatus(stack, 'ROLLBACK_COMPLETE', undefined, token);
    if (options.deleteOnFailure) await this.delete(stack, { token });
  }

  /**
   * UPDATE_IN_PROGRESS -> UPDATE_COMPLETE_CLEANUP_IN_PROGRESS -> UPDATE_COMPLETE. Replaced and removed resources are
   * deleted in the cleanup phase; a failure rolls every touched resource back (or stops at UPDATE_FAILED).
   */
  async update(stack: StackRecord, plan: DeploymentPlan, options: RunOptions): Promise<void> {
    const token = options.clientRequestToken;
    const before = structuredClone({
      template: stack.template,
      templateBody: stack.templateBody,
      parameters: stack.parameters,
      Description: stack.Description,
      Outputs: stack.Outputs,
    });
    const previousRecords = new Map(Object.entries(stack.resources).map(([logicalId, record]) => [logicalId, structuredClone(record)]));
    stack.LastUpdatedTime = this.ctx.now();
    stack.DisableRollback = options.disableRollback;
    this.stackStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated', token);

    // Old physical resources to delete once the new ones are in place, and what to undo on failure.
    const superseded: StackResourceRecord[] = [];
    const touched: Array<{ logicalId: string; kind: 'created' | 'updated' | 'replaced' | 'failed' }> = [];
    let failedId: string | undefined;
    let failedVerb = 'update';
    for (const logicalId of plan.order) {
      const definition = plan.template.Resources[logicalId]!;
      const record = stack.resources[logicalId];
      if (!isLive(record)) {
        touched.push({ logicalId, kind: 'created' });
        if (!(await this.createResource(stack, plan, logicalId, token))) {
          failedId = logicalId;
          failedVerb = 'create';
          break;
        }
        continue;
      }
      const outcome = await this.updateResource(stack, plan, logicalId, definition.Type, record, token);
      if (outcome === 'unchanged') continue;
      if (outcome === 'failed') {
        failedId = logicalId;
        break;
      }
      touched.push({ logicalId, kind: outcome });
      if (outcome === 'replaced') superseded.push(previousRecords.get(logicalId)!);
    }

    let outputs: StackOutputRecord[] | undefined;
    let outputFailure: string | undefined;
    if (failedId === undefined) {
      try {
        outputs = this.outputs(stack, plan);
      } catch (error) {
        outputFailure = failureReason(error);
      }
    }

    if (failedId === undefined && !outputFailure) {
      this.adopt(stack, plan);
      stack.Outputs = outputs ?? [];
      this.stackStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', undefined, token);
      const removed = Object.values(stack.resources).filter((record) => !plan.order.includes(record.LogicalResourceId));
      // The stack's own (new) dependency order does not know removed resources: use the old template's.
      const removalStack = { ...stack, template: before.template, templateBody: before.templateBody, parameters: before.parameters };
      for (const record of this.reverseDependencyOrder(removalStack as StackRecord, removed)) {
        await this.deleteResource(stack, record, token);
        delete stack.resources[record.LogicalResourceId];
      }
      for (const old of [...superseded].reverse()) await this.deleteSuperseded(stack, old, token);
      this.stackStatus(stack, 'UPDATE_COMPLETE', undefined, token);
      return;
    }

    const cause = outputFailure ?? `The following resource(s) failed to ${failedVerb}: [${failedId}].`;
    if (options.disableRollback) {
      // The resources keep what was applied; the next update diffs against them.
      this.adopt(stack, plan);
      this.stackStatus(stack, 'UPDATE_FAILED', `${cause} `, token);
      return;
    }
    this.stackStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', `${cause} `, token);
    // Undo in reverse: in-place changes are updated back now; resources this update created (new ones and
    // replacements) are deleted in the cleanup phase, as AWS does.
    const cleanup: Array<() => Promise<void>> = [];
    if (failedId !== undefined && failedVerb === 'update') touched.push({ logicalId: failedId, kind: 'failed' });
    for (const { logicalId, kind } of [...touched].reverse()) {
      const current = stack.resources[logicalId]!;
      const previous = previousRecords.get(logicalId);
      if (kind === 'created') {
        cleanup.push(async () => {
          await this.deleteResource(stack, current, token);
          if (previous) stack.resources[logicalId] = previous;
          else delete stack.resources[logicalId];
        });
        continue;
      }
      if (!previous) continue;
      if (kind === 'replaced' || kind === 'failed') {
        // The stack points at the old physical resource again; a replacement made on the way is cleaned up.
        const replacement = structuredClone(current);
        this.resourceStatus(stack, current, 'UPDATE_IN_PROGRESS', { token });
        Object.assign(current, { PhysicalResourceId: previous.PhysicalResourceId, attributes: previous.attributes, properties: previous.properties });
        this.resourceStatus(stack, current, 'UPDATE_COMPLETE', { token });
        if (kind === 'replaced') cleanup.push(() => this.deleteSuperseded(stack, replacement, token));
        continue;
      }
      this.resourceStatus(stack, current, 'UPDATE_IN_PROGRESS', { token });
      try {
        const handler = this.options.registry[current.ResourceType]!;
        const hc = this.handlerContext(stack, logicalId);
        const restored = await handler.update!(provisioned(current), previous.properties ?? {}, current.properties ?? {}, hc);
        Object.assign(current, { PhysicalResourceId: restored.physicalId, attributes: restored.attributes, properties: previous.properties });
        this.resourceStatus(stack, current, 'UPDATE_COMPLETE', { token });
      } catch (error) {
        this.resourceStatus(stack, current, 'UPDATE_FAILED', { reason: failureReason(error), token });
        this.stackStatus(stack, 'UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${logicalId}]. `, token);
        return;
      }
    }
    this.stackStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', undefined, token);
    for (const step of cleanup) await step();
    Object.assign(stack, before);
    this.stackStatus(stack, 'UPDATE_ROLLBACK_COMPLETE', undefined, token);
  }

  /** Deletes a physical resource the stack no longer points at (replaced, or created by an update rolled back). */
  private async deleteSuperseded(stack: StackRecord, old: StackResourceRecord, token?: string): Promise<void> {
    if (!isLive(old)) return;
    // A copy: its events name the old physical id while the live record (same logical id) keeps its status.
    await this.deleteResource(stack, structuredClone(old), token);
  }

  private async updateResource(
    stack: StackRecord,
    plan: DeploymentPlan,
    logicalId: string,
    type: string,
    record: StackResourceRecord & { PhysicalResourceId: string },
    token?: string,
  ): Promise<'unchanged' | 'updated' | 'replaced' | 'failed'> {
    let properties: Properties;
    try {
      properties = this.resolveProperties(stack, plan, logicalId);
    } catch (error) {
      this.resourceStatus(stack, record, 'UPDATE_FAILED', { reason: failureReason(error), token });
      return 'failed';
    }
    const previous = record.properties ?? {};
    if (record.ResourceType === type && sameJson(previous, properties)) return 'unchanged';
    const handler = this.options.registry[type];
    const changed = changedNames(previous, properties);
    const replace = record.ResourceType !== type || !handler?.update || changed.some((name) => handler.replacementProperties.includes(name));
    const hc = this.handlerContext(stack, logicalId);
    try {
      const checked = this.requireHandler(type, logicalId, properties);
      if (!replace) {
        this.resourceStatus(stack, record, 'UPDATE_IN_PROGRESS', { properties, token });
        const updated = await checked.update!(provisioned(record), properties, previous, hc);
        Object.assign(record, { PhysicalResourceId: updated.physicalId, attributes: updated.attributes, properties });
        this.resourceStatus(stack, record, 'UPDATE_COMPLETE', { properties, token });
        return 'updated';
      }
      const name = checked.nameProperty;
      if (name && properties[name] !== undefined && sameJson(properties[name], previous[name])) {
        throw new ResourceFailure(
          'CloudFormation cannot update a stack when a custom-named resource requires replacing. ' +
            `Rename ${record.PhysicalResourceId} and update the stack again.`,
        );
      }
      this.resourceStatus(stack, record, 'UPDATE_IN_PROGRESS', {
        reason: 'Requested update requires the creation of a new physical resource; hence creating one.',
        properties,
        token,
      });
      const created = await checked.create(properties, hc);
      Object.assign(record, { ResourceType: type, PhysicalResourceId: created.physicalId, attributes: created.attributes, properties });
      this.resourceStatus(stack, record, 'UPDATE_IN_PROGRESS', { reason: 'Resource creation Initiated', properties, token });
      this.resourceStatus(stack, record, 'UPDATE_COMPLETE', { properties, token });
      return 'replaced';
    } catch (error) {
      this.resourceStatus(stack, record, 'UPDATE_FAILED', { reason: failureReason(error), properties, token });
      return 'failed';
    }
  }

  /** DELETE_IN_PROGRESS -> DELETE_COMPLETE (or DELETE_FAILED), resources in reverse dependency order. */
  async delete(stack: StackRecord, options: { retain?: string[]; token?: string } = {}): Promise<void> {
    const token = options.token;
    this.stackStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated', token);
    const retain = new Set(options.retain ?? []);
    const records = Object.values(stack.resources).filter((record) => !retain.has(record.LogicalResourceId));
    for (const logicalId of retain) {
      const record = stack.resources[logicalId];
      if (record && record.ResourceStatus !== 'DELETE_COMPLETE') this.resourceStatus(stack, record, 'DELETE_SKIPPED', { token });
    }
    const failed = await this.deleteAll(stack, records, token);
    if (failed.length > 0) {
      this.stackStatus(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `, token);
      return;
    }
    stack.DeletionTime = this.ctx.now();
    stack.Outputs = [];
    this.stackStatus(stack, 'DELETE_COMPLETE', undefined, token);
  }
}

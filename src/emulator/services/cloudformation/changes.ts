// A change set's contents: the resources executing a plan would add, modify (replacing them or not) or remove,
// and what caused each property change.
import { collectReferences } from './graph.js';
import { containsPending, pendingValue, resolveValue } from './intrinsics.js';
import { stackScope, type EngineOptions } from './plan.js';
import { isLive, type DeploymentPlan, type ResourceChange, type StackRecord } from './records.js';
import type { Properties } from './resources.js';
import { sameJson } from './shared.js';
import type { TemplateValue } from './template.js';

/** Top-level property names whose values differ between two property sets. */
export function changedNames(before: Properties, after: Properties): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => !sameJson(before[name], after[name]));
}

/** A replacement property always recreates, unless its new value is not known yet (then only maybe). */
function recreation(replaces: boolean, unknownYet: boolean): 'Never' | 'Conditionally' | 'Always' {
  if (!replaces) return 'Never';
  return unknownYet ? 'Conditionally' : 'Always';
}

/** The resource changes executing `plan` would make, as DescribeChangeSet lists them. */
export function resourceChanges(options: EngineOptions, stack: StackRecord, plan: DeploymentPlan): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const pending = new Set<string>();
  const oldTemplate = stack.template;
  for (const logicalId of plan.order) {
    const definition = plan.template.Resources[logicalId]!;
    const record = stack.resources[logicalId];
    if (!isLive(record)) {
      pending.add(logicalId);
      changes.push({
        Type: 'Resource',
        ResourceChange: { Action: 'Add', LogicalResourceId: logicalId, ResourceType: definition.Type, Scope: [], Details: [] },
      });
      continue;
    }
    const handler = options.registry[definition.Type];
    let properties: Properties;
    try {
      properties = (resolveValue(definition.Properties ?? {}, stackScope(options, stack, plan, true, pending)) ?? {}) as Properties;
    } catch {
      properties = { '\u0000unresolvable': pendingValue(logicalId) };
    }
    const before = record.properties ?? {};
    const typeChanged = record.ResourceType !== definition.Type;
    const changed = changedNames(before, properties);
    if (!typeChanged && changed.length === 0) continue;

    const details = changed.map((name) => {
      const dynamic = containsPending(properties[name]);
      const replaces = !handler?.update || handler.replacementProperties.includes(name);
      return {
        Target: {
          Attribute: 'Properties',
          Name: name,
          RequiresRecreation: recreation(replaces, dynamic && handler?.update !== undefined),
        },
        Evaluation: (dynamic ? 'Dynamic' : 'Static') as 'Static' | 'Dynamic',
        ...changeSource(name, oldTemplate?.Resources[logicalId]?.Properties, definition.Properties, stack, plan, pending),
      };
    });
    const replacement = typeChanged || details.some((detail) => detail.Target.RequiresRecreation === 'Always')
      ? 'True'
      : details.some((detail) => detail.Target.RequiresRecreation === 'Conditionally')
        ? 'Conditional'
        : 'False';
    if (replacement !== 'False') pending.add(logicalId);
    changes.push({
      Type: 'Resource',
      ResourceChange: {
        Action: 'Modify',
        LogicalResourceId: logicalId,
        PhysicalResourceId: record.PhysicalResourceId,
        ResourceType: definition.Type,
        Replacement: replacement,
        Scope: ['Properties'],
        Details: details,
      },
    });
  }
  for (const [logicalId, record] of Object.entries(stack.resources)) {
    if (!isLive(record) || plan.order.includes(logicalId)) continue;
    changes.push({
      Type: 'Resource',
      ResourceChange: {
        Action: 'Remove',
        LogicalResourceId: logicalId,
        PhysicalResourceId: record.PhysicalResourceId,
        ResourceType: record.ResourceType,
        Scope: [],
        Details: [],
      },
    });
  }
  return changes;
}

/** Why a property changed: edited in the template, or a parameter or resource it refers to changed. */
function changeSource(
  name: string,
  oldProperties: Record<string, TemplateValue> | undefined,
  newProperties: Record<string, TemplateValue> | undefined,
  stack: StackRecord,
  plan: DeploymentPlan,
  pending: Set<string>,
): { ChangeSource: string; CausingEntity?: string } {
  const raw = newProperties?.[name];
  if (!sameJson(oldProperties?.[name], raw)) return { ChangeSource: 'DirectModification' };
  for (const reference of collectReferences(raw, plan.conditions).references) {
    if (Object.hasOwn(plan.parameters, reference.target) && plan.parameters[reference.target] !== stack.parameters[reference.target]) {
      return { ChangeSource: 'ParameterReference', CausingEntity: reference.target };
    }
    if (pending.has(reference.target)) {
      return reference.attribute !== undefined
        ? { ChangeSource: 'ResourceAttribute', CausingEntity: `${reference.target}.${reference.attribute}` }
        : { ChangeSource: 'ResourceReference', CausingEntity: reference.target };
    }
  }
  return { ChangeSource: 'DirectModification' };
}

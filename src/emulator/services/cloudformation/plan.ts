// A deployment's plan: the template checked and its parameters, conditions and creation order worked out before
// any resource is touched, and the scope its intrinsic functions resolve in (pseudo parameters, live resources).
import type { EmulatorContext } from '../../context.js';
import { evaluateConditions } from './conditions.js';
import { creationOrder } from './graph.js';
import type { ResolvedResource, ResolveScope } from './intrinsics.js';
import { isListType, resolveParameterValues } from './parameters.js';
import { isLive, provisioned, type DeploymentPlan, type ParameterInput, type StackRecord } from './records.js';
import type { ResourceRegistry } from './resources.js';
import { validateTemplate } from './template-checks.js';
import type { Template } from './template.js';

export interface EngineOptions {
  ctx: EmulatorContext;
  registry: ResourceRegistry;
  /** Fn::ImportValue: the value another stack exports under this name. */
  exportedValue(name: string): string | undefined;
}

/** Validates a template with its inputs and computes everything the runs need; throws ValidationError. */
export function planDeployment(
  options: EngineOptions,
  template: Template,
  templateBody: string,
  stack: Pick<StackRecord, 'StackName' | 'StackId' | 'NotificationARNs'>,
  given: ParameterInput[],
  previous?: Record<string, string>,
): DeploymentPlan {
  validateTemplate(template, options.registry);
  const parameters = resolveParameterValues(template, given, previous);
  const scope = resolveScope(options, template, parameters, {}, stack, () => undefined, true);
  const conditions = evaluateConditions(template, scope);
  const { order, dependencies } = creationOrder(template, conditions);
  return { template, templateBody, parameters, conditions, order, dependencies };
}

export function resolveScope(
  options: EngineOptions,
  template: Template,
  parameters: Record<string, string>,
  conditions: Record<string, boolean>,
  stack: Pick<StackRecord, 'StackName' | 'StackId' | 'NotificationARNs'>,
  resource: (logicalId: string) => ResolvedResource | undefined,
  planning: boolean,
): ResolveScope {
  const values: Record<string, string | string[]> = {
    'AWS::AccountId': options.ctx.accountId,
    'AWS::NotificationARNs': stack.NotificationARNs,
    'AWS::Partition': 'aws',
    'AWS::Region': options.ctx.region,
    'AWS::StackId': stack.StackId,
    'AWS::StackName': stack.StackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  for (const [name, value] of Object.entries(parameters)) {
    const type = template.Parameters?.[name]?.Type ?? 'String';
    values[name] = isListType(type) ? (value === '' ? [] : value.split(',')) : value;
  }
  return {
    template,
    parameters: values,
    conditions,
    region: options.ctx.region,
    resource,
    planning,
    importValue: (name) => options.exportedValue(name),
  };
}

/** Resolution against the stack's provisioned resources (pending ones are placeholders when planning). */
export function stackScope(
  options: EngineOptions,
  stack: StackRecord,
  plan: DeploymentPlan,
  planning: boolean,
  pending = new Set<string>(),
): ResolveScope {
  return resolveScope(options, plan.template, plan.parameters, plan.conditions, stack, (logicalId) => {
    const record = stack.resources[logicalId];
    if (pending.has(logicalId) || !isLive(record)) return undefined;
    const handler = options.registry[record.ResourceType];
    const current = provisioned(record);
    return {
      ref: () => (handler ? handler.ref(current) : current.physicalId),
      getAtt: (attribute) => (handler ? handler.getAtt(current, attribute) : current.attributes[attribute]),
    };
  }, planning);
}

// CloudFormation's template engine and stack runner: parameters, conditions, intrinsic functions, dependency order,
// change computation, and the create/update/delete runs that walk a stack through AWS's statuses and events.
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../../context.js';
import { ServiceError, isServiceError } from '../../errors.js';
import {
  ResourceFailure,
  type HandlerContext,
  type Properties,
  type ProvisionedResource,
  type ResourceHandler,
  type ResourceRegistry,
} from './resources.js';
import { templateError, type ParameterDefinition, type Template, type TemplateValue } from './template.js';

export const STACK_RESOURCE_TYPE = 'AWS::CloudFormation::Stack';

// ------------------------------------------------------------------------------------------------------ records

export interface StackEventRecord {
  EventId: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: number;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ResourceProperties?: string;
  ClientRequestToken?: string;
}

export interface StackResourceRecord {
  LogicalResourceId: string;
  ResourceType: string;
  PhysicalResourceId?: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  Timestamp: number;
  /** The resolved properties it was last provisioned with: the "before" side of every diff. */
  properties?: Properties;
  attributes?: Record<string, string>;
  DeletionPolicy?: string;
  Description?: string;
  Metadata?: string;
}

export interface StackOutputRecord {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

export interface StackRecord {
  StackId: string;
  StackName: string;
  StackStatus: string;
  StackStatusReason?: string;
  CreationTime: number;
  LastUpdatedTime?: number;
  DeletionTime?: number;
  Description?: string;
  templateBody: string;
  template?: Template;
  /** Parameter values as given or defaulted (strings; lists stay comma-joined). */
  parameters: Record<string, string>;
  Capabilities: string[];
  DisableRollback: boolean;
  Tags: Array<{ Key: string; Value: string }>;
  NotificationARNs: string[];
  RoleARN?: string;
  Outputs: StackOutputRecord[];
  resources: Record<string, StackResourceRecord>;
  /** Oldest first; DescribeStackEvents reverses. */
  events: StackEventRecord[];
  ChangeSetId?: string;
  /** Last event time, so every event gets a strictly later millisecond than the one before. */
  lastEventTime: number;
}

export interface ParameterInput {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

/** Everything computed from a template and its inputs before any resource is touched. */
export interface DeploymentPlan {
  template: Template;
  templateBody: string;
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
  /** Resources whose Condition holds, in creation order. */
  order: string[];
  dependencies: Record<string, string[]>;
}

export interface ResourceChange {
  Type: 'Resource';
  ResourceChange: {
    Action: 'Add' | 'Modify' | 'Remove';
    LogicalResourceId: string;
    PhysicalResourceId?: string;
    ResourceType: string;
    Replacement?: 'True' | 'False' | 'Conditional';
    Scope: string[];
    Details: Array<{
      Target: { Attribute: string; Name?: string; RequiresRecreation: 'Never' | 'Conditionally' | 'Always' };
      Evaluation: 'Static' | 'Dynamic';
      ChangeSource: string;
      CausingEntity?: string;
    }>;
  };
}

// ------------------------------------------------------------------------------------------------- parameters

const PSEUDO_PARAMETER_NAMES = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId',
  'AWS::StackName', 'AWS::URLSuffix',
]);

function validationError(message: string): ServiceError {
  return new ServiceError('ValidationError', message);
}

function isListType(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<');
}

function checkParameterType(name: string, type: string): void {
  if (type.startsWith('AWS::SSM::Parameter::')) {
    throw validationError(
      `Parameter '${name}' has type ${type}: SSM parameter types are not supported by the lambda-async-demo local emulator.`,
    );
  }
  const known =
    type === 'String' || type === 'Number' || type === 'CommaDelimitedList' || type === 'List<Number>' ||
    /^AWS::[A-Za-z0-9]+::[A-Za-z0-9:]+$/.test(type) || /^List<AWS::[A-Za-z0-9]+::[A-Za-z0-9:]+>$/.test(type);
  if (!known) throw templateError(`Unrecognized parameter type: ${type}`);
}

function defaultText(value: TemplateValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

function checkConstraints(name: string, definition: ParameterDefinition, value: string): void {
  // With a ConstraintDescription, AWS reports it instead of the generic text (the aws-cli issue #7750 example).
  const fail = (generic: string): never => {
    throw validationError(
      definition.ConstraintDescription !== undefined
        ? `Parameter ${name} failed to satisfy constraint: ${definition.ConstraintDescription}`
        : generic,
    );
  };
  const type = definition.Type;
  const items = isListType(type) ? (value === '' ? [] : value.split(',')) : [value];
  if (definition.AllowedValues !== undefined) {
    const allowed = (definition.AllowedValues ?? []).map(String);
    if (items.some((item) => !allowed.includes(item))) fail(`Parameter '${name}' must be one of AllowedValues`);
  }
  if (definition.AllowedPattern !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${definition.AllowedPattern})$`);
    } catch {
      throw validationError(`Parameter '${name}' AllowedPattern must be a valid regular expression.`);
    }
    if (items.some((item) => !pattern.test(item))) fail(`Parameter '${name}' must match pattern ${definition.AllowedPattern}`);
  }
  if (definition.MinLength !== undefined && value.length < Number(definition.MinLength)) {
    fail(`Parameter '${name}' must contain at least ${Number(definition.MinLength)} characters`);
  }
  if (definition.MaxLength !== undefined && value.length > Number(definition.MaxLength)) {
    fail(`Parameter '${name}' must contain at most ${Number(definition.MaxLength)} characters`);
  }
  if (type === 'Number' || type === 'List<Number>') {
    for (const item of items) {
      const number = Number(item);
      if (item.trim() === '' || Number.isNaN(number)) fail(`Parameter '${name}' must be a number`);
      if (definition.MinValue !== undefined && number < Number(definition.MinValue)) {
        fail(`Parameter '${name}' must be a number not less than ${Number(definition.MinValue)}`);
      }
      if (definition.MaxValue !== undefined && number > Number(definition.MaxValue)) {
        fail(`Parameter '${name}' must be a number not greater than ${Number(definition.MaxValue)}`);
      }
    }
  }
}

/**
 * Final parameter values from the caller's list, UsePreviousValue (against the stack's current values) and the
 * template's defaults, with AWS's ValidationError messages.
 */
export function resolveParameterValues(
  template: Template,
  given: ParameterInput[],
  previous?: Record<string, string>,
): Record<string, string> {
  const declared = template.Parameters ?? {};
  const unknown = given.map((parameter) => parameter.ParameterKey ?? '').filter((key) => !Object.hasOwn(declared, key));
  if (unknown.length > 0) throw validationError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);

  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, definition] of Object.entries(declared)) {
    const input = given.find((parameter) => parameter.ParameterKey === name);
    let value: string | undefined;
    if (input?.UsePreviousValue) {
      if (input.ParameterValue !== undefined && input.ParameterValue !== '') {
        throw validationError(
          `Invalid input for parameter key ${name}. Cannot specify usePreviousValue as true and non empty value for a parameter key.`,
        );
      }
      if (!previous || !Object.hasOwn(previous, name)) {
        throw validationError(
          `Invalid input for parameter key ${name}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
        );
      }
      value = previous[name];
    } else if (input?.ParameterValue !== undefined) {
      value = input.ParameterValue;
    } else {
      value = defaultText(definition.Default);
    }
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    values[name] = value;
  }
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
  for (const [name, value] of Object.entries(values)) checkConstraints(name, declared[name]!, value);
  return values;
}

// ------------------------------------------------------------------------------------------ intrinsic functions

/** What Ref AWS::NoValue resolves to: the property or list item disappears. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Resolved-but-unknown values during change-set planning: a resource that does not exist yet. */
const PENDING_MARK = '\u0000pending:';

function pendingValue(logicalId: string, attribute?: string): string {
  return `${PENDING_MARK}${logicalId}${attribute ? `.${attribute}` : ''}\u0000`;
}

export function containsPending(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes('\\u0000pending:');
}

export interface ResolvedResource {
  ref(): string;
  getAtt(attribute: string): string | undefined;
}

export interface ResolveScope {
  template: Template;
  /** Template parameters and pseudo parameters, lists already split. */
  parameters: Record<string, string | string[]>;
  conditions: Record<string, boolean>;
  region: string;
  /** undefined: the resource has no physical resource yet. */
  resource(logicalId: string): ResolvedResource | undefined;
  /** Planning mode: a resource without physical id resolves to a placeholder instead of failing. */
  planning: boolean;
  importValue(name: string): string | undefined;
}

function runtimeError(message: string): ResourceFailure {
  return new ResourceFailure(`Template error: ${message}`);
}

function asText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw runtimeError(`every ${where} argument must be a string`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function refValue(name: string, scope: ResolveScope): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (Object.hasOwn(scope.parameters, name)) return scope.parameters[name];
  const resource = scope.resource(name);
  if (resource) return resource.ref();
  if (scope.planning && Object.hasOwn(scope.template.Resources, name)) return pendingValue(name);
  throw runtimeError(`Unresolved resource dependency ${name}: it has no physical resource`);
}

function getAttValue(logicalId: string, attribute: string, scope: ResolveScope): unknown {
  const resource = scope.resource(logicalId);
  if (!resource) {
    if (scope.planning && Object.hasOwn(scope.template.Resources, logicalId)) return pendingValue(logicalId, attribute);
    throw runtimeError(`instance of Fn::GetAtt references undefined resource ${logicalId}`);
  }
  const value = resource.getAtt(attribute);
  if (value === undefined) {
    throw runtimeError(`resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`);
  }
  return value;
}

function substitute(argument: unknown, scope: ResolveScope): string {
  let text: string;
  let variables: Record<string, unknown> = {};
  if (typeof argument === 'string') {
    text = argument;
  } else if (Array.isArray(argument) && typeof argument[0] === 'string' && (argument.length === 1 || isRecord(argument[1]))) {
    text = argument[0];
    variables = Object.fromEntries(
      Object.entries((argument[1] ?? {}) as Record<string, unknown>).map(([key, value]) => [key, resolveValue(value, scope)]),
    );
  } else {
    throw runtimeError('Fn::Sub takes a string or a [string, {variables}] list');
  }
  return text.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
    // ${!Literal} writes ${Literal} verbatim.
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    const value = Object.hasOwn(variables, name)
      ? variables[name]
      : Object.hasOwn(scope.parameters, name) || name === 'AWS::NoValue' || !name.includes('.')
        ? refValue(name, scope)
        : getAttValue(name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1), scope);
    if (Array.isArray(value) || value === NO_VALUE || isRecord(value)) {
      throw runtimeError(`variable ${name} in Fn::Sub expression does not resolve to a string`);
    }
    return asText(value, 'Fn::Sub variable');
  });
}

/** `Queue.Arn` (the string form) or ["Queue", "Arn"]; the attribute may itself contain dots. */
function getAttParts(argument: unknown): unknown {
  if (typeof argument !== 'string') return argument;
  const dot = argument.indexOf('.');
  return dot < 0 ? [argument] : [argument.slice(0, dot), argument.slice(dot + 1)];
}

function listArgument(value: unknown, fn: string): unknown[] {
  if (!Array.isArray(value)) throw runtimeError(`${fn} requires a list argument`);
  return value;
}

function intrinsic(name: string, argument: unknown, scope: ResolveScope): unknown {
  switch (name) {
    case 'Ref':
      return refValue(asText(resolveValue(argument, scope), 'Ref'), scope);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = listArgument(getAttParts(argument), 'Fn::GetAtt');
      return getAttValue(asText(logicalId, 'Fn::GetAtt'), asText(resolveValue(attribute, scope), 'Fn::GetAtt'), scope);
    }
    case 'Fn::Sub':
      return substitute(argument, scope);
    case 'Fn::Join': {
      const [delimiter, items] = listArgument(argument, 'Fn::Join');
      const list = listArgument(resolveValue(items, scope), 'Fn::Join');
      return list.map((item) => asText(item, 'Fn::Join')).join(asText(delimiter, 'Fn::Join'));
    }
    case 'Fn::Select': {
      const [index, items] = listArgument(argument, 'Fn::Select');
      const position = Number(resolveValue(index, scope));
      const list = listArgument(resolveValue(items, scope), 'Fn::Select');
      if (!Number.isInteger(position) || position < 0 || position >= list.length) {
        throw runtimeError(`Fn::Select cannot select nonexistent value at index ${String(resolveValue(index, scope))}`);
      }
      return list[position];
    }
    case 'Fn::Split': {
      const [delimiter, source] = listArgument(argument, 'Fn::Split');
      return asText(resolveValue(source, scope), 'Fn::Split').split(asText(delimiter, 'Fn::Split'));
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = listArgument(argument, 'Fn::If');
      const conditionName = asText(condition, 'Fn::If');
      if (!Object.hasOwn(scope.conditions, conditionName)) throw runtimeError(`unable to find condition ${conditionName}`);
      return resolveValue(scope.conditions[conditionName] ? whenTrue : whenFalse, scope);
    }
    case 'Fn::Equals':
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or':
      return evaluateCondition({ [name]: argument } as TemplateValue, scope, []);
    case 'Fn::FindInMap': {
      const [map, top, second] = listArgument(argument, 'Fn::FindInMap').map((part) =>
        asText(resolveValue(part, scope), 'Fn::FindInMap'),
      );
      const value = scope.template.Mappings?.[map!]?.[top!]?.[second!];
      if (value === undefined) throw runtimeError(`Unable to get mapping for ${map}::${top}::${second}`);
      return value;
    }
    case 'Fn::Base64':
      return Buffer.from(asText(resolveValue(argument, scope), 'Fn::Base64'), 'utf8').toString('base64');
    case 'Fn::GetAZs': {
      const region = asText(resolveValue(argument, scope) ?? '', 'Fn::GetAZs') || scope.region;
      return [`${region}a`, `${region}b`, `${region}c`];
    }
    case 'Fn::ImportValue': {
      const exportName = asText(resolveValue(argument, scope), 'Fn::ImportValue');
      const value = scope.importValue(exportName);
      if (value === undefined) {
        if (scope.planning) return pendingValue(`Export:${exportName}`);
        throw new ResourceFailure(`No export named ${exportName} found.`);
      }
      return value;
    }
    default:
      throw runtimeError(`${name} is not supported by the lambda-async-demo local emulator`);
  }
}

function isIntrinsicName(key: string): boolean {
  return key === 'Ref' || key.startsWith('Fn::');
}

/** Resolves every intrinsic function in a template value; AWS::NoValue removes the key or list item. */
export function resolveValue(value: unknown, scope: ResolveScope): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, scope)).filter((item) => item !== NO_VALUE);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && isIntrinsicName(keys[0]!)) return intrinsic(keys[0]!, value[keys[0]!], scope);
  const resolved: Record<string, unknown> = {};
  for (const key of keys) {
    const item = resolveValue(value[key], scope);
    if (item !== NO_VALUE) resolved[key] = item;
  }
  return resolved;
}

// ------------------------------------------------------------------------------------------------- conditions

function evaluateCondition(expression: TemplateValue, scope: ResolveScope, path: string[]): boolean {
  if (typeof expression === 'boolean') return expression;
  if (expression === 'true' || expression === 'false') return expression === 'true';
  if (!isRecord(expression) || Object.keys(expression).length !== 1) {
    throw templateError('Conditions can only be boolean operations on parameters and other conditions');
  }
  const [name, argument] = Object.entries(expression)[0]!;
  switch (name) {
    case 'Condition': {
      const conditionName = String(argument);
      if (path.includes(conditionName)) {
        throw validationError(`Template error: Found circular condition dependency: [${[...path, conditionName].join(', ')}]`);
      }
      const definition = scope.template.Conditions?.[conditionName];
      if (definition === undefined) {
        throw templateError(`Unresolved condition dependencies [${conditionName}] in the Conditions block of the template`);
      }
      return evaluateCondition(definition, scope, [...path, conditionName]);
    }
    case 'Fn::Equals': {
      const [left, right] = listArgument(argument, 'Fn::Equals').map((side) => resolveValue(side, scope));
      return JSON.stringify(typeof left === 'object' ? left : String(left)) === JSON.stringify(typeof right === 'object' ? right : String(right));
    }
    case 'Fn::Not':
      return !evaluateCondition(listArgument(argument, 'Fn::Not')[0] as TemplateValue, scope, path);
    case 'Fn::And':
      return listArgument(argument, 'Fn::And').every((item) => evaluateCondition(item as TemplateValue, scope, path));
    case 'Fn::Or':
      return listArgument(argument, 'Fn::Or').some((item) => evaluateCondition(item as TemplateValue, scope, path));
    default:
      throw templateError(`${name} cannot be used in a condition: use Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition`);
  }
}

function evaluateConditions(template: Template, scope: ResolveScope): Record<string, boolean> {
  const resourceReferences = collectReferences(template.Conditions ?? {})
    .references.map((reference) => reference.target)
    .filter((target) => !Object.hasOwn(scope.parameters, target) && !PSEUDO_PARAMETER_NAMES.has(target));
  if (resourceReferences.length > 0) {
    throw templateError(
      `Unresolved dependencies [${[...new Set(resourceReferences)].join(', ')}]. Cannot reference resources in the Conditions block of the template`,
    );
  }
  const conditions: Record<string, boolean> = {};
  for (const [name, definition] of Object.entries(template.Conditions ?? {})) {
    conditions[name] = evaluateCondition(definition, scope, [name]);
  }
  return conditions;
}

// ------------------------------------------------------------------------------------- references and ordering

interface Reference {
  kind: 'Ref' | 'GetAtt' | 'Sub';
  target: string;
  attribute?: string;
}

/**
 * Every Ref / Fn::GetAtt / ${...} in a value, plus every condition Fn::If names. With `conditions`, only the branch of
 * each Fn::If that holds is walked (the dependencies that matter at run time); without, both (static validation).
 */
function collectReferences(value: unknown, conditions?: Record<string, boolean>, into: Reference[] = [], conditionNames: string[] = []) {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, conditions, into, conditionNames);
    return { references: into, conditionNames };
  }
  if (!isRecord(value)) return { references: into, conditionNames };
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0]! : undefined;
  const argument = only ? value[only] : undefined;
  if (only === 'Ref' && typeof argument === 'string') {
    into.push({ kind: 'Ref', target: argument });
  } else if (only === 'Fn::GetAtt') {
    const parts = getAttParts(argument);
    if (Array.isArray(parts) && typeof parts[0] === 'string') {
      into.push({ kind: 'GetAtt', target: parts[0], attribute: typeof parts[1] === 'string' ? parts[1] : undefined });
      collectReferences(parts.slice(1), conditions, into, conditionNames);
    }
  } else if (only === 'Fn::Sub') {
    const text = typeof argument === 'string' ? argument : Array.isArray(argument) ? argument[0] : undefined;
    const variables = Array.isArray(argument) && isRecord(argument[1]) ? argument[1] : {};
    if (typeof text === 'string') {
      for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
        const name = match[1]!.trim();
        if (match[1]!.startsWith('!') || Object.hasOwn(variables, name)) continue;
        const dot = name.indexOf('.');
        into.push(dot > 0 ? { kind: 'Sub', target: name.slice(0, dot), attribute: name.slice(dot + 1) } : { kind: 'Sub', target: name });
      }
    }
    collectReferences(variables, conditions, into, conditionNames);
  } else if (only === 'Fn::If' && Array.isArray(argument) && typeof argument[0] === 'string') {
    conditionNames.push(argument[0]);
    if (conditions && Object.hasOwn(conditions, argument[0])) {
      collectReferences(conditions[argument[0]] ? argument[1] : argument[2], conditions, into, conditionNames);
    } else {
      collectReferences(argument.slice(1), conditions, into, conditionNames);
    }
  } else {
    for (const key of keys) collectReferences(value[key], conditions, into, conditionNames);
  }
  return { references: into, conditionNames };
}

function dependsOnList(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw templateError('DependsOn must be a string or list of strings.');
}

/** Static checks AWS makes when a template is submitted: references, GetAtt attributes, condition names. */
function validateReferences(template: Template, registry: ResourceRegistry): void {
  const parameters = new Set([...Object.keys(template.Parameters ?? {}), ...PSEUDO_PARAMETER_NAMES]);
  const resources = template.Resources;
  const conditions = template.Conditions ?? {};
  const check = (value: unknown, block: 'Resources' | 'Outputs', extraTargets: string[] = []) => {
    const unresolved = new Set<string>(extraTargets.filter((target) => !Object.hasOwn(resources, target)));
    const { references, conditionNames } = collectReferences(value);
    for (const reference of references) {
      const isResource = Object.hasOwn(resources, reference.target);
      if (reference.kind === 'GetAtt' || (reference.kind === 'Sub' && reference.attribute !== undefined)) {
        if (!isResource) {
          if (reference.kind === 'GetAtt') {
            throw validationError(`Template error: instance of Fn::GetAtt references undefined resource ${reference.target}`);
          }
          unresolved.add(reference.target);
          continue;
        }
        const handler = registry[resources[reference.target]!.Type];
        if (handler && reference.attribute !== undefined && !handler.attributeNames.includes(reference.attribute)) {
          throw validationError(
            `Template error: resource ${reference.target} does not support attribute type ${reference.attribute} in Fn::GetAtt`,
          );
        }
      } else if (!isResource && !parameters.has(reference.target)) {
        unresolved.add(reference.target);
      }
    }
    if (unresolved.size > 0) {
      throw templateError(`Unresolved resource dependencies [${[...unresolved].join(', ')}] in the ${block} block of the template`);
    }
    const missingConditions = conditionNames.filter((name) => !Object.hasOwn(conditions, name));
    if (missingConditions.length > 0) {
      throw templateError(`Unresolved condition dependencies [${missingConditions.join(', ')}] in the ${block} block of the template`);
    }
  };
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (parameters.has(logicalId)) {
      throw validationError(`Template error: all resources and parameters must have unique names. Common name(s):[${logicalId}]`);
    }
    if (resource.Condition !== undefined && !Object.hasOwn(conditions, resource.Condition)) {
      throw templateError(`Unresolved condition dependencies [${resource.Condition}] in the Resources block of the template`);
    }
    if (resource.DeletionPolicy !== undefined && !['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(resource.DeletionPolicy)) {
      throw templateError(`Unrecognized DeletionPolicy ${resource.DeletionPolicy} for resource ${logicalId}`);
    }
    check({ Properties: resource.Properties, Metadata: resource.Metadata }, 'Resources', dependsOnList(resource.DependsOn));
  }
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Condition !== undefined && !Object.hasOwn(conditions, output.Condition)) {
      throw templateError(`Unresolved condition dependencies [${output.Condition}] in the Outputs block of the template (output ${key})`);
    }
    check({ Value: output.Value, Export: output.Export }, 'Outputs');
  }
}

/** Included resources in creation order (template order among independent ones); a cycle is AWS's ValidationError. */
function creationOrder(template: Template, conditions: Record<string, boolean>): { order: string[]; dependencies: Record<string, string[]> } {
  const included = Object.keys(template.Resources).filter((logicalId) => {
    const condition = template.Resources[logicalId]!.Condition;
    return condition === undefined || conditions[condition] === true;
  });
  const includedSet = new Set(included);
  const dependencies: Record<string, string[]> = {};
  const unresolved = new Set<string>();
  for (const logicalId of included) {
    const resource = template.Resources[logicalId]!;
    const { references } = collectReferences({ Properties: resource.Properties, Metadata: resource.Metadata }, conditions);
    const targets = new Set<string>(dependsOnList(resource.DependsOn));
    for (const reference of references) {
      if (Object.hasOwn(template.Resources, reference.target)) targets.add(reference.target);
    }
    for (const target of targets) if (!includedSet.has(target)) unresolved.add(target);
    dependencies[logicalId] = [...targets].filter((target) => includedSet.has(target));
  }
  if (unresolved.size > 0) {
    // A resource whose Condition is false cannot be referenced from one that exists.
    throw templateError(`Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`);
  }

  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < included.length) {
    const next = included.find((logicalId) => !placed.has(logicalId) && dependencies[logicalId]!.every((dep) => placed.has(dep)));
    if (next === undefined) break;
    order.push(next);
    placed.add(next);
  }
  if (order.length < included.length) {
    const inCycle = included.filter((logicalId) => !placed.has(logicalId) && reaches(logicalId, logicalId, dependencies));
    throw validationError(`Circular dependency between resources: [${inCycle.join(', ')}]`);
  }
  return { order, dependencies };
}

function reaches(from: string, to: string, dependencies: Record<string, string[]>): boolean {
  const seen = new Set<string>();
  const stack = [...(dependencies[from] ?? [])];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current === to) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    stack.push(...(dependencies[current] ?? []));
  }
  return false;
}

/** What ValidateTemplate checks without parameter values: transforms, parameter types, references. */
export function validateTemplate(template: Template, registry: ResourceRegistry): void {
  if (template.Transform !== undefined) {
    throw validationError(
      `Transform ${JSON.stringify(template.Transform)} is not supported by the lambda-async-demo local emulator: deploy the processed template.`,
    );
  }
  for (const [name, definition] of Object.entries(template.Parameters ?? {})) checkParameterType(name, definition.Type);
  checkResourceTypes(template, registry);
  validateReferences(template, registry);
}

/** The shapes a registry type name can take: Organization::Service::Resource (::MODULE for modules), or Custom::Name. */
const REGISTRY_TYPE_NAME = /^(?:[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(?:::MODULE)?|Custom::[A-Za-z0-9_@-]{1,60})$/;

/**
 * AWS refuses a type its registry does not know when the template is submitted (ValidateTemplate, CreateStack and
 * CreateChangeSet alike), not when the resource is created: "Template format error: Unrecognized resource types:
 * [AWS::NotAReal::Thing]". The emulator cannot see the registry, so it refuses the names that cannot be in it; a
 * well-formed type it does not emulate still fails that resource at creation, with a reason saying so.
 */
function checkResourceTypes(template: Template, registry: ResourceRegistry): void {
  const unrecognized = [
    ...new Set(
      Object.values(template.Resources)
        .map((resource) => resource.Type)
        .filter((type) => !Object.hasOwn(registry, type) && !REGISTRY_TYPE_NAME.test(type)),
    ),
  ];
  if (unrecognized.length > 0) throw validationError(`Template format error: Unrecognized resource types: [${unrecognized.join(', ')}]`);
}

// ------------------------------------------------------------------------------------------------ capabilities

const IAM_NAME_PROPERTIES = ['RoleName', 'UserName', 'GroupName', 'ManagedPolicyName', 'InstanceProfileName'];

/** The capability a template needs: IAM resources need CAPABILITY_IAM, custom-named ones CAPABILITY_NAMED_IAM. */
export function requiredCapabilities(template: Template): { capabilities: string[]; resourceTypes: string[] } {
  const iamResources = Object.values(template.Resources).filter((resource) => resource.Type.startsWith('AWS::IAM::'));
  if (iamResources.length === 0) return { capabilities: [], resourceTypes: [] };
  const named = iamResources.some((resource) => IAM_NAME_PROPERTIES.some((name) => resource.Properties?.[name] !== undefined));
  return {
    capabilities: [named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'],
    resourceTypes: [...new Set(iamResources.map((resource) => resource.Type))],
  };
}

/** docs/aws-semantics.md §6.2: "Requires capabilities : [CAPABILITY_IAM]", raised when the set is created. */
export function checkCapabilities(template: Template, given: string[]): void {
  const [needed] = requiredCapabilities(template).capabilities;
  if (!needed) return;
  const satisfied = needed === 'CAPABILITY_IAM' ? given.includes('CAPABILITY_IAM') || given.includes('CAPABILITY_NAMED_IAM') : given.includes(needed);
  if (!satisfied) throw new ServiceError('InsufficientCapabilitiesException', `Requires capabilities : [${needed}]`);
}

// ------------------------------------------------------------------------------------------------------ engine

export interface EngineOptions {
  ctx: EmulatorContext;
  registry: ResourceRegistry;
  /** Fn::ImportValue: the value another stack exports under this name. */
  exportedValue(name: string): string | undefined;
}

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

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Top-level property names whose values differ between two property sets. */
function changedNames(before: Properties, after: Properties): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => !sameJson(before[name], after[name]));
}

/** A replacement property always recreates, unless its new value is not known yet (then only maybe). */
function recreation(replaces: boolean, unknownYet: boolean): 'Never' | 'Conditionally' | 'Always' {
  if (!replaces) return 'Never';
  return unknownYet ? 'Conditionally' : 'Always';
}

function isLive(record: StackResourceRecord | undefined): record is StackResourceRecord & { PhysicalResourceId: string } {
  return (
    record !== undefined &&
    record.PhysicalResourceId !== undefined &&
    record.PhysicalResourceId !== '' &&
    !['DELETE_COMPLETE', 'DELETE_SKIPPED'].includes(record.ResourceStatus)
  );
}

function provisioned(record: StackResourceRecord): ProvisionedResource {
  return { physicalId: record.PhysicalResourceId ?? '', attributes: record.attributes ?? {} };
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
    validateTemplate(template, this.options.registry);
    const parameters = resolveParameterValues(template, given, previous);
    const scope = this.scope(template, parameters, {}, stack, () => undefined, true);
    const conditions = evaluateConditions(template, scope);
    const { order, dependencies } = creationOrder(template, conditions);
    return { template, templateBody, parameters, conditions, order, dependencies };
  }

  private scope(
    template: Template,
    parameters: Record<string, string>,
    conditions: Record<string, boolean>,
    stack: Pick<StackRecord, 'StackName' | 'StackId' | 'NotificationARNs'>,
    resource: (logicalId: string) => ResolvedResource | undefined,
    planning: boolean,
  ): ResolveScope {
    const values: Record<string, string | string[]> = {
      'AWS::AccountId': this.ctx.accountId,
      'AWS::NotificationARNs': stack.NotificationARNs,
      'AWS::Partition': 'aws',
      'AWS::Region': this.ctx.region,
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
      region: this.ctx.region,
      resource,
      planning,
      importValue: (name) => this.options.exportedValue(name),
    };
  }

  /** Resolution against the stack's provisioned resources (pending ones are placeholders when planning). */
  private stackScope(stack: StackRecord, plan: DeploymentPlan, planning: boolean, pending = new Set<string>()): ResolveScope {
    return this.scope(plan.template, plan.parameters, plan.conditions, stack, (logicalId) => {
      const record = stack.resources[logicalId];
      if (pending.has(logicalId) || !isLive(record)) return undefined;
      const handler = this.options.registry[record.ResourceType];
      const current = provisioned(record);
      return {
        ref: () => (handler ? handler.ref(current) : current.physicalId),
        getAtt: (attribute) => (handler ? handler.getAtt(current, attribute) : current.attributes[attribute]),
      };
    }, planning);
  }

  // ------------------------------------------------------------------------------------------------ changes

  /** The resource changes executing `plan` would make, as DescribeChangeSet lists them. */
  changes(stack: StackRecord, plan: DeploymentPlan): ResourceChange[] {
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
      const handler = this.options.registry[definition.Type];
      let properties: Properties;
      try {
        properties = (resolveValue(definition.Properties ?? {}, this.stackScope(stack, plan, true, pending)) ?? {}) as Properties;
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
          ...this.changeSource(name, oldTemplate?.Resources[logicalId]?.Properties, definition.Properties, stack, plan, pending),
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
  private changeSource(
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
    const resolved = resolveValue(definition.Properties ?? {}, this.stackScope(stack, plan, false));
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
    const scope = this.stackScope(stack, plan, false);
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

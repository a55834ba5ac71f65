// Intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, ...) resolved in a template value against a scope, and
// the condition functions (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), which call each other.
import { ResourceFailure } from './resources.js';
import { isRecord, validationError } from './shared.js';
import { templateError, type Template, type TemplateValue } from './template.js';

/** What Ref AWS::NoValue resolves to: the property or list item disappears. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Resolved-but-unknown values during change-set planning: a resource that does not exist yet. */
const PENDING_MARK = '\u0000pending:';

export function pendingValue(logicalId: string, attribute?: string): string {
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
export function getAttParts(argument: unknown): unknown {
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

// ---------------------------------------------------------------------------------------- condition functions
// Here, not in conditions.ts: Fn::If and a condition function used as a value resolve through them, and they
// resolve their own arguments with resolveValue.

export function evaluateCondition(expression: TemplateValue, scope: ResolveScope, path: string[]): boolean {
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

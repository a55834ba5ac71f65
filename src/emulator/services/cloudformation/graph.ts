// The dependency graph: every Ref / Fn::GetAtt / ${...} and DependsOn between resources, the creation order it
// allows, and AWS's error for a cycle.
import { getAttParts } from './intrinsics.js';
import { isRecord, validationError } from './shared.js';
import { templateError, type Template } from './template.js';

export interface Reference {
  kind: 'Ref' | 'GetAtt' | 'Sub';
  target: string;
  attribute?: string;
}

/**
 * Every Ref / Fn::GetAtt / ${...} in a value, plus every condition Fn::If names. With `conditions`, only the branch of
 * each Fn::If that holds is walked (the dependencies that matter at run time); without, both (static validation).
 */
export function collectReferences(value: unknown, conditions?: Record<string, boolean>, into: Reference[] = [], conditionNames: string[] = []) {
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

export function dependsOnList(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw templateError('DependsOn must be a string or list of strings.');
}

/** Included resources in creation order (template order among independent ones); a cycle is AWS's ValidationError. */
export function creationOrder(template: Template, conditions: Record<string, boolean>): { order: string[]; dependencies: Record<string, string[]> } {
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

// The template's Conditions block: each named condition evaluated once per deployment (none may name a resource).
import { collectReferences } from './graph.js';
import { evaluateCondition, type ResolveScope } from './intrinsics.js';
import { PSEUDO_PARAMETER_NAMES } from './parameters.js';
import { templateError, type Template } from './template.js';

export function evaluateConditions(template: Template, scope: ResolveScope): Record<string, boolean> {
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

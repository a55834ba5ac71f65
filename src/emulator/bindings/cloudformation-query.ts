// CloudFormation over the query protocol (its only protocol): parsed form params -> the model-shaped input its
// operations take (lists, booleans, members in the wrong shape dropped), and the result renderQueryResult prints.
import type { QueryParams } from '../protocol/query.js';

type Json = Record<string, unknown>;
type Scalar = string | number | boolean;

const isScalar = (value: unknown): value is Scalar => ['string', 'number', 'boolean'].includes(typeof value);

/** The input members that are lists in the model; every other member is a scalar. */
const LIST_MEMBERS = new Set([
  'Parameters', 'Tags', 'Capabilities', 'NotificationARNs', 'RetainResources', 'StackStatusFilter', 'ResourceTypes',
  'ResourcesToSkip', 'ResourcesToImport',
]);
/** The list members whose items are structures (of scalars); the other lists hold scalars. */
const STRUCTURE_LISTS = new Set(['Parameters', 'Tags', 'ResourcesToImport']);
/** The input members (top level, and Parameter's UsePreviousValue) that are booleans in the model. */
const BOOLEAN_MEMBERS = new Set([
  'DisableRollback', 'UsePreviousTemplate', 'EnableTerminationProtection', 'RetainExceptOnCreate', 'DisableValidation',
  'IncludeNestedStacks', 'ImportExistingResources', 'IncludePropertyValues', 'UsePreviousValue',
]);

/** Actions without an output shape: their query response has no <XResult> element at all. */
const NO_OUTPUT = new Set(['DeleteStack']);

/** Query-protocol booleans arrive as "true"/"false"; an empty value is an absent member. */
function flag(value: Scalar): boolean | undefined {
  if (value === '') return undefined;
  return value === true || value === 'true';
}

/** The scalar members of a structure, booleans as booleans. */
function scalars(item: Json): Json {
  const out: Json = {};
  for (const [key, field] of Object.entries(item)) {
    if (!isScalar(field)) continue;
    const value = BOOLEAN_MEMBERS.has(key) ? flag(field) : field;
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The input as the CloudFormation model shapes it. Query parameters can nest anything anywhere (`StackName.member.1=x`,
 * `Tags.member.1.Key.toString=1`); the real service reads a member sent in the wrong shape as absent. Passed on, such
 * values crashed string code with a 500 (test/reliability/fuzz.test.ts), so they are dropped here.
 */
function toInput(params: QueryParams): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(params)) {
    if (LIST_MEMBERS.has(key)) {
      // Lists arrive as arrays, or as "" when the SDK sends an empty list (`Capabilities=`): an empty list, present.
      if (isScalar(value)) {
        out[key] = [];
      } else if (Array.isArray(value)) {
        out[key] = STRUCTURE_LISTS.has(key)
          ? value
              .filter((item): item is Json => item !== null && typeof item === 'object' && !Array.isArray(item))
              .map(scalars)
          : value.filter(isScalar);
      }
    } else if (isScalar(value)) {
      const scalar = BOOLEAN_MEMBERS.has(key) ? flag(value) : value;
      if (scalar !== undefined) out[key] = scalar;
    }
  }
  return out;
}

export const cloudFormationQueryBinding = {
  toInput(_action: string, params: QueryParams): unknown {
    return toInput(params);
  },

  /** The object renderQueryResult prints inside <{Action}Result>: the output as it is, or nothing. */
  toResult(action: string, output: unknown): unknown {
    return NO_OUTPUT.has(action) ? undefined : output;
  },
};

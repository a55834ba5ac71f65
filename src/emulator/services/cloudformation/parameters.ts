// Template parameters: their types, AllowedValues/pattern/length/number constraints, and the values a deployment
// gets from the caller, UsePreviousValue or the defaults, with AWS's ValidationError wording.
import type { ParameterInput } from './records.js';
import { validationError } from './shared.js';
import { templateError, type ParameterDefinition, type Template, type TemplateValue } from './template.js';

export const PSEUDO_PARAMETER_NAMES = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId',
  'AWS::StackName', 'AWS::URLSuffix',
]);

export function isListType(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<');
}

export function checkParameterType(name: string, type: string): void {
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

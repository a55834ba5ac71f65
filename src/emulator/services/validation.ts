// Input checks the services share (a wire value shown in an error, strings, integers), each throwing the service's own errors.

/**
 * A wire value as error messages show it. String() may throw (an object whose own toString is not a function) or
 * overflow the stack (arrays nested thousands deep); both once answered 500 (test/reliability/fuzz.test.ts).
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value)?.slice(0, 256) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/** What a string check throws, in the calling service's words. */
export interface StringErrors {
  /** No value: undefined or null, and the empty string when `emptyIsMissing`. */
  missing(name: string): Error;
  /** A value that is not a string. */
  notString(value: unknown, name: string): Error;
  /** SQS counts '' as a missing parameter; CloudWatch Logs takes it as a value (and checks its length later). */
  emptyIsMissing?: boolean;
}

/** The string sent as `name`, or undefined when there is none; any other type is the service's error. */
export function optionalString(value: unknown, name: string, errors: StringErrors): string | undefined {
  if (value === undefined || value === null || (errors.emptyIsMissing && value === '')) return undefined;
  if (typeof value !== 'string') throw errors.notString(value, name);
  return value;
}

export function requiredString(value: unknown, name: string, errors: StringErrors): string {
  const text = optionalString(value, name, errors);
  if (text === undefined) throw errors.missing(name);
  return text;
}

/** What an integer must be, and what the service throws when it is not. */
export interface IntegerRule {
  min?: number;
  max?: number;
  /** Whether an integer written as digits ("5") counts: SQS takes both, CloudWatch Logs only a JSON number. */
  digitsAllowed?: boolean;
  /** A value that is not an integer or lies outside min..max. */
  invalid(value: unknown, name: string): Error;
}

/** The integer sent as `name`, or undefined when there is none. */
export function optionalInteger(value: unknown, name: string, rule: IntegerRule): number | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed =
    typeof value === 'number' ? value : rule.digitsAllowed && typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(parsed) || parsed < (rule.min ?? -Infinity) || parsed > (rule.max ?? Infinity)) {
    throw rule.invalid(value, name);
  }
  return parsed;
}

// CloudWatch Logs' rules: retention values, name patterns and limits, its errors, and the checks of request fields.
import { ServiceError } from '../../errors.js';
import { type IntegerRule, optionalInteger, type StringErrors } from '../validation.js';

/** docs/aws-semantics.md §4: the only values PutRetentionPolicy accepts. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const LOG_STREAM_NAME = /^[^:*]*$/;
const MAX_NAME_LENGTH = 512;
export const MAX_EVENTS_PER_PAGE = 10_000;
export const DAY_MS = 24 * 60 * 60 * 1000;
// PutLogEvents: events more than 2 hours ahead or 14 days behind are rejected while the rest are stored.
export const TOO_NEW_MS = 2 * 60 * 60 * 1000;
export const TOO_OLD_MS = 14 * DAY_MS;

export function invalidToken(): ServiceError {
  // docs/aws-semantics.md §4 (LS-validated test_get_log_events_invalid_token)
  return new ServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
}

// Request validation, in AWS's wording.

// CloudWatch Logs reports constraint failures as InvalidParameterException with the generic validation text
// (docs/aws-semantics.md §4: "1 validation error detected: Value '10001' at 'limit' ...", LS-validated).
export function constraintError(value: unknown, field: string, constraint: string): ServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}'`;
  return new ServiceError(
    'InvalidParameterException',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

export function typeError(field: string, expected: string): ServiceError {
  return new ServiceError('SerializationException', `The value of '${field}' must be ${expected}.`);
}

export type Input = Record<string, unknown>;

/** The SDK types say what a well-behaved client sends; the wire may carry anything, so every field is checked. */
export function fieldsOf(input: object | undefined): Input {
  return (input ?? {}) as unknown as Input;
}

/** How CloudWatch Logs answers a string field that is missing or of another type. */
export const LOGS_STRING: StringErrors = {
  missing: (field) => constraintError(undefined, field, 'Member must not be null'),
  notString: (_value, field) => typeError(field, 'a string'),
};

/** CloudWatch Logs takes integers as JSON numbers only; ranges are checked by each caller, in its own words. */
export const LOGS_INTEGER: IntegerRule = { invalid: (_value, field) => typeError(field, 'an integer') };

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw typeError(field, 'a boolean');
  return value;
}

export function optionalTimestamp(value: unknown, field: string): number | undefined {
  const time = optionalInteger(value, field, LOGS_INTEGER);
  if (time !== undefined && time < 0) throw constraintError(time, field, 'Member must have value greater than or equal to 0');
  return time;
}

export function limitOf(input: Input, max: number, fallback: number): number {
  const limit = optionalInteger(input.limit, 'limit', LOGS_INTEGER);
  if (limit === undefined) return fallback;
  if (limit < 1) throw constraintError(limit, 'limit', 'Member must have value greater than or equal to 1');
  if (limit > max) throw constraintError(limit, 'limit', `Member must have value less than or equal to ${max}`);
  return limit;
}

function checkName(name: string, field: string, pattern: RegExp, patternText: string): string {
  if (name.length > MAX_NAME_LENGTH) {
    // LS-validated test_create_log_group_invalid_name_length
    throw new ServiceError('InvalidParameterException', 'Invalid LogGroup or LogStream, both must have length less than or equal to 512.');
  }
  if (name.length < 1) throw constraintError(name, field, 'Member must have length greater than or equal to 1');
  if (!pattern.test(name)) {
    throw constraintError(name, field, `Member must satisfy regular expression pattern: ${patternText}`);
  }
  return name;
}

export const checkGroupName = (name: string, field = 'logGroupName') =>
  checkName(name, field, LOG_GROUP_NAME, '[\\.\\-_/#A-Za-z0-9]+');
export const checkStreamName = (name: string, field = 'logStreamName') => checkName(name, field, LOG_STREAM_NAME, '[^:*]*');

export function checkRetention(days: number | undefined): number {
  if (days === undefined) throw constraintError(undefined, 'retentionInDays', 'Member must not be null');
  if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
    throw constraintError(days, 'retentionInDays', `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
  }
  return days;
}

export function groupNotFound(): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
}

export function streamNotFound(): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
}

export function tagsOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError('tags', 'a map of strings');
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(value)) {
    if (typeof tag !== 'string') throw typeError(`tags.${key}`, 'a string');
    tags[key] = tag;
  }
  return tags;
}

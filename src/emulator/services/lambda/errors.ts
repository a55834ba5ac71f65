// Lambda's error answers: the ValidationException wording, InvalidParameterValue, not found, and a wire value as shown.
import { ServiceError } from '../../errors.js';

// "1 validation error detected: ..." is how Lambda words a model constraint failure; several are joined with "; ".
export function validationError(...details: string[]): ServiceError {
  const count = details.length === 1 ? '1 validation error' : `${details.length} validation errors`;
  return new ServiceError('ValidationException', `${count} detected: ${details.join('; ')}`);
}

export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterValueException', message);
}

export function notFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', message, { status: 404 });
}

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

export function checkRange(value: unknown, member: string, min: number, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validationError(`Value '${shown(value)}' at '${member}' failed to satisfy constraint: Member must be an integer`);
  }
  if (value < min) {
    throw validationError(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  }
  if (value > max) {
    throw validationError(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  }
}

// What the CloudFormation files share: AWS's plain ValidationError, JSON equality and the plain-object check.
import { ServiceError } from '../../errors.js';

export function validationError(message: string): ServiceError {
  return new ServiceError('ValidationError', message);
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

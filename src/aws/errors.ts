// Turns SDK and network failures into one clear sentence plus a hint, and tells environment failures from AWS answers.
import { DemoError, ExitCode, InterruptedError } from '../cli/errors.js';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const CREDENTIAL_ERRORS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : { message: String(error) };
}

/** The network error code behind an SDK failure, looking through `cause` (fetch and smithy wrap them). */
function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, name, cause } = asErrorLike(current);
    if (code && UNREACHABLE_CODES.has(code)) return code;
    if (name === 'TimeoutError') return 'ETIMEDOUT';
    current = cause;
  }
  return undefined;
}

export function isAbort(error: unknown): boolean {
  const { name } = asErrorLike(error);
  return error instanceof InterruptedError || name === 'AbortError';
}

/** True for failures of the environment (network, credentials, region), which stop a run instead of failing a step. */
export function isEnvironmentFailure(error: unknown): boolean {
  if (error instanceof DemoError) return error.exitCode === ExitCode.environment;
  const { name } = asErrorLike(error);
  return (
    networkCode(error) !== undefined ||
    name === 'CredentialsProviderError' ||
    name === 'TokenProviderError' ||
    CREDENTIAL_ERRORS.has(name ?? '')
  );
}

export interface Place {
  /** The endpoint the clients talk to; undefined means AWS's own endpoints. */
  endpoint?: string;
  region: string;
  /** How to name the endpoint in a sentence, e.g. "the local emulator"; defaults to its URL. */
  label?: string;
}

/** Explains an SDK failure as a DemoError with exit code 3, or returns undefined when it is not an AWS/network failure. */
export function explainAwsFailure(error: unknown, place: Place): DemoError | undefined {
  if (error instanceof DemoError) return error;
  const { name = 'Error', message = '', $metadata } = asErrorLike(error);
  const where = place.label ?? place.endpoint ?? `AWS in ${place.region}`;

  const code = networkCode(error);
  if (code) {
    return new DemoError(
      ExitCode.environment,
      `Cannot reach ${where} (${code}).`,
      place.endpoint
        ? 'Check that the endpoint is running and that --endpoint-url points at it.'
        : 'Check your network connection and --region.',
      { cause: error },
    );
  }
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return new DemoError(
      ExitCode.environment,
      `No AWS credentials were found (${message.split('\n')[0]}).`,
      'Run `aws configure` or `aws sso login`, or pass --profile / set AWS_PROFILE; or run locally with --target local.',
      { cause: error },
    );
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new DemoError(
      ExitCode.environment,
      `${where} rejected the credentials: ${message}`,
      'Refresh them (`aws sso login`, new keys) or pick another --profile.',
      { cause: error },
    );
  }
  if ($metadata) {
    const sentence = message.endsWith('.') ? message : `${message}.`;
    return new DemoError(
      ExitCode.environment,
      `${where} answered ${name}: ${sentence}`,
      /AccessDenied|not authorized/i.test(`${name} ${message}`)
        ? 'Your identity lacks a permission the lesson needs (CloudFormation, IAM, Lambda, SQS, Logs).'
        : 'Run again with --verbose for the details.',
      { cause: error },
    );
  }
  return undefined;
}

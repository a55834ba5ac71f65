// Turns SDK and network failures into one clear sentence plus a hint, and tells environment failures from AWS answers.
import { DemoError, InterruptedError } from '../errors.js';

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
/** Credentials that expired: temporary keys (STS, assume-role, MFA) past their lifetime. */
const EXPIRED_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException']);
/**
 * Credentials the region does not know: a wrong or deactivated key, or a region the account has not enabled (opt-in
 * regions answer InvalidClientTokenId or UnrecognizedClientException to every key; STS says RegionDisabledException).
 */
const UNRECOGNISED_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'RegionDisabledException',
  'OptInRequired',
  'AuthFailure',
  'MissingAuthenticationToken',
]);
const BAD_SIGNATURE = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException', 'IncompleteSignature']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError']);
/** The codes AWS services use for "slow down" (the SDK's standard retry strategy classifies the same ones). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ThrottledException',
  'SlowDown',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  cause?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : { message: String(error) };
}

/** The IAM action each failed call was making ("lambda:InvokeFunction"), recorded by the client wrappers. */
const actions = new WeakMap<object, string>();

/** Remembers which IAM action `error` came from, so an AccessDenied without one in its message can still name it. */
export function tagAction(error: unknown, action: string): void {
  if (typeof error === 'object' && error !== null && !actions.has(error)) actions.set(error, action);
}

export function actionOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? actions.get(error) : undefined;
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

/** A network failure: nothing (or nothing that answers in time) at the other end. */
export function isUnreachable(error: unknown): boolean {
  return networkCode(error) !== undefined;
}

/**
 * An answer that is not AWS's: a web page or some other HTTP server where an AWS endpoint should be (the SDK fails to
 * parse it, or finds no AWS error in it).
 */
export function isNotAws(error: unknown): boolean {
  const { name = '', message = '' } = asErrorLike(error);
  return (
    name === 'SyntaxError' ||
    /XML parse error|Deserialization error|is not valid JSON|Unexpected token|char \d+|Expected .* in JSON/i.test(message) ||
    (name === 'UnknownError' && /^UnknownError$/.test(message))
  );
}

export function isAbort(error: unknown): boolean {
  const { name } = asErrorLike(error);
  return error instanceof InterruptedError || name === 'AbortError';
}

export function isThrottling(error: unknown): boolean {
  const { name, $retryable } = asErrorLike(error);
  return THROTTLING.has(name ?? '') || $retryable?.throttling === true;
}

function isProviderError(name: string | undefined): boolean {
  return name === 'CredentialsProviderError' || name === 'TokenProviderError';
}

/** True for an AccessDenied answer, whatever the protocol calls it. */
export function isAccessDenied(error: unknown): boolean {
  const { name = '', message = '' } = asErrorLike(error);
  return ACCESS_DENIED.has(name) || (asErrorLike(error).$metadata !== undefined && /is not authorized to perform/.test(message));
}

/**
 * True for failures of the environment (network, credentials, permissions, region), which stop a run instead of
 * failing a step: no later step could do better.
 */
export function isEnvironmentFailure(error: unknown): boolean {
  if (error instanceof DemoError) return error.kind === 'environment';
  const { name = '' } = asErrorLike(error);
  return (
    networkCode(error) !== undefined ||
    isNotAws(error) ||
    isProviderError(name) ||
    EXPIRED_CREDENTIALS.has(name) ||
    UNRECOGNISED_CREDENTIALS.has(name) ||
    BAD_SIGNATURE.has(name) ||
    isAccessDenied(error)
  );
}

export interface Place {
  /** The endpoint the clients talk to; undefined means AWS's own endpoints. */
  endpoint?: string;
  region: string;
  /** How to name the endpoint in a sentence, e.g. "the local emulator"; defaults to its URL. */
  label?: string;
  /** The profile in use (--profile or AWS_PROFILE), for the commands a hint suggests. */
  profile?: string;
}

/** "User: arn:... is not authorized to perform: sqs:ReceiveMessage on resource: arn:..." -> action and resource. */
export function deniedAction(message: string): { action: string; resource?: string } | undefined {
  const match = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)(?:\s+on resource:?\s+(\S+?)[.,;]?(?:\s|$))?/i.exec(message);
  return match ? { action: match[1]!, resource: match[2] } : undefined;
}

function sentence(text: string): string {
  const trimmed = text.trim().split('\n')[0]!.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function refreshHint(place: Place): string {
  const sso = `aws sso login --profile ${place.profile ?? '<your-profile>'}`;
  return (
    `Refresh them and run again: \`${sso}\` for an SSO profile, or export new AWS_ACCESS_KEY_ID, ` +
    'AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (re-run your assume-role or MFA command).'
  );
}

/** Explains an SDK failure as an environment DemoError, or returns undefined when it is not an AWS/network failure. */
export function explainAwsFailure(error: unknown, place: Place): DemoError | undefined {
  if (error instanceof DemoError) return error;
  const { name = 'Error', message = '', $metadata } = asErrorLike(error);
  const where = place.label ?? place.endpoint ?? `AWS in ${place.region}`;
  const fail = (text: string, hint: string) => new DemoError('environment', text, hint, { cause: error });

  const code = networkCode(error);
  if (code) {
    return fail(
      `Cannot reach ${where} (${code}).`,
      place.endpoint
        ? 'Check that the endpoint is running and that --endpoint-url points at it.'
        : `Check your network connection, and that ${place.region} is a region name AWS knows (--region).`,
    );
  }
  if (isNotAws(error)) {
    return fail(
      `${where} does not answer like an AWS endpoint (what came back is no AWS response).`,
      place.endpoint
        ? `Check that ${place.endpoint} is an AWS-compatible endpoint (the lambda-async-demo emulator, LocalStack) and not a web server.`
        : 'A proxy or firewall may be answering in AWS\'s place: check HTTPS_PROXY and your network.',
    );
  }
  if (isProviderError(name)) {
    // The SSO provider reports an expired session through the provider error, not through a service answer.
    if (/expired|refresh/i.test(message)) {
      return fail(`Your AWS credentials have expired (${sentence(message).slice(0, -1)}).`, refreshHint(place));
    }
    return fail(
      `No AWS credentials were found${place.profile ? ` for the profile ${place.profile}` : ''} (${sentence(message).slice(0, -1)}).`,
      'Run `aws configure` or `aws sso login --profile <name>`, then pass --profile or set AWS_PROFILE ' +
        '(or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); or run locally with --target local.',
    );
  }
  if (EXPIRED_CREDENTIALS.has(name)) {
    return fail(`Your AWS credentials have expired (${name}: ${sentence(message).slice(0, -1)}).`, refreshHint(place));
  }
  if (UNRECOGNISED_CREDENTIALS.has(name)) {
    if (place.endpoint) {
      return fail(`${where} rejected the credentials (${name}: ${sentence(message).slice(0, -1)}).`, 'Pick another --profile, or unset AWS_PROFILE to use dummy credentials.');
    }
    return fail(
      `${where} does not accept your credentials (${name}: ${sentence(message).slice(0, -1)}).`,
      `If ${place.region} is an opt-in region, enable it for your account (AWS console, Account, AWS Regions) or pick another --region; ` +
        `otherwise the access key is wrong or deactivated: check it with \`aws sts get-caller-identity --region ${place.region}\`.`,
    );
  }
  if (BAD_SIGNATURE.has(name)) {
    return fail(
      `${where} rejected the request signature (${name}): the secret access key does not match the access key.`,
      'Check the secret key of your profile (aws configure), or pick another --profile.',
    );
  }
  if (isAccessDenied(error)) {
    const denied = deniedAction(message);
    const action = denied?.action ?? actionOf(error);
    const resource = denied?.resource ? ` on ${denied.resource}` : '';
    return fail(
      action
        ? `Your AWS identity is not allowed to call ${action}${resource} (${name}).`
        : `${where} denied a call (${name}: ${sentence(message).slice(0, -1)}).`,
      `Add ${action ?? 'the missing action'} to your IAM policy: the README section "Running against your AWS account" lists every permission the lesson needs.`,
    );
  }
  if (isThrottling(error)) {
    const action = actionOf(error);
    return fail(
      `${where} kept throttling ${action ?? 'the calls'} (${name}), even after the SDK's retries.`,
      'Wait a minute and run again: other tools in this account and region share the same API quotas.',
    );
  }
  if ($metadata) {
    return fail(`${where} answered ${name}: ${sentence(message)}`, 'Run again with --verbose for the details.');
  }
  return undefined;
}

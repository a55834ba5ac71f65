// The command line's values, one pure function each: it returns the value the commands use, or throws an OptionError.
import type { Target } from '../aws/clients.js';
import { DEFAULT_FUNCTION_NAME, DEFAULT_STACK_NAME } from '../lesson/names.js';
import { DEFAULT_HOST, DEFAULT_PORT } from '../local/settings.js';
import { BIN } from '../product.js';

/**
 * A value the command line cannot take, as one sentence and a hint (the CLI prints both and exits with code 2).
 * `name` is what the value was given as (`--port`, or `LAMBDA_ASYNC_DEMO_PORT` when it came from the environment):
 * every parser below takes it, so the sentence names what the user typed.
 */
export class OptionError extends Error {
  override readonly name = 'OptionError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** A plain decimal number (no sign, no exponent), else undefined: `-1`, `1e3` and `0x10` are not what anyone means. */
function parseNumber(text: string): number | undefined {
  return /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

/** --target (or LAMBDA_ASYNC_DEMO_TARGET): where the lesson runs. */
export function parseTarget(text: string, name = '--target'): Target {
  if (text !== 'local' && text !== 'aws') {
    throw new OptionError(`${name} must be local or aws, not '${text}'.`, 'Use --target local (the default) or --target aws.');
  }
  return text;
}

/** --endpoint-url: an http(s) URL, kept as its origin and path without a trailing slash. */
export function parseEndpointUrl(text: string, name = '--endpoint-url'): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new OptionError(`${name} must be an http(s) URL, not '${text}'.`, 'For example: --endpoint-url http://localhost:4566');
  }
  return url.origin + url.pathname.replace(/\/$/, '');
}

/** --region: the shape of an AWS region name (eu-west-1, us-gov-east-1); whether it exists is AWS's to say. */
export function parseRegion(text: string, name = '--region'): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(text)) {
    throw new OptionError(`${name} must be an AWS region name, not '${text}'.`, 'For example: --region eu-west-1');
  }
  return text;
}

/** --stack-name: what CloudFormation accepts as a stack name. */
export function parseStackName(text: string, name = '--stack-name'): string {
  if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(text)) {
    throw new OptionError(
      `${name} must be a CloudFormation stack name (a letter, then letters, digits or -), not '${text}'.`,
      `For example: ${name} ${DEFAULT_STACK_NAME}`,
    );
  }
  return text;
}

/** --function-name: what Lambda accepts as a function name. */
export function parseFunctionName(text: string, name = '--function-name'): string {
  if (!/^[a-zA-Z0-9-_]{1,64}$/.test(text)) {
    throw new OptionError(`${name} must be 1-64 letters, digits, - or _, not '${text}'.`, `For example: ${name} ${DEFAULT_FUNCTION_NAME}`);
  }
  return text;
}

/** --max-retries: MaximumRetryAttempts, 0 to 2 (Lambda's own bounds for asynchronous events). */
export function parseMaxRetries(text: string, name = '--max-retries'): number {
  const maxRetries = parseNumber(text);
  if (maxRetries === undefined || !Number.isInteger(maxRetries) || maxRetries > 2) {
    throw new OptionError(
      `${name} must be 0, 1 or 2, not '${text}'.`,
      'Lambda allows at most 2 retries of an asynchronous event: try --max-retries 2.',
    );
  }
  return maxRetries;
}

/** --retry-delays: two numbers of seconds, as milliseconds. */
export function parseRetryDelays(text: string, name = '--retry-delays'): [number, number] {
  const delays = text.split(',').map(parseNumber);
  if (delays.length !== 2 || delays.some((delay) => delay === undefined)) {
    throw new OptionError(
      `${name} must be two non-negative numbers of seconds, not '${text}'.`,
      'For example: --retry-delays 1,2 (the default: 1 s before retry 1, 2 s before retry 2).',
    );
  }
  return [Math.round(delays[0]! * 1000), Math.round(delays[1]! * 1000)];
}

/** --timeout: a positive number of seconds, as milliseconds. */
export function parseTimeout(text: string, name = '--timeout'): number {
  const seconds = parseNumber(text);
  if (seconds === undefined || seconds <= 0) {
    throw new OptionError(`${name} must be a positive number of seconds, not '${text}'.`, 'For example: --timeout 30');
  }
  return Math.round(seconds * 1000);
}

/** --port (or LAMBDA_ASYNC_DEMO_PORT): 1 to 65535; empty counts as not given, so the default. */
export function parsePort(text: string, name = '--port'): number {
  if (text === '') return DEFAULT_PORT;
  const port = parseNumber(text);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new OptionError(`${name} must be a port number from 1 to 65535, not '${text}'.`, `For example: --port ${DEFAULT_PORT} (the default).`);
  }
  return port;
}

/** --host: an address or a host name to listen on. */
export function parseHost(text: string, name = '--host'): string {
  if (!/^[A-Za-z0-9.:-]+$/.test(text)) {
    throw new OptionError(`${name} must be an address or host name, not '${text}'.`, `Leave it out to listen on ${DEFAULT_HOST} only.`);
  }
  return text;
}

/** `step <step>`: 1 to 6. */
export function parseStep(text: string): number {
  if (!/^[1-6]$/.test(text.trim())) {
    throw new OptionError(`There is no step '${text}': the steps are 1 to 6.`, `Run "${BIN} step --help" for what each step does.`);
  }
  return Number(text);
}

// Combinations: each value may be fine on its own and wrong with another.

/** --retry-delays sets the built-in emulator's delays: AWS and other endpoints keep their own. */
export function checkRetryDelaysPlace(settings: { retryDelaysGiven: boolean; target: Target; endpointUrl?: string }): void {
  if (settings.retryDelaysGiven && (settings.target === 'aws' || settings.endpointUrl)) {
    throw new OptionError(
      '--retry-delays applies to the built-in local emulator only.',
      'AWS (and other endpoints) choose their own delays: about 1 minute, then 2 minutes.',
    );
  }
}

/** `logs`: --json is one document, --follow never ends. */
export function checkLogsOutput(settings: { json: boolean; follow: boolean }): void {
  if (settings.follow && settings.json) {
    throw new OptionError(
      '--json and --follow do not go together: JSON is one document, following never ends.',
      `Use "${BIN} logs --json" for a snapshot.`,
    );
  }
}

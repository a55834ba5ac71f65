// The option parsers on their own: each value they take, as the commands get it, and each they refuse, as one sentence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkLogsOutput,
  checkRetryDelaysPlace,
  OptionError,
  parseEndpointUrl,
  parseFunctionName,
  parseHost,
  parseMaxRetries,
  parsePort,
  parseRegion,
  parseRetryDelays,
  parseStackName,
  parseStep,
  parseTarget,
  parseTimeout,
} from '../../src/cli/option-parsers.js';

/** The sentence a refused value gets, and checks it comes with a hint. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof OptionError, 'an OptionError');
    assert.ok(error.hint.length > 0, 'with a hint');
    return error.message;
  }
  assert.fail('accepted');
}

test('each parser returns the value the commands use', () => {
  assert.equal(parseTarget('aws'), 'aws');
  assert.equal(parseEndpointUrl('http://localhost:4566/'), 'http://localhost:4566');
  assert.equal(parseEndpointUrl('https://example.com/base/'), 'https://example.com/base');
  assert.equal(parseRegion('us-gov-east-1'), 'us-gov-east-1');
  assert.equal(parseStackName('Lesson-2'), 'Lesson-2');
  assert.equal(parseFunctionName('Greeter_1'), 'Greeter_1');
  assert.equal(parseMaxRetries('0'), 0);
  assert.equal(parseMaxRetries(' 1 '), 1);
  assert.deepEqual(parseRetryDelays('0.05,0.1'), [50, 100]);
  assert.equal(parseTimeout('7.5'), 7500);
  assert.equal(parsePort('5000'), 5000);
  assert.equal(parsePort(''), 4577, 'empty is not given: the default');
  assert.equal(parseHost('0.0.0.0'), '0.0.0.0');
  assert.equal(parseStep(' 6 '), 6);
});

test('a refused value is one sentence naming what was given: the flag, or the environment variable', () => {
  assert.equal(refusal(() => parseTarget('gcp')), "--target must be local or aws, not 'gcp'.");
  assert.equal(refusal(() => parseTarget('moon', 'LAMBDA_ASYNC_DEMO_TARGET')), "LAMBDA_ASYNC_DEMO_TARGET must be local or aws, not 'moon'.");
  assert.equal(refusal(() => parsePort('70000', 'LAMBDA_ASYNC_DEMO_PORT')), "LAMBDA_ASYNC_DEMO_PORT must be a port number from 1 to 65535, not '70000'.");
  assert.equal(refusal(() => parseEndpointUrl('ftp://x')), "--endpoint-url must be an http(s) URL, not 'ftp://x'.");
  assert.equal(refusal(() => parseRegion('Mars')), "--region must be an AWS region name, not 'Mars'.");
  assert.match(refusal(() => parseStackName('1stack')), /^--stack-name must be a CloudFormation stack name/);
  assert.match(refusal(() => parseFunctionName('a b')), /^--function-name must be 1-64 letters/);
  for (const text of ['3', '-1', '1.5', 'x']) assert.equal(refusal(() => parseMaxRetries(text)), `--max-retries must be 0, 1 or 2, not '${text}'.`);
  for (const text of ['x', '1', '1,-2', '1,2,3']) assert.match(refusal(() => parseRetryDelays(text)), /^--retry-delays must be two non-negative numbers of seconds/);
  for (const text of ['0', 'x', '-3']) assert.match(refusal(() => parseTimeout(text)), /^--timeout must be a positive number of seconds/);
  for (const text of ['0', '1.5', 'x', '65536']) assert.match(refusal(() => parsePort(text)), /^--port must be a port number from 1 to 65535/);
  assert.match(refusal(() => parseHost('a b')), /^--host must be an address or host name/);
  assert.equal(refusal(() => parseStep('7')), "There is no step '7': the steps are 1 to 6.");
});

test('combinations: --retry-delays only for the built-in emulator, --json not with --follow', () => {
  checkRetryDelaysPlace({ retryDelaysGiven: true, target: 'local' });
  checkRetryDelaysPlace({ retryDelaysGiven: false, target: 'aws', endpointUrl: 'http://localhost:4566' });
  assert.match(refusal(() => checkRetryDelaysPlace({ retryDelaysGiven: true, target: 'aws' })), /local emulator only/);
  assert.match(refusal(() => checkRetryDelaysPlace({ retryDelaysGiven: true, target: 'local', endpointUrl: 'http://h:1' })), /local emulator only/);
  checkLogsOutput({ json: true, follow: false });
  assert.match(refusal(() => checkLogsOutput({ json: true, follow: true })), /^--json and --follow do not go together/);
});

// The command line, parsed in-process: defaults, the environment, and every bad value as one sentence with exit code 2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { commanderSentence, parseCommandLine } from '../../src/cli/program.js';
import { captureIo as captureTo } from '../helpers/capture-io.js';

const captureIo = (env: NodeJS.ProcessEnv = {}) => captureTo(env);

async function runOptions(args: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = await parseCommandLine(['run', ...args], captureIo(env));
  assert.ok('command' in parsed && parsed.command === 'run', 'parsed as the run command');
  return parsed;
}

async function usageErrorOf(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const io = captureIo(env);
  const code = await main(args, io);
  assert.equal(code, 2, `exit code for ${args.join(' ')}`);
  assert.equal(io.out(), '', 'nothing on stdout');
  return io.err();
}

test('run without options deploys LambdaAsync with SimpleFunc in Node.js, 2 retries, 1 s and 2 s local delays', async () => {
  const { options, output } = await runOptions([]);
  assert.deepEqual(options, {
    target: 'local',
    endpointUrl: undefined,
    region: undefined,
    profile: undefined,
    stackName: 'LambdaAsync',
    functionName: 'SimpleFunc',
    maxRetries: 2,
    runtime: 'nodejs',
    retryDelaysMs: [1000, 2000],
    timeoutMs: undefined,
  });
  assert.deepEqual(output, { json: false, noColor: false, verbose: false });
});

test('every option reaches the run options', async () => {
  const { options, output } = await runOptions([
    '--stack-name', 'Lesson2', '--function-name', 'Greeter', '--max-retries', '0',
    '--retry-delays', '0.05,0.1', '--timeout', '7.5', '--region', 'eu-west-1', '--json', '--no-color', '--verbose',
  ]);
  assert.equal(options.stackName, 'Lesson2');
  assert.equal(options.functionName, 'Greeter');
  assert.equal(options.maxRetries, 0);
  assert.deepEqual(options.retryDelaysMs, [50, 100]);
  assert.equal(options.timeoutMs, 7500);
  assert.equal(options.region, 'eu-west-1');
  assert.deepEqual(output, { json: true, noColor: true, verbose: true });
});

test('LAMBDA_ASYNC_DEMO_TARGET picks the target, and --target overrides it', async () => {
  assert.equal((await runOptions([], { LAMBDA_ASYNC_DEMO_TARGET: 'aws' })).options.target, 'aws');
  assert.equal((await runOptions(['--target', 'local'], { LAMBDA_ASYNC_DEMO_TARGET: 'aws' })).options.target, 'local');
  const err = await usageErrorOf(['run'], { LAMBDA_ASYNC_DEMO_TARGET: 'moon' });
  assert.match(err, /^Error: LAMBDA_ASYNC_DEMO_TARGET must be local or aws, not 'moon'\.\nHint: /);
});

test('--endpoint-url accepts an http(s) URL and keeps its origin', async () => {
  const { options } = await runOptions(['--endpoint-url', 'http://localhost:4566/']);
  assert.equal(options.endpointUrl, 'http://localhost:4566');
  assert.match(await usageErrorOf(['run', '--endpoint-url', 'localhost:4566']), /--endpoint-url must be an http\(s\) URL/);
});

test('a bad value is one sentence and a hint, exit code 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', '--max-retries', '3'], /^Error: --max-retries must be 0, 1 or 2, not '3'\.\nHint: .+\n$/],
    [['run', '--max-retries', '-1'], /--max-retries must be 0, 1 or 2/],
    [['run', '--retry-delays', 'x'], /^Error: --retry-delays must be two non-negative numbers of seconds, not 'x'\.\nHint: .+\n$/],
    [['run', '--retry-delays', '1'], /--retry-delays must be two non-negative numbers/],
    [['run', '--retry-delays', '1,-2'], /--retry-delays must be two non-negative numbers/],
    [['run', '--timeout', '0'], /--timeout must be a positive number of seconds/],
    [['run', '--target', 'gcp'], /--target must be local or aws, not 'gcp'/],
    [['run', '--region', 'Mars'], /--region must be an AWS region name/],
    [['run', '--stack-name', '1stack'], /--stack-name must be a CloudFormation stack name/],
    [['run', '--function-name', 'a b'], /--function-name must be 1-64 letters/],
  ];
  for (const [args, expected] of cases) assert.match(await usageErrorOf(args), expected);
});

test('--retry-delays is refused for AWS, which picks its own delays', async () => {
  assert.match(await usageErrorOf(['run', '--target', 'aws', '--retry-delays', '1,2']), /applies to the built-in local emulator only/);
  assert.match(await usageErrorOf(['run', '--endpoint-url', 'http://localhost:4566', '--retry-delays', '1,2']), /local emulator only/);
  assert.equal((await runOptions(['--target', 'aws'])).options.target, 'aws');
});

test('an unknown option or command suggests the closest one, exit code 2', async () => {
  assert.equal(await usageErrorOf(['run', '--jsn']), `Error: Unknown option '--jsn': did you mean --json?\nHint: Run "lambda-async-demo run --help" for its options.\n`);
  assert.equal(await usageErrorOf(['rnu']), `Error: Unknown command 'rnu': did you mean run?\nHint: Run "lambda-async-demo --help" for the commands.\n`);
});

test('--help lists the commands and examples on stdout, exit code 0', async () => {
  const io = captureIo();
  assert.equal(await main(['--help'], io), 0);
  assert.match(io.out(), /Commands:\n\s+run \[options\]/);
  assert.match(io.out(), /Examples:\n\s+npx lambda-async-demo run /);
  assert.equal(io.err(), '');
  const runHelp = captureIo();
  assert.equal(await main(['run', '--help'], runHelp), 0);
  for (const flag of ['--target', '--endpoint-url', '--region', '--profile', '--stack-name', '--function-name', '--max-retries', '--retry-delays', '--timeout', '--json', '--no-color', '--verbose']) {
    assert.ok(runHelp.out().includes(flag), `run --help mentions ${flag}`);
  }
  assert.match(runHelp.out(), /Exit codes: 0 every check passed, 1 a check failed, 2 usage error,/);
});

test('--version prints the package version, exit code 0', async () => {
  const io = captureIo();
  assert.equal(await main(['--version'], io), 0);
  assert.match(io.out(), /^\d+\.\d+\.\d+\n$/);
});

test('no command at all prints the help to stderr, exit code 2', async () => {
  const io = captureIo();
  assert.equal(await main([], io), 2);
  assert.match(io.err(), /Usage: lambda-async-demo/);
  assert.equal(io.out(), '');
});

test("commander's messages become one sentence", () => {
  assert.equal(commanderSentence("error: unknown option '--jsn'\n(Did you mean --json?)\n"), "Unknown option '--jsn': did you mean --json?");
  assert.equal(commanderSentence("error: option '--region <region>' argument missing\n"), "Option '--region <region>' argument missing.");
});

test('an unknown command that begins a single command name suggests it, where edit distance finds nothing', async () => {
  assert.equal(await usageErrorOf(['tear']), `Error: Unknown command 'tear': did you mean teardown?\nHint: Run "lambda-async-demo --help" for the commands.\n`);
  assert.equal(await usageErrorOf(['local', 'sto']), `Error: Unknown command 'sto': did you mean stop?\nHint: Run "lambda-async-demo local --help" for its options.\n`);
});

test('--help and an unknown option still win over a bad value, from the command line or the environment', async () => {
  for (const [args, env] of [[['run', '--target', 'gcp', '--help'], {}], [['run', '--help'], { LAMBDA_ASYNC_DEMO_PORT: 'x' }]] as const) {
    const io = captureIo(env);
    assert.equal(await main([...args], io), 0);
    assert.match(io.out(), /^Usage: lambda-async-demo run/);
  }
  assert.match(await usageErrorOf(['run', '--max-retries', '9', '--jsn']), /^Error: Unknown option '--jsn'/);
});

test('the environment fills in --port and --state-dir (not given: no explicit flag), and names itself when wrong', async () => {
  const { local } = await runOptions([], { LAMBDA_ASYNC_DEMO_PORT: '5001', LAMBDA_ASYNC_DEMO_STATE_DIR: '/tmp/from-env' });
  assert.equal(local.port, 5001);
  assert.equal(local.portExplicit, false);
  assert.equal(local.stateDir, '/tmp/from-env');
  assert.equal(local.stateDirExplicit, false);
  assert.equal((await runOptions(['--port', '5002'], { LAMBDA_ASYNC_DEMO_PORT: '5001' })).local.portExplicit, true);
  assert.match(await usageErrorOf(['run'], { LAMBDA_ASYNC_DEMO_PORT: 'x' }), /^Error: LAMBDA_ASYNC_DEMO_PORT must be a port number from 1 to 65535, not 'x'\.\nHint: /);
});

test('local start takes its own --region and --retry-delays, whatever LAMBDA_ASYNC_DEMO_TARGET says', async () => {
  const parsed = await parseCommandLine(['local', 'start', '--region', 'eu-west-1', '--retry-delays', '0.1,0.2'], captureIo({ LAMBDA_ASYNC_DEMO_TARGET: 'aws' }));
  assert.ok('command' in parsed && parsed.command === 'local start');
  assert.equal(parsed.options.region, 'eu-west-1');
  assert.deepEqual(parsed.options.local.retryDelaysMs, [100, 200]);
  assert.match(await usageErrorOf(['local', 'start', '--region', 'Mars']), /^Error: --region must be an AWS region name, not 'Mars'\./);
});

// The command table (commander): commands, options with their defaults and checks, help with examples.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { Target } from '../aws/clients.js';
import type { RunOptions } from '../commands/run.js';
import { DEFAULT_FUNCTION_NAME, DEFAULT_STACK_NAME } from '../lesson/names.js';
import { DemoError, ExitCode, usageError } from './errors.js';
import type { OutputStream } from './reporter.js';

export const BIN = 'lambda-async-demo';

export interface OutputOptions {
  json: boolean;
  noColor: boolean;
  verbose: boolean;
}

export type ParsedCommandLine =
  | { command: 'run'; options: RunOptions; output: OutputOptions }
  | { exitCode: number };

interface RunFlags {
  target?: string;
  endpointUrl?: string;
  region?: string;
  profile?: string;
  stackName: string;
  functionName: string;
  maxRetries: string;
  retryDelays: string;
  timeout?: string;
  json?: boolean;
  color: boolean;
  verbose?: boolean;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const EXAMPLES = `
Examples:
  npx ${BIN} run                         the lesson, locally
  npx ${BIN} run --json > report.json    the JSON report on stdout
  npx ${BIN} run --max-retries 0         one attempt, then the DLQ
  npx ${BIN} run --retry-delays 0.2,0.4  a faster local run
  npx ${BIN} run --target aws            in your account (minutes)
`;

const RUN_NOTES = `
The local emulator runs inside this process, on 127.0.0.1, and stops with it:
no Docker, no account. Its retry delays default to 1 s then 2 s: AWS's 1 min
then 2 min, 60 times faster.

Exit codes: 0 every check passed, 1 a check failed, 2 usage error,
            3 environment or AWS error, 130 interrupted.
`;

/** Commander's own messages ("error: unknown option '--jsn'\n(Did you mean --json?)") as one sentence. */
export function commanderSentence(message: string): string {
  const text = message
    .trim()
    .replace(/^error:\s*/i, '')
    .replace(/\s*\(Did you mean (.+)\?\)\s*$/s, ': did you mean $1?');
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.?!]$/.test(sentence) ? sentence : `${sentence}.`;
}

function parseNumber(text: string): number | undefined {
  return /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

function checkName(value: string, pattern: RegExp, flag: string, rule: string): string {
  if (!pattern.test(value)) throw usageError(`${flag} must be ${rule}, not '${value}'.`, `For example: ${flag} ${flag === '--stack-name' ? DEFAULT_STACK_NAME : DEFAULT_FUNCTION_NAME}`);
  return value;
}

/** Turns the flags into RunOptions, checking each value and its combination with the target. */
export function runOptionsFrom(flags: RunFlags, explicit: (name: keyof RunFlags) => boolean, env: NodeJS.ProcessEnv): RunOptions {
  const targetText = flags.target ?? env.LAMBDA_ASYNC_DEMO_TARGET ?? 'local';
  if (targetText !== 'local' && targetText !== 'aws') {
    const source = flags.target ? '--target' : 'LAMBDA_ASYNC_DEMO_TARGET';
    throw usageError(`${source} must be local or aws, not '${targetText}'.`, 'Use --target local (the default) or --target aws.');
  }
  const target: Target = targetText;

  let endpointUrl: string | undefined;
  if (flags.endpointUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(flags.endpointUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw usageError(`--endpoint-url must be an http(s) URL, not '${flags.endpointUrl}'.`, 'For example: --endpoint-url http://localhost:4566');
    }
    endpointUrl = url.origin + url.pathname.replace(/\/$/, '');
  }

  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(flags.region)) {
    throw usageError(`--region must be an AWS region name, not '${flags.region}'.`, 'For example: --region eu-west-1');
  }

  const maxRetries = parseNumber(flags.maxRetries);
  if (maxRetries === undefined || !Number.isInteger(maxRetries) || maxRetries > 2) {
    throw usageError(`--max-retries must be 0, 1 or 2, not '${flags.maxRetries}'.`, 'Lambda allows at most 2 retries of an asynchronous event: try --max-retries 2.');
  }

  const delays = flags.retryDelays.split(',').map(parseNumber);
  if (delays.length !== 2 || delays.some((delay) => delay === undefined)) {
    throw usageError(
      `--retry-delays must be two non-negative numbers of seconds, not '${flags.retryDelays}'.`,
      'For example: --retry-delays 1,2 (the default: 1 s before retry 1, 2 s before retry 2).',
    );
  }
  if (explicit('retryDelays') && (target === 'aws' || endpointUrl)) {
    throw usageError(
      '--retry-delays applies to the built-in local emulator only.',
      'AWS (and other endpoints) choose their own delays: about 1 minute, then 2 minutes.',
    );
  }

  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    const seconds = parseNumber(flags.timeout);
    if (seconds === undefined || seconds <= 0) {
      throw usageError(`--timeout must be a positive number of seconds, not '${flags.timeout}'.`, 'For example: --timeout 30');
    }
    timeoutMs = Math.round(seconds * 1000);
  }

  return {
    target,
    endpointUrl,
    region: flags.region,
    profile: flags.profile,
    stackName: checkName(flags.stackName, /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/, '--stack-name', 'a CloudFormation stack name (a letter, then letters, digits or -)'),
    functionName: checkName(flags.functionName, /^[a-zA-Z0-9-_]{1,64}$/, '--function-name', '1-64 letters, digits, - or _'),
    maxRetries,
    retryDelaysMs: [Math.round(delays[0]! * 1000), Math.round(delays[1]! * 1000)],
    timeoutMs,
  };
}

function addLessonOptions(command: Command, env: NodeJS.ProcessEnv): Command {
  return command
    .addOption(
      new Option('--target <target>', 'where the lesson runs: local (built-in emulator) or aws (your account)').default(
        undefined,
        env.LAMBDA_ASYNC_DEMO_TARGET ? `$LAMBDA_ASYNC_DEMO_TARGET (${env.LAMBDA_ASYNC_DEMO_TARGET})` : 'local',
      ),
    )
    .option('--endpoint-url <url>', 'an AWS-compatible endpoint instead (LocalStack, a local server)')
    .option('--region <region>', 'AWS region (default: AWS_REGION, the profile, or us-east-1 locally)')
    .option('--profile <name>', 'AWS profile for --target aws (default: AWS_PROFILE or the default chain)')
    .option('--stack-name <name>', 'CloudFormation stack name', DEFAULT_STACK_NAME)
    .option('--function-name <name>', 'Lambda function name', DEFAULT_FUNCTION_NAME)
    .option('--max-retries <n>', 'MaximumRetryAttempts for async events: 0, 1 or 2', '2')
    .option('--retry-delays <a,b>', 'local emulator: seconds before retry 1 and retry 2', '1,2')
    .option('--timeout <seconds>', 'how long steps 5-6 wait for retries and the DLQ, from step 4 (default: delays + 10 s locally, 360 s on AWS)')
    .option('--json', 'print only the JSON report on stdout')
    .option('--no-color', 'no colour (also: NO_COLOR=1)')
    .option('--verbose', 'stack traces and causes with errors');
}

/**
 * Parses argv. Help and version print and give exit code 0; every usage error prints one sentence and a hint and
 * gives exit code 2 (commander's own errors included, through exitOverride).
 */
export async function parseCommandLine(
  argv: string[],
  io: { stdout: OutputStream; stderr: OutputStream; env: NodeJS.ProcessEnv },
): Promise<ParsedCommandLine> {
  let parsed: ParsedCommandLine | undefined;
  const printUsageError = (message: string, hint: string) => io.stderr.write(`Error: ${message}\nHint: ${hint}\n`);
  let commandForHint = '';

  const program = new Command(BIN)
    .description('Watch how AWS Lambda treats asynchronous invocations: 202, retries in the logs, the dead-letter queue.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text) => {
        const hint = commandForHint
          ? `Run "${BIN} ${commandForHint} --help" for its options.`
          : `Run "${BIN} --help" for the commands.`;
        printUsageError(commanderSentence(text), hint);
      },
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns ?? 80 : 80),
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns ?? 80 : 80),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  program.hook('preSubcommand', (_program, command) => {
    commandForHint = command.name();
  });

  const runCommand = program
    .command('run')
    .description('validate and deploy the stack, run the six steps, print the summary and the timeline')
    .addHelpText('after', RUN_NOTES + EXAMPLES);
  addLessonOptions(runCommand, io.env).action((flags: RunFlags, command: Command) => {
    parsed = {
      command: 'run',
      options: runOptionsFrom(flags, (name) => command.getOptionValueSource(name) === 'cli', io.env),
      output: { json: Boolean(flags.json), noColor: !flags.color, verbose: Boolean(flags.verbose) },
    };
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? ExitCode.ok : ExitCode.usage };
    if (error instanceof DemoError) {
      printUsageError(error.message, error.hint ?? `Run "${BIN} --help".`);
      return { exitCode: error.exitCode };
    }
    throw error;
  }
  // Unreachable in practice: without a command commander prints help and throws above.
  return parsed ?? { exitCode: ExitCode.usage };
}

// The command table (commander): the commands, their options with defaults and parsers, and what each action hands on.
import { readFileSync } from 'node:fs';
import { Argument, type Command, CommanderError, Option } from 'commander';
import type { Target } from '../aws/clients.js';
import type { DeployOptions } from '../commands/deploy.js';
import type { LocalStartOptions } from '../commands/local.js';
import type { LogsOptions } from '../commands/logs.js';
import type { RunOptions } from '../commands/run.js';
import type { CommandOptions } from '../commands/session.js';
import type { StepOptions } from '../commands/step.js';
import type { TeardownOptions } from '../commands/teardown.js';
import { DEFAULT_FUNCTION_NAME, DEFAULT_STACK_NAME } from '../lesson/names.js';
import { RUNTIME_FAMILIES, type RuntimeFamily } from '../lesson/runtime-family.js';
import { DEFAULT_HOST, DEFAULT_PORT, type LocalSettings, PORT_ENV, resolveStateDir, STATE_DIR_ENV } from '../local/settings.js';
import { BIN } from '../product.js';
import { CheckedOption, DemoCommand, raiseRefusedValue } from './commander.js';
import { ExitCode } from './exit-codes.js';
import { COMMAND_HELP, EXAMPLES, LOCAL_NOTES, portDefault, RUN_NOTES, stateDirDefault, WALK_EXAMPLES } from './help.js';
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
} from './option-parsers.js';
import type { OutputStream } from './reporter.js';

export interface OutputOptions {
  json: boolean;
  noColor: boolean;
  verbose: boolean;
}

/** The commands that walk the lesson by hand, and the local server's. */
export type Subcommand =
  | { command: 'deploy'; options: DeployOptions }
  | { command: 'step'; options: StepOptions }
  | { command: 'outputs'; options: CommandOptions }
  | { command: 'logs'; options: LogsOptions }
  | { command: 'teardown'; options: TeardownOptions }
  | { command: 'local start'; options: LocalStartOptions }
  | { command: 'local stop'; options: LocalSettings }
  | { command: 'local status'; options: LocalSettings };

export type ParsedCommandLine =
  | { command: 'run'; options: RunOptions; output: OutputOptions; local: LocalSettings }
  | (Subcommand & { output: OutputOptions })
  | { exitCode: number };

/** The options as commander hands them to an action, each parsed already; a command has the ones it declares. */
interface Flags {
  target?: Target;
  endpointUrl?: string;
  region?: string;
  profile?: string;
  stackName: string;
  functionName: string;
  runtime: RuntimeFamily;
  maxRetries: number;
  retryDelays?: [number, number];
  timeout?: number;
  stateDir: string;
  port: number;
  host?: string;
  json?: boolean;
  color: boolean;
  verbose?: boolean;
  follow?: boolean;
  yes?: boolean;
  detach?: boolean;
}

const DEFAULT_RETRY_DELAYS_MS: [number, number] = [1000, 2000];

/** True when the option was given on the command line (not its environment variable, not its default). */
const given = (command: Command, key: keyof Flags): boolean => command.getOptionValueSource(key) === 'cli';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** Commander's own messages ("error: unknown option '--jsn'\n(Did you mean --json?)") as one sentence. */
export function commanderSentence(message: string): string {
  const text = message
    .trim()
    .replace(/^error:\s*/i, '')
    .replace(/\s*\(Did you mean (.+)\?\)\s*$/s, ': did you mean $1?');
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.?!]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * Commander suggests by edit distance, so `tear` finds nothing: when it has no suggestion, a command the typed word
 * begins (`tear` -> teardown, `stat` -> status) is suggested instead, if only one does.
 */
function withPrefixSuggestion(message: string, parent: Command | undefined): string {
  const typed = /unknown command '([^']+)'/i.exec(message)?.[1];
  if (!typed || /Did you mean/i.test(message) || !parent) return message;
  const matches = parent.commands.map((command) => command.name()).filter((name) => name !== 'help' && name.startsWith(typed.toLowerCase()));
  return matches.length === 1 ? `${message.trimEnd()}\n(Did you mean ${matches[0]}?)` : message;
}

// What the actions hand on, built from the parsed flags.

function outputOf(flags: Flags): OutputOptions {
  return { json: Boolean(flags.json), noColor: !flags.color, verbose: Boolean(flags.verbose) };
}

/** Where the local server lives and listens; its retry delays are what a server started now gets. */
function localSettingsOf(flags: Flags, command: Command): LocalSettings {
  return {
    stateDir: flags.stateDir,
    stateDirExplicit: given(command, 'stateDir'),
    port: flags.port,
    portExplicit: given(command, 'port'),
    host: flags.host ?? DEFAULT_HOST,
    retryDelaysMs: flags.retryDelays ?? DEFAULT_RETRY_DELAYS_MS,
    retryDelaysExplicit: given(command, 'retryDelays'),
  };
}

/** A per-step command's options: the lesson's that apply to it, and the local server's. */
function commandOptionsOf(flags: Flags, command: Command): CommandOptions {
  const target = flags.target ?? 'local';
  checkRetryDelaysPlace({ retryDelaysGiven: given(command, 'retryDelays'), target, endpointUrl: flags.endpointUrl });
  return {
    target,
    endpointUrl: flags.endpointUrl,
    region: flags.region,
    profile: flags.profile,
    stackName: flags.stackName,
    functionName: flags.functionName,
    timeoutMs: flags.timeout,
    local: localSettingsOf(flags, command),
  };
}

function runOptionsOf(flags: Flags, command: Command): RunOptions {
  const { target, endpointUrl, region, profile, stackName, functionName } = commandOptionsOf(flags, command);
  return {
    target,
    endpointUrl,
    region,
    profile,
    stackName,
    functionName,
    maxRetries: flags.maxRetries,
    runtime: flags.runtime,
    retryDelaysMs: flags.retryDelays ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: flags.timeout,
  };
}

// The common options, in groups, so each command takes the ones that apply to it.

/** --target has no commander default (an action reads undefined as local): its help line has always shown none. */
function addTargetOptions(command: Command): Command {
  return command
    .addOption(
      new CheckedOption('--target <target>', 'where the lesson runs: local (built-in emulator) or aws (your account)', parseTarget).env(
        'LAMBDA_ASYNC_DEMO_TARGET',
      ),
    )
    .addOption(new CheckedOption('--endpoint-url <url>', 'an AWS-compatible endpoint instead (LocalStack, a local server)', parseEndpointUrl))
    .addOption(new CheckedOption('--region <region>', 'AWS region (default: AWS_REGION, the profile, or us-east-1 locally)', parseRegion))
    .option('--profile <name>', 'AWS profile for --target aws (default: AWS_PROFILE or the default chain)');
}

function addStackOptions(command: Command): Command {
  return command
    .addOption(new CheckedOption('--stack-name <name>', 'CloudFormation stack name', parseStackName).default(DEFAULT_STACK_NAME))
    .addOption(new CheckedOption('--function-name <name>', 'Lambda function name', parseFunctionName).default(DEFAULT_FUNCTION_NAME));
}

function addMaxRetriesOption(command: Command): Command {
  return command.addOption(
    new CheckedOption('--max-retries <n>', 'MaximumRetryAttempts for async events: 0, 1 or 2', parseMaxRetries).default(2, '"2"'),
  );
}

function addRetryDelaysOption(command: Command, description = 'local emulator: seconds before retry 1 and retry 2'): Command {
  return command.addOption(new CheckedOption('--retry-delays <a,b>', description, parseRetryDelays).default(DEFAULT_RETRY_DELAYS_MS, '"1,2"'));
}

function addTimeoutOption(command: Command, description: string): Command {
  return command.addOption(new CheckedOption('--timeout <seconds>', description, parseTimeout));
}

// Their defaults come from the environment when set, so the help says where the value comes from.
function addStateDirOption(command: Command, env: NodeJS.ProcessEnv): Command {
  return command.addOption(
    new CheckedOption('--state-dir <dir>', "the local server's state directory: stack, messages, logs, pid file", (text) =>
      resolveStateDir(text, env),
    )
      .env(STATE_DIR_ENV)
      .default(resolveStateDir(undefined, env), stateDirDefault(env)),
  );
}

function addPortOption(command: Command, env: NodeJS.ProcessEnv, description: string): Command {
  return command.addOption(new CheckedOption('--port <port>', description, parsePort).env(PORT_ENV).default(DEFAULT_PORT, portDefault(env)));
}

function addOutputOptions(command: Command, jsonDescription?: string): Command {
  if (jsonDescription) command.option('--json', jsonDescription);
  return command.option('--no-color', 'no colour (also: NO_COLOR=1)').option('--verbose', 'stack traces and causes with errors');
}

/** A per-step command's options: target, stack, the local server it may start, its own wait, output. */
function addCommandOptions(
  command: Command,
  env: NodeJS.ProcessEnv,
  own: { retryDelays: boolean; timeout?: string; json?: string },
): Command {
  addStackOptions(addTargetOptions(command));
  if (own.retryDelays) addRetryDelaysOption(command, 'local emulator: seconds before retry 1 and retry 2, if this starts it');
  if (own.timeout) addTimeoutOption(command, own.timeout);
  addStateDirOption(command, env);
  addPortOption(command, env, 'local emulator: the port it listens on, if this starts it');
  return addOutputOptions(command, own.json);
}

/** --runtime: the function's language, the template's Runtime parameter (nodejs24.x, or a python3.x runtime). */
function addRuntimeOption(command: Command): Command {
  return command.addOption(
    new Option('--runtime <language>', "the function's language: nodejs (nodejs24.x) or python (the newest python3.x this machine, or AWS, runs)")
      .choices(RUNTIME_FAMILIES)
      .default('nodejs'),
  );
}

function addLessonOptions(command: Command, env: NodeJS.ProcessEnv): Command {
  addMaxRetriesOption(addRuntimeOption(addStackOptions(addTargetOptions(command))));
  addTimeoutOption(
    addRetryDelaysOption(command),
    'how long steps 5-6 wait for retries and the DLQ, from step 4 (default: delays + 10 s locally, 360 s on AWS)',
  );
  addOutputOptions(command, 'print only the JSON report on stdout');
  // Only to find a running local server, which `run` then uses instead of an emulator of its own.
  addStateDirOption(command, env);
  return addPortOption(command, env, 'a local server on this port is used if one answers; else the emulator of this run listens there');
}

/**
 * The commands that walk the lesson by hand (deploy, step, outputs, logs, teardown) and the local server's (local
 * start|stop|status). Each action hands the parsed command to `found`.
 */
function addWalkCommands(
  program: Command,
  env: NodeJS.ProcessEnv,
  found: (subcommand: Subcommand & { output: OutputOptions }) => void,
  hintFor: (name: string) => void,
): void {
  const deploy = program
    .command('deploy')
    .description('validate the template and deploy the stack (a change set), then print its outputs');
  addMaxRetriesOption(
    addCommandOptions(deploy, env, {
      retryDelays: true,
      timeout: 'how long to wait for the stack (default: 60 s locally, 30 min on AWS)',
      json: 'print only the result as JSON on stdout',
    }),
  );
  addRuntimeOption(deploy)
    .addHelpText('after', COMMAND_HELP.deploy)
    .action((flags: Flags, command: Command) => {
      const options = commandOptionsOf(flags, command);
      found({ command: 'deploy', options: { ...options, maxRetries: flags.maxRetries, runtime: flags.runtime }, output: outputOf(flags) });
    });

  const step = program
    .command('step')
    .description('run one lesson step on its own; steps 5 and 6 check the request step 4 recorded')
    .addArgument(new Argument('<step>', 'the step, 1 to 6').argParser(parseStep));
  addCommandOptions(step, env, {
    retryDelays: true,
    timeout: 'how long steps 5-6 wait for retries and the DLQ, from step 4 (default: delays + 10 s locally, 360 s on AWS)',
    json: 'print only the JSON report on stdout',
  })
    .addHelpText('after', COMMAND_HELP.step)
    .action((stepId: number, flags: Flags, command: Command) => {
      found({ command: 'step', options: { ...commandOptionsOf(flags, command), stepId }, output: outputOf(flags) });
    });

  const outputs = program.command('outputs').description("print the stack's outputs (QueueUrl, QueueArn, FunctionName, LogGroupName)");
  addCommandOptions(outputs, env, { retryDelays: true, json: 'print the outputs as one JSON object' })
    .addHelpText('after', COMMAND_HELP.outputs)
    .action((flags: Flags, command: Command) => {
      found({ command: 'outputs', options: commandOptionsOf(flags, command), output: outputOf(flags) });
    });

  const logs = program
    .command('logs')
    .description("print the function's log lines grouped by RequestId, attempts numbered, errors highlighted")
    .option('-f, --follow', 'keep printing new lines until Ctrl-C (which ends it with exit code 0)');
  addCommandOptions(logs, env, { retryDelays: true, json: 'print the grouped lines as JSON (not with --follow)' })
    .addHelpText('after', COMMAND_HELP.logs)
    .action((flags: Flags, command: Command) => {
      checkLogsOutput({ json: Boolean(flags.json), follow: Boolean(flags.follow) });
      found({ command: 'logs', options: { ...commandOptionsOf(flags, command), follow: Boolean(flags.follow) }, output: outputOf(flags) });
    });

  const teardown = program
    .command('teardown')
    .description('delete the stack and check nothing is left (log group included); stops a local server it started')
    .option('-y, --yes', 'on AWS, delete without asking');
  addCommandOptions(teardown, env, { retryDelays: false, timeout: 'how long to wait for the deletion (default: 60 s locally, 30 min on AWS)' })
    .addHelpText('after', COMMAND_HELP.teardown)
    .action((flags: Flags, command: Command) => {
      found({ command: 'teardown', options: { ...commandOptionsOf(flags, command), yes: Boolean(flags.yes) }, output: outputOf(flags) });
    });

  const local = program
    .command('local')
    .description('the emulator as a server, for the commands above and the AWS CLI: local start|stop|status')
    .addHelpText('after', LOCAL_NOTES);
  local.hook('preSubcommand', (_local, command) => hintFor(`local ${command.name()}`));

  const start = local
    .command('start')
    .description(`serve the emulator on 127.0.0.1:${DEFAULT_PORT}; -d runs it in the background`)
    .option('-d, --detach', 'run in the background (output to server.log in the state dir); return once it answers');
  addPortOption(start, env, 'the port to listen on').addOption(
    new CheckedOption(
      '--host <host>',
      `the address to listen on (anything but ${DEFAULT_HOST} exposes the emulator: a warning says so)`,
      parseHost,
    ).default(DEFAULT_HOST),
  );
  addRetryDelaysOption(addStateDirOption(start, env)).addOption(
    new CheckedOption('--region <region>', 'the region the emulator answers for (default: AWS_REGION or us-east-1)', parseRegion),
  );
  addOutputOptions(start)
    .addHelpText('after', LOCAL_NOTES)
    .action((flags: Flags, command: Command) => {
      found({
        command: 'local start',
        options: { local: localSettingsOf(flags, command), detach: Boolean(flags.detach), region: flags.region },
        output: outputOf(flags),
      });
    });

  const serverDescription = 'the server listening on this port (without --state-dir: whichever state directory it keeps)';
  const stop = local.command('stop').description('stop the server cleanly (its state is saved); not an error when none runs');
  addOutputOptions(addPortOption(addStateDirOption(stop, env), env, serverDescription))
    .addHelpText('after', LOCAL_NOTES)
    .action((flags: Flags, command: Command) => {
      found({ command: 'local stop', options: localSettingsOf(flags, command), output: outputOf(flags) });
    });

  const status = local.command('status').description('say whether the server runs, where, its pid and the stacks it holds');
  addOutputOptions(addPortOption(addStateDirOption(status, env), env, serverDescription), 'print the status as JSON')
    .addHelpText('after', LOCAL_NOTES)
    .action((flags: Flags, command: Command) => {
      found({ command: 'local status', options: localSettingsOf(flags, command), output: outputOf(flags) });
    });
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

  const program = new DemoCommand(BIN, io.env)
    .description('Watch how AWS Lambda treats asynchronous invocations: 202, retries in the logs, the dead-letter queue.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', EXAMPLES + WALK_EXAMPLES)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (message) => {
        const text = withPrefixSuggestion(message, commandForHint ? program.commands.find((c) => c.name() === commandForHint) : program);
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
  program.hook('preAction', (_program, command) => raiseRefusedValue(command));

  const run = program
    .command('run')
    .description('validate and deploy the stack, run the six steps, print the summary and the timeline')
    .addHelpText('after', RUN_NOTES + EXAMPLES);
  addLessonOptions(run, io.env).action((flags: Flags, command: Command) => {
    parsed = { command: 'run', options: runOptionsOf(flags, command), output: outputOf(flags), local: localSettingsOf(flags, command) };
  });

  addWalkCommands(program, io.env, (subcommand) => (parsed = subcommand), (name) => (commandForHint = name));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? ExitCode.ok : ExitCode.usage };
    if (error instanceof OptionError) {
      printUsageError(error.message, error.hint);
      return { exitCode: ExitCode.usage };
    }
    throw error;
  }
  // Unreachable in practice: without a command commander prints help and throws above.
  return parsed ?? { exitCode: ExitCode.usage };
}

// The command table (commander): commands, options with their defaults and checks, help with examples.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { Target } from '../aws/clients.js';
import type { DeployOptions } from '../commands/deploy.js';
import type { LocalStartOptions } from '../commands/local.js';
import type { LogsOptions } from '../commands/logs.js';
import type { RunOptions } from '../commands/run.js';
import type { CommandOptions } from '../commands/session.js';
import type { StepOptions } from '../commands/step.js';
import type { TeardownOptions } from '../commands/teardown.js';
import { DEFAULT_FUNCTION_NAME, DEFAULT_STACK_NAME } from '../lesson/names.js';
import { RUNTIME_FAMILIES, type RuntimeFamily } from '../lesson/runtime.js';
import { DEFAULT_HOST, DEFAULT_PORT, PORT_ENV, resolveStateDir, STATE_DIR_ENV, type LocalSettings } from '../local/settings.js';
import { DemoError, ExitCode, usageError } from '../errors.js';
import type { OutputStream } from './reporter.js';

import { BIN } from '../product.js';

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

interface RunFlags {
  runtime?: string;
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

/** Where the local server lives and listens; --retry-delays is what a server started now gets. */
interface LocalFlags {
  stateDir?: string;
  port?: string;
  host?: string;
  retryDelays?: string;
}

/** The flags of a per-step command: the lesson's options that apply to it, plus its own. */
type CommandFlags = Omit<RunFlags, 'maxRetries' | 'retryDelays'> &
  LocalFlags & { maxRetries?: string; follow?: boolean; yes?: boolean; detach?: boolean };

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

function parseNumber(text: string): number | undefined {
  return /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

function checkName(value: string, pattern: RegExp, flag: string, rule: string): string {
  if (!pattern.test(value)) throw usageError(`${flag} must be ${rule}, not '${value}'.`, `For example: ${flag} ${flag === '--stack-name' ? DEFAULT_STACK_NAME : DEFAULT_FUNCTION_NAME}`);
  return value;
}

function parseRetryDelays(text: string): [number, number] {
  const delays = text.split(',').map(parseNumber);
  if (delays.length !== 2 || delays.some((delay) => delay === undefined)) {
    throw usageError(
      `--retry-delays must be two non-negative numbers of seconds, not '${text}'.`,
      'For example: --retry-delays 1,2 (the default: 1 s before retry 1, 2 s before retry 2).',
    );
  }
  return [Math.round(delays[0]! * 1000), Math.round(delays[1]! * 1000)];
}

/** The local server's settings: --state-dir/--port, else their environment variables, else the defaults. */
export function localSettingsFrom(
  flags: LocalFlags,
  explicit: (name: keyof LocalFlags) => boolean,
  env: NodeJS.ProcessEnv,
): LocalSettings {
  const portText = flags.port ?? env[PORT_ENV];
  let port = DEFAULT_PORT;
  if (portText !== undefined && portText !== '') {
    const parsed = parseNumber(portText);
    if (parsed === undefined || !Number.isInteger(parsed) || parsed < 1 || parsed > 65535) {
      throw usageError(
        `${flags.port !== undefined ? '--port' : PORT_ENV} must be a port number from 1 to 65535, not '${portText}'.`,
        `For example: --port ${DEFAULT_PORT} (the default).`,
      );
    }
    port = parsed;
  }
  const host = flags.host ?? DEFAULT_HOST;
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
    throw usageError(`--host must be an address or host name, not '${host}'.`, `Leave it out to listen on ${DEFAULT_HOST} only.`);
  }
  return {
    stateDir: resolveStateDir(flags.stateDir, env),
    stateDirExplicit: flags.stateDir !== undefined,
    port,
    portExplicit: flags.port !== undefined,
    host,
    retryDelaysMs: parseRetryDelays(flags.retryDelays ?? '1,2'),
    retryDelaysExplicit: explicit('retryDelays'),
  };
}

/** A per-step command's options: the run options that apply, checked the same way, plus the local server's. */
function commandOptionsFrom(flags: CommandFlags, explicit: (name: string) => boolean, env: NodeJS.ProcessEnv): CommandOptions {
  const checked = runOptionsFrom({ ...flags, maxRetries: flags.maxRetries ?? '2', retryDelays: flags.retryDelays ?? '1,2' }, explicit, env);
  return {
    target: checked.target,
    endpointUrl: checked.endpointUrl,
    region: checked.region,
    profile: checked.profile,
    stackName: checked.stackName,
    functionName: checked.functionName,
    timeoutMs: checked.timeoutMs,
    local: localSettingsFrom(flags, explicit, env),
  };
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

  const retryDelaysMs = parseRetryDelays(flags.retryDelays);
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
    runtime: (flags.runtime ?? 'nodejs') as RuntimeFamily,
    retryDelaysMs,
    timeoutMs,
  };
}

// The common options, in groups, so each command takes the ones that apply to it.

function addTargetOptions(command: Command, env: NodeJS.ProcessEnv): Command {
  return command
    .addOption(
      new Option('--target <target>', 'where the lesson runs: local (built-in emulator) or aws (your account)').default(
        undefined,
        env.LAMBDA_ASYNC_DEMO_TARGET ? `$LAMBDA_ASYNC_DEMO_TARGET (${env.LAMBDA_ASYNC_DEMO_TARGET})` : 'local',
      ),
    )
    .option('--endpoint-url <url>', 'an AWS-compatible endpoint instead (LocalStack, a local server)')
    .option('--region <region>', 'AWS region (default: AWS_REGION, the profile, or us-east-1 locally)')
    .option('--profile <name>', 'AWS profile for --target aws (default: AWS_PROFILE or the default chain)');
}

function addStackOptions(command: Command): Command {
  return command
    .option('--stack-name <name>', 'CloudFormation stack name', DEFAULT_STACK_NAME)
    .option('--function-name <name>', 'Lambda function name', DEFAULT_FUNCTION_NAME);
}

function addRetryDelaysOption(command: Command, description = 'local emulator: seconds before retry 1 and retry 2'): Command {
  return command.option('--retry-delays <a,b>', description, '1,2');
}

// Their defaults come from the environment when set, so the help says where the value comes from.
function addStateDirOption(command: Command, env: NodeJS.ProcessEnv): Command {
  const fallback = env[STATE_DIR_ENV]
    ? `$${STATE_DIR_ENV}, now ${env[STATE_DIR_ENV]}`
    : `$${STATE_DIR_ENV}, else $XDG_STATE_HOME/lambda-async-demo or ~/.local/state/lambda-async-demo`;
  return command.option('--state-dir <dir>', `the local server's state directory: stack, messages, logs, pid file (default: ${fallback})`);
}

function addPortOption(command: Command, env: NodeJS.ProcessEnv, description: string): Command {
  const fallback = env[PORT_ENV] ? `$${PORT_ENV}, now ${env[PORT_ENV]}` : `$${PORT_ENV}, else ${DEFAULT_PORT}`;
  return command.option('--port <port>', `${description} (default: ${fallback})`);
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
  addStackOptions(addTargetOptions(command, env));
  if (own.retryDelays) addRetryDelaysOption(command, 'local emulator: seconds before retry 1 and retry 2, if this starts it');
  if (own.timeout) command.option('--timeout <seconds>', own.timeout);
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
  addRuntimeOption(addStackOptions(addTargetOptions(command, env)))
    .option('--max-retries <n>', 'MaximumRetryAttempts for async events: 0, 1 or 2', '2');
  addRetryDelaysOption(command).option(
    '--timeout <seconds>',
    'how long steps 5-6 wait for retries and the DLQ, from step 4 (default: delays + 10 s locally, 360 s on AWS)',
  );
  addOutputOptions(command, 'print only the JSON report on stdout');
  // Only to find a running local server, which `run` then uses instead of an emulator of its own.
  addStateDirOption(command, env);
  return addPortOption(command, env, 'a local server on this port is used if one answers; else the emulator of this run listens there');
}

const WALK_EXAMPLES = `
Walk the lesson by hand, one command at a time (the local emulator starts
by itself in the background and keeps the stack between commands):
  npx ${BIN} deploy
  npx ${BIN} step 1                      ... then step 2 to step 6
  npx ${BIN} logs --follow
  npx ${BIN} teardown                    deletes the stack, stops the emulator
`;

const STEP_LIST = `
Steps:
  1  synchronous invoke with a name: HTTP 200
  2  synchronous invoke with an empty name: HTTP 200 and FunctionError
  3  asynchronous invoke with a name: 202 (its RequestId is recorded)
  4  asynchronous invoke with an empty name: 202 too (RequestId and payload recorded)
  5  step 4's RequestId in the logs once per attempt, step 3's once
     (without a recorded step 4: every RequestId logged more than once)
  6  step 4's event in the dead-letter queue, with Lambda's three attributes
     (without a recorded step 4: what the queue holds, left in place)
`;

const COMMAND_NOTES = `
On the local target these commands use the local emulator server of the state
directory; when none runs they start it in the background (say so) and
"teardown" stops it again. Exit codes: 0 ok, 1 a check failed, 2 usage error,
3 environment or AWS error (no stack: deploy first), 130 interrupted.
`;

const LOCAL_NOTES = `
The server listens on 127.0.0.1:${DEFAULT_PORT} (not LocalStack's 4566; --port or
$${PORT_ENV} changes it) and keeps its state (stacks, functions, queues
and messages, logs, pending retries) in the state directory, so a stop, a
restart or even kill -9 loses nothing it acknowledged.

Examples:
  npx ${BIN} local start -d              in the background
  npx ${BIN} local start                 in this terminal, Ctrl-C stops it
  npx ${BIN} local status
  npx ${BIN} local stop
  aws --endpoint-url http://127.0.0.1:${DEFAULT_PORT} cloudformation describe-stacks
`;

function withNotes(command: Command, notes: string): Command {
  return command.addHelpText('after', notes);
}

/**
 * The commands that walk the lesson by hand (deploy, step, outputs, logs, teardown) and the local server's (local
 * start|stop|status). Each action checks its flags and hands the parsed command to `found`.
 */
function addWalkCommands(
  program: Command,
  env: NodeJS.ProcessEnv,
  found: (subcommand: Subcommand & { output: OutputOptions }) => void,
  hintFor: (name: string) => void,
): void {
  const output = (flags: { json?: boolean; color: boolean; verbose?: boolean }): OutputOptions => ({
    json: Boolean(flags.json),
    noColor: !flags.color,
    verbose: Boolean(flags.verbose),
  });
  const explicitIn = (command: Command) => (name: string) => command.getOptionValueSource(name) === 'cli';

  const deploy = program
    .command('deploy')
    .description('validate the template and deploy the stack (a change set), then print its outputs');
  addCommandOptions(deploy, env, { retryDelays: true, timeout: 'how long to wait for the stack (default: 60 s locally, 30 min on AWS)', json: 'print only the result as JSON on stdout' })
    .option('--max-retries <n>', 'MaximumRetryAttempts for async events: 0, 1 or 2', '2');
  addRuntimeOption(deploy);
  withNotes(deploy, `${COMMAND_NOTES}
Examples:
  npx ${BIN} deploy
  npx ${BIN} deploy --max-retries 0      one attempt, then the DLQ
  npx ${BIN} deploy --target aws
`).action((flags: CommandFlags, command: Command) => {
    const options = commandOptionsFrom(flags, explicitIn(command), env);
    const checked = runOptionsFrom({ ...flags, maxRetries: flags.maxRetries ?? '2', retryDelays: flags.retryDelays ?? '1,2' }, explicitIn(command), env);
    found({ command: 'deploy', options: { ...options, maxRetries: checked.maxRetries, runtime: checked.runtime ?? 'nodejs' }, output: output(flags) });
  });

  const step = program
    .command('step')
    .description('run one lesson step on its own; steps 5 and 6 check the request step 4 recorded')
    .argument('<step>', 'the step, 1 to 6');
  addCommandOptions(step, env, {
    retryDelays: true,
    timeout: 'how long steps 5-6 wait for retries and the DLQ, from step 4 (default: delays + 10 s locally, 360 s on AWS)',
    json: 'print only the JSON report on stdout',
  });
  withNotes(step, `${STEP_LIST}${COMMAND_NOTES}
Examples:
  npx ${BIN} step 1
  npx ${BIN} step 5 --timeout 30        waits up to 30 s from step 4 for the retries
  npx ${BIN} step 6 --json
`).action((stepText: string, flags: CommandFlags, command: Command) => {
    if (!/^[1-6]$/.test(stepText.trim())) {
      throw usageError(`There is no step '${stepText}': the steps are 1 to 6.`, `Run "${BIN} step --help" for what each step does.`);
    }
    const options = commandOptionsFrom(flags, explicitIn(command), env);
    found({ command: 'step', options: { ...options, stepId: Number(stepText) }, output: output(flags) });
  });

  const outputs = program.command('outputs').description("print the stack's outputs (QueueUrl, QueueArn, FunctionName, LogGroupName)");
  addCommandOptions(outputs, env, { retryDelays: true, json: 'print the outputs as one JSON object' });
  withNotes(outputs, `${COMMAND_NOTES}
Examples:
  npx ${BIN} outputs
  npx ${BIN} outputs --json | jq -r .QueueUrl
`).action((flags: CommandFlags, command: Command) => {
    found({ command: 'outputs', options: commandOptionsFrom(flags, explicitIn(command), env), output: output(flags) });
  });

  const logs = program
    .command('logs')
    .description("print the function's log lines grouped by RequestId, attempts numbered, errors highlighted")
    .option('-f, --follow', 'keep printing new lines until Ctrl-C (which ends it with exit code 0)');
  addCommandOptions(logs, env, { retryDelays: true, json: 'print the grouped lines as JSON (not with --follow)' });
  withNotes(logs, `${COMMAND_NOTES}
Examples:
  npx ${BIN} logs
  npx ${BIN} logs --follow               new lines as they come; Ctrl-C stops
`).action((flags: CommandFlags, command: Command) => {
    if (flags.follow && flags.json) {
      throw usageError('--json and --follow do not go together: JSON is one document, following never ends.', `Use "${BIN} logs --json" for a snapshot.`);
    }
    const options = commandOptionsFrom(flags, explicitIn(command), env);
    found({ command: 'logs', options: { ...options, follow: Boolean(flags.follow) }, output: output(flags) });
  });

  const teardown = program
    .command('teardown')
    .description('delete the stack and check nothing is left (log group included); stops a local server it started')
    .option('-y, --yes', 'on AWS, delete without asking');
  addCommandOptions(teardown, env, { retryDelays: false, timeout: 'how long to wait for the deletion (default: 60 s locally, 30 min on AWS)' });
  withNotes(teardown, `${COMMAND_NOTES}
Running it again, or with no stack, is not an error ("nothing to delete").
On --target aws it asks first; without a terminal it needs --yes.

Examples:
  npx ${BIN} teardown
  npx ${BIN} teardown --target aws --yes
`).action((flags: CommandFlags, command: Command) => {
    const options = commandOptionsFrom(flags, explicitIn(command), env);
    found({ command: 'teardown', options: { ...options, yes: Boolean(flags.yes) }, output: output(flags) });
  });

  const local = program
    .command('local')
    .description('the emulator as a server, for the commands above and the AWS CLI: local start|stop|status');
  withNotes(local, LOCAL_NOTES);
  local.hook('preSubcommand', (_local, command) => hintFor(`local ${command.name()}`));

  const start = local
    .command('start')
    .description(`serve the emulator on 127.0.0.1:${DEFAULT_PORT}; -d runs it in the background`)
    .option('-d, --detach', 'run in the background (output to server.log in the state dir); return once it answers');
  addPortOption(start, env, 'the port to listen on');
  start.option('--host <host>', `the address to listen on (anything but ${DEFAULT_HOST} exposes the emulator: a warning says so)`, DEFAULT_HOST);
  addStateDirOption(start, env);
  addRetryDelaysOption(start);
  start.option('--region <region>', 'the region the emulator answers for (default: AWS_REGION or us-east-1)');
  addOutputOptions(start);
  withNotes(start, LOCAL_NOTES).action((flags: CommandFlags, command: Command) => {
    const explicit = explicitIn(command);
    // The same checks as everywhere else for --region and --retry-delays.
    const checked = runOptionsFrom(
      { stackName: DEFAULT_STACK_NAME, functionName: DEFAULT_FUNCTION_NAME, color: flags.color, region: flags.region, maxRetries: '2', retryDelays: flags.retryDelays ?? '1,2' },
      explicit,
      env,
    );
    found({
      command: 'local start',
      options: { local: localSettingsFrom(flags, explicit, env), detach: Boolean(flags.detach), region: checked.region },
      output: output(flags),
    });
  });

  const stop = local.command('stop').description('stop the server cleanly (its state is saved); not an error when none runs');
  addStateDirOption(stop, env);
  addPortOption(stop, env, 'the server listening on this port (without --state-dir: whichever state directory it keeps)');
  addOutputOptions(stop);
  withNotes(stop, LOCAL_NOTES).action((flags: CommandFlags, command: Command) => {
    found({ command: 'local stop', options: localSettingsFrom(flags, explicitIn(command), env), output: output(flags) });
  });

  const status = local.command('status').description('say whether the server runs, where, its pid and the stacks it holds');
  addStateDirOption(status, env);
  addPortOption(status, env, 'the server listening on this port (without --state-dir: whichever state directory it keeps)');
  addOutputOptions(status, 'print the status as JSON');
  withNotes(status, LOCAL_NOTES).action((flags: CommandFlags, command: Command) => {
    found({ command: 'local status', options: localSettingsFrom(flags, explicitIn(command), env), output: output(flags) });
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

  const program = new Command(BIN)
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

  const runCommand = program
    .command('run')
    .description('validate and deploy the stack, run the six steps, print the summary and the timeline')
    .addHelpText('after', RUN_NOTES + EXAMPLES);
  addLessonOptions(runCommand, io.env).action((flags: RunFlags, command: Command) => {
    const explicit = (name: string) => command.getOptionValueSource(name) === 'cli';
    parsed = {
      command: 'run',
      options: runOptionsFrom(flags, explicit, io.env),
      output: { json: Boolean(flags.json), noColor: !flags.color, verbose: Boolean(flags.verbose) },
      local: localSettingsFrom(flags, explicit, io.env),
    };
  });

  addWalkCommands(program, io.env, (subcommand) => (parsed = subcommand), (name) => (commandForHint = name));

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

// The help text: the notes and examples under each command, and how an option's default is described.
import { Help, type Option } from 'commander';
import { DEFAULT_PORT, PORT_ENV, STATE_DIR_ENV } from '../local/settings.js';
import { BIN } from '../product.js';

export const EXAMPLES = `
Examples:
  npx ${BIN} run                         the lesson, locally
  npx ${BIN} run --json > report.json    the JSON report on stdout
  npx ${BIN} run --max-retries 0         one attempt, then the DLQ
  npx ${BIN} run --retry-delays 0.2,0.4  a faster local run
  npx ${BIN} run --target aws            in your account (minutes)
`;

export const RUN_NOTES = `
The local emulator runs inside this process, on 127.0.0.1, and stops with it:
no Docker, no account. Its retry delays default to 1 s then 2 s: AWS's 1 min
then 2 min, 60 times faster.

Exit codes: 0 every check passed, 1 a check failed, 2 usage error,
            3 environment or AWS error, 130 interrupted.
`;

export const WALK_EXAMPLES = `
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

export const LOCAL_NOTES = `
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

/** The text after each per-step command's options. */
export const COMMAND_HELP = {
  deploy: `${COMMAND_NOTES}
Examples:
  npx ${BIN} deploy
  npx ${BIN} deploy --max-retries 0      one attempt, then the DLQ
  npx ${BIN} deploy --target aws
`,
  step: `${STEP_LIST}${COMMAND_NOTES}
Examples:
  npx ${BIN} step 1
  npx ${BIN} step 5 --timeout 30        waits up to 30 s from step 4 for the retries
  npx ${BIN} step 6 --json
`,
  outputs: `${COMMAND_NOTES}
Examples:
  npx ${BIN} outputs
  npx ${BIN} outputs --json | jq -r .QueueUrl
`,
  logs: `${COMMAND_NOTES}
Examples:
  npx ${BIN} logs
  npx ${BIN} logs --follow               new lines as they come; Ctrl-C stops
`,
  teardown: `${COMMAND_NOTES}
Running it again, or with no stack, is not an error ("nothing to delete").
On --target aws it asks first; without a terminal it needs --yes.

Examples:
  npx ${BIN} teardown
  npx ${BIN} teardown --target aws --yes
`,
} as const;

// The defaults that come from the environment say where the value comes from, and what it is now.

export function stateDirDefault(env: NodeJS.ProcessEnv): string {
  return env[STATE_DIR_ENV]
    ? `$${STATE_DIR_ENV}, now ${env[STATE_DIR_ENV]}`
    : `$${STATE_DIR_ENV}, else $XDG_STATE_HOME/lambda-async-demo or ~/.local/state/lambda-async-demo`;
}

export function portDefault(env: NodeJS.ProcessEnv): string {
  return env[PORT_ENV] ? `$${PORT_ENV}, now ${env[PORT_ENV]}` : `$${PORT_ENV}, else ${DEFAULT_PORT}`;
}

/**
 * Commander's help, without the "env: NAME" it adds after an option read from the environment: the defaults above
 * already name the variable, with its value.
 */
export class DemoHelp extends Help {
  override optionDescription(option: Option): string {
    if (option.envVar === undefined) return super.optionDescription(option);
    const withoutEnv: Option = Object.create(option);
    withoutEnv.envVar = undefined;
    return super.optionDescription(withoutEnv);
  }
}

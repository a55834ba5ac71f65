// The command lines hints suggest: `lambda-async-demo <command>` with the flags that address the same stack. Apart
// from the session, so `local start -d` reaches its spawn without loading the AWS client code (bench section 6).
import { BIN } from '../product.js';
import { DEFAULT_FUNCTION_NAME, DEFAULT_STACK_NAME } from '../lesson/names.js';
import { DEFAULT_PORT, STATE_DIR_ENV } from '../local/settings.js';
import type { CommandOptions } from './session.js';

/**
 * `lambda-async-demo <command>` with the flags that make it address the same stack as this command: what a hint
 * should suggest. Defaults are left out, so the common case reads short.
 */
export function commandLine(command: string, options: Partial<CommandOptions>, env: NodeJS.ProcessEnv = {}): string {
  const flags: string[] = [];
  if (options.target === 'aws' && env.LAMBDA_ASYNC_DEMO_TARGET !== 'aws') flags.push('--target aws');
  if (options.endpointUrl) flags.push(`--endpoint-url ${options.endpointUrl}`);
  if (options.region) flags.push(`--region ${options.region}`);
  if (options.profile) flags.push(`--profile ${options.profile}`);
  if (options.stackName && options.stackName !== DEFAULT_STACK_NAME) flags.push(`--stack-name ${options.stackName}`);
  if (command === 'deploy' && options.functionName && options.functionName !== DEFAULT_FUNCTION_NAME) {
    flags.push(`--function-name ${options.functionName}`);
  }
  const local = options.local;
  if (local && (options.target ?? 'local') === 'local' && !options.endpointUrl) {
    if (local.stateDirExplicit && !env[STATE_DIR_ENV]) flags.push(`--state-dir ${local.stateDir}`);
    if (command === 'local start' && local.port !== DEFAULT_PORT) flags.push(`--port ${local.port}`);
  }
  return [BIN, command, ...flags].join(' ');
}

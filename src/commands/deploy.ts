// `deploy`: validate the template and deploy the stack through a change set; the CLI then prints its outputs.
import type { Output } from '@aws-sdk/client-cloudformation';
import { deployStack, validateTemplate, type DeployResult } from '../lesson/deploy.js';
import { templateRuntime } from '../lesson/runtime.js';
import type { RuntimeFamily } from '../lesson/runtime-family.js';
import { LessonState } from '../local/lesson-state.js';
import { readTemplate } from '../lesson/template.js';
import { tracked } from './activity.js';
import { commandLine } from './command-line.js';
import type { Finished } from './outcome.js';
import { findStack, withSession, type CommandDeps, type CommandOptions } from './session.js';
import { stackWait } from '../lesson/timing.js';
import { stackHostOf } from './connection.js';

export interface DeployOptions extends CommandOptions {
  /** MaximumRetryAttempts, 0-2: the template parameter. */
  maxRetries: number;
  /** The function's language (--runtime). */
  runtime: RuntimeFamily;
}

/** What the deploy did, and the stack's outputs after it. */
export interface DeployReport extends Finished {
  stackName: string;
  action: DeployResult['action'];
  stackStatus: string;
  outputs: Output[];
}

export async function deploy(options: DeployOptions, deps: CommandDeps): Promise<DeployReport> {
  const { reporter } = deps;
  const templateBody = await readTemplate();
  const { value, notes } = await withSession(options, deps, async (session) => {
    const cfn = session.clients.cloudFormation;
    const local = Boolean(session.server);
    const wait = stackWait(stackHostOf(session.kind), 'deploy', options.timeoutMs);
    await tracked(reporter, 'Validate templates/LambdaAsync.yaml', () => validateTemplate(cfn, templateBody), () => 'valid');
    // The live resource table (a terminal) or a line per resource status (pipes, CI), as `run` shows it, on stderr;
    // the outputs go to stdout below.
    const view = reporter.deployment(`Deploy stack ${options.stackName}`);
    let result: DeployResult;
    try {
      result = await deployStack(cfn, {
        stackName: options.stackName,
        templateBody,
        parameters: {
          FunctionName: options.functionName,
          MaximumRetryAttempts: String(options.maxRetries),
          Runtime: templateRuntime(options.runtime, local),
        },
        pollIntervalMs: wait.pollMs,
        timeoutMs: wait.timeoutMs,
        signal: deps.signal,
        onStatus: (status) => view.update(status),
        onEvents: (events) => view.events(events),
        cleanupCommand: commandLine('teardown', options, deps.env),
      });
    } catch (error) {
      view.fail();
      throw error;
    }
    view.done(`${result.action} (${result.stackStatus})`);
    // A new stack means a new function: RequestIds recorded against an earlier one would only confuse steps 5 and 6.
    if (result.action === 'created') new LessonState(options.local.stateDir).forget(session.lessonPlace);

    const stack = await findStack(session, options.stackName);
    const outputs: Output[] = stack?.Outputs ?? Object.entries(result.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
    return { action: result.action, stackStatus: result.stackStatus, outputs };
  });
  return { outcome: 'ok', stackName: options.stackName, ...value, notes };
}

// `deploy`: validate the template and deploy the stack through a change set, then print its outputs.
import { deployStack, validateTemplate, type DeployResult } from '../lesson/deploy.js';
import { templateRuntime, type RuntimeFamily } from '../lesson/runtime.js';
import { LessonState } from '../local/lesson-state.js';
import { printOutputs } from './outputs.js';
import { readTemplate } from '../lesson/template.js';
import { tracked } from './activity.js';
import { commandLine } from './command-line.js';
import { findStack, withSession, type CommandDeps, type CommandOptions } from './session.js';

export interface DeployOptions extends CommandOptions {
  /** MaximumRetryAttempts, 0-2: the template parameter. */
  maxRetries: number;
  /** The function's language (--runtime). */
  runtime: RuntimeFamily;
}

export async function deploy(options: DeployOptions, deps: CommandDeps): Promise<number> {
  const { reporter } = deps;
  const templateBody = await readTemplate();
  return withSession(options, deps, async (session) => {
    const cfn = session.clients.cloudFormation;
    const local = Boolean(session.server);
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
        pollIntervalMs: local ? 100 : options.endpointUrl ? 500 : 1_500,
        timeoutMs: options.timeoutMs ?? (local ? 60_000 : 30 * 60_000),
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
    const outputs = stack?.Outputs ?? Object.entries(result.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
    if (deps.json) {
      reporter.result([
        JSON.stringify(
          {
            ok: true,
            stack: options.stackName,
            action: result.action,
            stackStatus: result.stackStatus,
            outputs: Object.fromEntries(outputs.map((output) => [output.OutputKey, output.OutputValue])),
          },
          null,
          2,
        ),
      ]);
    } else {
      printOutputs(reporter, options.stackName, outputs);
      reporter.info(`Next: ${commandLine('step 1', options, deps.env)} (then 2 to 6, one at a time).`);
    }
    return 0;
  });
}

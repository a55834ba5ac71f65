// The CLI's edge: the only code that takes argv, owns the process's warnings and Ctrl-C, prints, and picks the exit code.
import type { LocalServerInUse, RunOptions } from '../commands/run.js';
import type { DetachedLaunch } from '../commands/local.js';
import type { Finished, Outcome } from '../commands/outcome.js';
import type { CommandDeps } from '../commands/session.js';
import type { LocalSettings } from '../local/settings.js';
import type { RunReport } from '../lesson/report.js';
import { DemoError } from '../errors.js';
import { BIN } from '../product.js';
import { ExitCode, exitCodeFor, exitCodeOfOutcome } from './exit-codes.js';
import { parseCommandLine, type OutputOptions, type Subcommand } from './program.js';
import type { OutputStream, Reporter } from './reporter.js';

/**
 * The AWS SDK warns on Node 20 through process.emitWarning (NodeVersionSupportWarning), and Node flags experimental
 * features the same way: noise the user cannot act on, in the middle of the lesson. Only those two are dropped;
 * every other warning still prints as Node prints it. Installed before anything loads the SDK.
 */
function silenceUnactionableWarnings(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  const silenced = (warning: unknown, typeOrOptions: unknown): boolean => {
    const type = typeof typeOrOptions === 'string' ? typeOrOptions : (typeOrOptions as { type?: string } | undefined)?.type;
    const name = warning instanceof Error ? warning.name : type;
    const message = warning instanceof Error ? warning.message : String(warning);
    return name === 'ExperimentalWarning' || name === 'NodeVersionSupportWarning' || message.startsWith('NodeVersionSupportWarning');
  };
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    if (!silenced(warning, rest[0])) emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
silenceUnactionableWarnings();

export interface InputStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Calls `listener` on Ctrl-C; returns a function that stops listening. */
  onInterrupt(listener: () => void): () => void;
  /** Where a question's answer comes from (teardown on AWS asks); absent: nobody to ask. */
  stdin?: InputStream;
}

/** The real process: its streams and environment; a second Ctrl-C exits at once if tidying up hangs. */
export function processIo(): CliIo {
  // A reader that stops early (`run --json | head`) closes the pipe: that ends the output, not in a crash. What was
  // printed stands, and the command ends as it would have (the in-process emulator dies with the process).
  // Each stream is made (process.stdout is a getter) and guarded on first use: `--help` never builds stderr's.
  const guarded = new Set<NodeJS.WriteStream>();
  const guard = (stream: NodeJS.WriteStream): NodeJS.WriteStream => {
    if (!guarded.has(stream)) {
      guarded.add(stream);
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw error;
      });
    }
    return stream;
  };
  return {
    get stdout() {
      return guard(process.stdout);
    },
    get stderr() {
      return guard(process.stderr);
    },
    env: process.env,
    // A getter: touching process.stdin creates the stream, which only a question needs.
    get stdin() {
      return process.stdin;
    },
    onInterrupt(listener) {
      let interrupts = 0;
      const onSigint = () => {
        interrupts += 1;
        if (interrupts > 1) process.exit(ExitCode.interrupted);
        listener();
      };
      process.on('SIGINT', onSigint);
      return () => process.off('SIGINT', onSigint);
    },
  };
}

/** What to run after Ctrl-C so nothing is left behind. */
function teardownHint(options: RunOptions): string {
  if (options.target === 'local' && !options.endpointUrl) {
    return 'Nothing is left behind: the local emulator lived inside this run and stopped with it.';
  }
  const flags = [
    `--stack-name ${options.stackName}`,
    ...(options.region ? [`--region ${options.region}`] : []),
    ...(options.profile ? [`--profile ${options.profile}`] : []),
    ...(options.endpointUrl ? [`--endpoint-url ${options.endpointUrl}`] : []),
  ];
  return `The stack may be half-deployed; remove it with: aws cloudformation delete-stack ${flags.join(' ')}`;
}

/** Runs the CLI with these arguments (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = await parseCommandLine(argv, io);
  if ('exitCode' in parsed) return parsed.exitCode;
  if (parsed.command !== 'run') return runWalkCommand(parsed, io);
  const { options, output } = parsed;
  // A local server that runs (`local start`, or one a per-step command started) hosts `run` too, and keeps its stack.
  // The lesson's code loads while the state dir is checked for a running server and the reporter loads.
  const runModule = import('../commands/run.js');
  runModule.catch(() => {});
  const localServer = options.target === 'local' && !options.endpointUrl ? await localServerFor(parsed.local) : undefined;
  // --port with no server there: this run's own emulator listens on it (so the AWS CLI can watch the run).
  if (parsed.local.portExplicit && !localServer) options.port = parsed.local.port;

  // Loaded only now, so `--help` and usage errors never pay for chalk, the lesson or the SDK.
  const { createReporter } = await import('./reporter.js');
  const reporter = await createReporter(io, { noColor: output.noColor, verbose: output.verbose });
  const interruption = new AbortController();
  const stopListening = io.onInterrupt(() => interruption.abort());
  try {
    const { run } = await runModule;
    const report = await run(options, { progress: reporter.progress, signal: interruption.signal, env: io.env, localServer });
    if (output.json) {
      reporter.result([JSON.stringify(report, null, 2)]);
    } else {
      await printReport(reporter, report, options.maxRetries);
    }
    return report.ok ? ExitCode.ok : ExitCode.checkFailed;
  } catch (error) {
    const hint = localServer
      ? `The stack stays on the local server at ${localServer.url}: "${BIN} teardown" removes it.`
      : teardownHint(options);
    return reportFailure(reporter, error, interruption.signal.aborted, hint);
  } finally {
    stopListening();
  }
}

/** Prints a command's failure and returns its exit code: Ctrl-C is 130, an expected error its own, a bug 3. */
function reportFailure(reporter: Reporter, error: unknown, interrupted: boolean, interruptHint: string): number {
  if (interrupted) {
    // The command's own word wins: it knows what it created and how to remove it.
    const told = error instanceof DemoError && error.kind === 'interrupted';
    reporter.failure(told ? error : new DemoError('interrupted', 'Interrupted.', interruptHint));
    return ExitCode.interrupted;
  }
  if (error instanceof DemoError) {
    reporter.failure(error);
    return exitCodeFor(error);
  }
  reporter.bug(error);
  return ExitCode.environment;
}

async function printReport(reporter: Reporter, report: RunReport, maxRetries: number): Promise<void> {
  const [{ conclusionLines, summaryLines }, { renderTimeline }] = await Promise.all([
    import('../lesson/summary.js'),
    import('../lesson/timeline.js'),
  ]);
  const { outPaint: paint, width, glyphs } = reporter;
  reporter.result([
    '',
    ...summaryLines(report, width, paint),
    '',
    ...renderTimeline(report.timeline, { width, glyphs, paint }),
    '',
    ...conclusionLines(report, maxRetries, width, paint),
  ]);
}

/** The running local server `run` should use: the one on --port when given, else the state directory's. */
async function localServerFor(local: LocalSettings): Promise<LocalServerInUse | undefined> {
  const { findServer, stateDirOnPort } = await import('../local/server.js');
  let stateDir = local.stateDir;
  if (local.portExplicit && !local.stateDirExplicit) {
    const found = await stateDirOnPort(local.host, local.port);
    if (found === undefined || found === 'none') return undefined;
    stateDir = found;
  }
  const status = await findServer(stateDir);
  if (status.state !== 'running') return undefined;
  const { url, pid, region, retryDelaysMs } = status.record;
  return { url, pid, region, retryDelaysMs };
}

/** The per-step commands and `local ...`: the exit code is read from how each ends; failures print as one sentence and a hint. */
async function runWalkCommand(parsed: Subcommand & { output: OutputOptions }, io: CliIo): Promise<number> {
  const interruption = new AbortController();
  const stopListening = io.onInterrupt(() => interruption.abort());
  // `local start -d` spawns its server before this process loads its reporter: the server's Node boots on the other
  // core meanwhile (bench section 6). What it found, or its failure, waits for localStart, which prints it.
  const launch =
    parsed.command === 'local start' && parsed.options.detach
      ? import('../commands/local.js').then((local) => local.launchDetached(parsed.options, io.env, interruption.signal))
      : undefined;
  await launch?.catch(() => {});
  const { createReporter } = await import('./reporter.js');
  const reporter = await createReporter(io, { noColor: parsed.output.noColor, verbose: parsed.output.verbose });
  const stdin = io.stdin;
  const confirm = stdin?.isTTY ? (question: string) => askOnTerminal(question, stdin, io.stderr, interruption.signal) : undefined;
  const deps: CommandDeps = { reporter, signal: interruption.signal, env: io.env, json: parsed.output.json, ...(confirm ? { confirm } : {}) };
  try {
    return exitCodeOfOutcome(await runSubcommand(parsed, deps, launch));
  } catch (error) {
    const hint = `Whatever was created stays for the next command; "${BIN} teardown" removes the stack.`;
    return reportFailure(reporter, error, interruption.signal.aborted, hint);
  } finally {
    stopListening();
  }
}

/**
 * Runs one per-step or `local` command and prints what it returned (`local start`, `logs` and `teardown` print their
 * own as they go), then the notes it left for after its result.
 */
async function runSubcommand(parsed: Subcommand, deps: CommandDeps, launch: Promise<DetachedLaunch> | undefined): Promise<Outcome> {
  const { reporter, json, env } = deps;
  const finished = await (async (): Promise<Finished> => {
    switch (parsed.command) {
      case 'deploy': {
        const [{ deploy }, { printDeploy }] = await Promise.all([import('../commands/deploy.js'), import('./walk-reports.js')]);
        const deployed = await deploy(parsed.options, deps);
        printDeploy(reporter, deployed, json, parsed.options, env);
        return deployed;
      }
      case 'step': {
        const [{ step }, { printStep }] = await Promise.all([import('../commands/step.js'), import('./walk-reports.js')]);
        const stepped = await step(parsed.options, deps);
        printStep(reporter, stepped, json, parsed.options, env);
        return stepped;
      }
      case 'outputs': {
        const [{ outputs }, { printStackOutputs }] = await Promise.all([import('../commands/outputs.js'), import('./walk-reports.js')]);
        const found = await outputs(parsed.options, deps);
        printStackOutputs(reporter, found, json);
        return found;
      }
      case 'logs':
        return (await import('../commands/logs.js')).logs(parsed.options, deps);
      case 'teardown':
        return (await import('../commands/teardown.js')).teardown(parsed.options, deps);
      case 'local start':
        return { outcome: await (await import('../commands/local.js')).localStart(parsed.options, deps, launch), notes: [] };
      case 'local stop': {
        const [{ localStop }, { localStopLines }] = await Promise.all([import('../commands/local.js'), import('./local-reports.js')]);
        reporter.result(localStopLines(await localStop(parsed.options)));
        return { outcome: 'ok', notes: [] };
      }
      case 'local status': {
        const [{ localStatus }, { localStatusLines }] = await Promise.all([import('../commands/local.js'), import('./local-reports.js')]);
        const { lines, outcome } = localStatusLines(await localStatus(parsed.options), json, env);
        reporter.result(lines);
        return { outcome, notes: [] };
      }
    }
  })();
  for (const note of finished.notes) reporter.info(note);
  return finished.outcome;
}

/** A yes/no question on the terminal; anything but y or yes is no. It goes to stderr, where progress goes, so
 * `teardown --target aws > log` still shows it. */
async function askOnTerminal(question: string, stdin: InputStream, stderr: OutputStream, signal: AbortSignal): Promise<boolean> {
  // Loaded here, for the one command that asks: every other start (--help included) skips readline and streams.
  const [{ createInterface }, { Writable }] = await Promise.all([import('node:readline/promises'), import('node:stream')]);
  // readline wants a stream; the CLI's stderr may be any writer (a test's capture).
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      stderr.write(chunk.toString());
      done();
    },
  });
  const prompt = createInterface({ input: stdin, output, terminal: true });
  const onAbort = () => prompt.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const answer = await prompt.question(question, { signal });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    signal.removeEventListener('abort', onAbort);
    prompt.close();
  }
}

// Every byte the CLI prints goes through here: results, progress (spinner or plain lines), warnings and errors.
import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import type { Activity, DeploymentView } from '../commands/activity.js';
import type { RunProgress } from '../commands/run.js';
import { DeployBoard, renderOutputsTable, renderResourceTable, renderTransition } from '../lesson/deploy-progress.js';
import type { StepHooks } from '../lesson/steps.js';
import { asciiGlyphs, plainPaint, unicodeGlyphs, type Glyphs, type Paint } from '../lesson/paint.js';
import { formatSeconds } from '../lesson/timeline.js';
import { wrap } from '../lesson/summary.js';
import type { DemoError } from '../errors.js';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import wrapAnsi from 'wrap-ansi';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ReporterSettings {
  /** --no-color was given. */
  noColor: boolean;
  verbose: boolean;
}

export type ColorLevel = 0 | 1 | 2 | 3;

/*
 * Output policy, in one place:
 * 1. Results (the summary, the timeline, the JSON report) go to stdout; progress, warnings and errors go to stderr,
 *    so `run --json > report.json` and `run | less` get only results.
 * 2. Spinners (ora) only when stderr is a TTY with a width, TERM is not "dumb" and CI is unset: some CI runners
 *    claim a TTY.
 *    Otherwise each step prints one plain line when it ends.
 * 3. Colour, decided per stream, first rule that applies: --no-color -> none; FORCE_COLOR -> its level (0-3, as Node
 *    and chalk read it); NO_COLOR non-empty -> none; not a TTY or TERM=dumb -> none; else what the terminal supports.
 *    chalk.level is set from this, because chalk reads FORCE_COLOR but not NO_COLOR.
 * 4. Box-drawing characters where the terminal has Unicode, ASCII otherwise; pictures fit 80 columns and use a wider
 *    terminal's width (up to 120, past which lines stop being readable).
 */
export function colorLevel(
  stream: OutputStream,
  env: NodeJS.ProcessEnv,
  noColorFlag: boolean,
  detected: ColorLevel = 1,
): ColorLevel {
  if (noColorFlag) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true') return Math.max(1, stream.isTTY ? detected : 1) as ColorLevel;
    if (force === 'false') return 0;
    const level = Number.parseInt(force, 10);
    if (Number.isInteger(level)) return Math.min(3, Math.max(0, level)) as ColorLevel;
  }
  if (env.NO_COLOR) return 0;
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  return Math.max(1, detected) as ColorLevel;
}

export function isInteractive(stream: OutputStream, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  // A pty without a size (columns 0) would make ora clear an infinite number of lines.
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && env.TERM !== 'dumb' && !ci;
}

/**
 * The same test as sindresorhus/is-unicode-supported 2.1 (ora's own dependency, here taking the environment as an argument so
 * it can be tested): the Linux console and old Windows consoles lack the glyphs.
 */
export function supportsUnicode(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'win32') return env.TERM !== 'linux';
  return (
    Boolean(env.WT_SESSION) ||
    Boolean(env.TERMINUS_SUBLIME) ||
    env.ConEmuTask === '{cmd::Cmder}' ||
    env.TERM_PROGRAM === 'Terminus-Sublime' ||
    env.TERM_PROGRAM === 'vscode' ||
    env.TERM === 'xterm-256color' ||
    env.TERM === 'alacritty' ||
    env.TERM === 'rxvt-unicode' ||
    env.TERM === 'rxvt-unicode-256color' ||
    env.TERMINAL_EMULATOR === 'JetBrains-JediTerm'
  );
}

/** Typography and drawing characters a terminal without Unicode shows as boxes, and their ASCII stand-ins. */
const ASCII_STAND_INS: Record<string, string> = {
  '…': '...', '’': "'", '‘': "'", '“': '"', '”': '"', '—': '-', '–': '-', '≈': '~', '→': '->', '·': '-',
  '●': 'o', '◆': '#', '─': '-', '╰': '`', '├': '|', '┤': '|', '✔': '+', '✖': 'x', 'ℹ': 'i',
};
const NEEDS_STAND_IN = new RegExp(`[${Object.keys(ASCII_STAND_INS).join('')}]`, 'g');

function toAscii(text: string): string {
  return text.replace(NEEDS_STAND_IN, (char) => ASCII_STAND_INS[char] ?? char);
}

/**
 * The stream, writing ASCII stand-ins; everything else (isTTY, columns, what ora calls) reaches the stream itself.
 * What is assigned to it stays on the wrapper: ora replaces `write` with a hook that calls the `write` it found, and
 * had that assignment reached the stream, the stand-in writer would call the hook, which calls it back, forever
 * (TERM=linux crashed every spinner with "Maximum call stack size exceeded").
 */
/** The wrappers asciiOnly made: text measured for them is measured as it will print, stand-ins included. */
const ASCII_STREAMS = new WeakSet<object>();

function asciiOnly(stream: OutputStream): OutputStream {
  const assigned = new Map<PropertyKey, unknown>();
  const write = (chunk: unknown, ...rest: unknown[]) =>
    (stream.write as (...args: unknown[]) => unknown).call(stream, typeof chunk === 'string' ? toAscii(chunk) : chunk, ...rest);
  const wrapper = new Proxy(stream, {
    get(target, property) {
      if (assigned.has(property)) return assigned.get(property);
      if (property === 'write') return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(_target, property, value) {
      assigned.set(property, value);
      return true;
    },
  });
  ASCII_STREAMS.add(wrapper);
  return wrapper;
}

/**
 * The columns to lay output out in: the terminal's own width (40 to 120), or 80 when the output is not a terminal, so
 * piped output and snapshots do not depend on the window it was run in.
 */
export function outputWidth(stream: OutputStream): number {
  return stream.isTTY && stream.columns ? Math.max(40, Math.min(stream.columns, 120)) : 80;
}

/**
 * Lines no wider than the terminal: long lines break between words (a word longer than a line breaks inside it), and a
 * continuation keeps the line's indent, plus two. Off a terminal, text passes unchanged.
 */
export function fitToTerminal(input: string, stream: OutputStream, reserved = 0): string {
  if (!stream.isTTY || !stream.columns) return input;
  const width = outputWidth(stream) - reserved;
  const text = ASCII_STREAMS.has(stream) ? toAscii(input) : input;
  return text
    .split('\n')
    .map((line) => {
      if (stringWidth(line) <= width) return line;
      const indent = ' '.repeat(Math.min(/^ */.exec(stripAnsi(line))![0].length + 2, 12));
      const [first = '', ...rest] = wrapAnsi(line, width, { hard: true, trim: false }).split('\n');
      const continued = rest.length ? wrapAnsi(rest.join(' ').trimStart(), width - indent.length, { hard: true }).split('\n') : [];
      return [first.trimEnd(), ...continued.map((piece) => `${indent}${piece}`)].join('\n');
    })
    .join('\n');
}

/** One row of a spinner: cut with an ellipsis to what fits beside the spinner's frame. */
function oneRow(input: string, stream: OutputStream, ellipsis: string): string {
  if (!stream.isTTY || !stream.columns) return input;
  const text = ASCII_STREAMS.has(stream) ? toAscii(input) : input;
  const room = outputWidth(stream) - 3;
  const firstLine = text.split('\n')[0]!;
  if (stringWidth(firstLine) <= room) return text;
  return `${wrapAnsi(firstLine, room - ellipsis.length, { hard: true, trim: false, wordWrap: false }).split('\n')[0]}${ellipsis}`;
}

function paintWith(chalk: ChalkInstance): Paint {
  if (chalk.level === 0) return plainPaint;
  return {
    pass: (text) => chalk.green.bold(text),
    fail: (text) => chalk.red.bold(text),
    skip: (text) => chalk.yellow.bold(text),
    heading: (text) => chalk.bold.underline(text),
    label: (text) => chalk.bold(text),
    dim: (text) => chalk.dim(text),
    attempt: (text) => chalk.red(text),
    success: (text) => chalk.green(text),
    dlq: (text) => chalk.magenta.bold(text),
    gap: (text) => chalk.cyan(text),
  };
}

function detectedLevel(support: typeof supportsColor): ColorLevel {
  return support ? support.level : 1;
}

export class Reporter {
  /** Styles for what goes to stdout, and for what goes to stderr: each stream decides its own colour. */
  readonly outPaint: Paint;
  readonly errPaint: Paint;
  readonly glyphs: Glyphs;
  readonly width: number;
  private readonly symbols: { done: string; fail: string; skip: string; info: string };
  /** Spinners still turning: stopped before an error prints, or their timers would keep the process alive. */
  private readonly spinning = new Set<Ora>();

  private readonly stdout: OutputStream;
  private readonly stderr: OutputStream;

  constructor(
    stdout: OutputStream,
    stderr: OutputStream,
    env: NodeJS.ProcessEnv,
    private readonly settings: ReporterSettings,
    /** ora's factory when spinners are on (loaded only then); undefined prints plain lines. */
    private readonly spinnerFactory?: (options: { text: string; stream: OutputStream }) => Ora,
  ) {
    const outLevel = colorLevel(stdout, env, settings.noColor, detectedLevel(supportsColor));
    const errLevel = colorLevel(stderr, env, settings.noColor, detectedLevel(supportsColorStderr));
    this.outPaint = paintWith(new Chalk({ level: outLevel }));
    this.errPaint = paintWith(new Chalk({ level: errLevel }));
    const unicode = supportsUnicode(env);
    // Every byte passes through the fallback, so text written outside the glyph sets (explanations, ids) keeps too.
    this.stdout = unicode ? stdout : asciiOnly(stdout);
    this.stderr = unicode ? stderr : asciiOnly(stderr);
    this.glyphs = unicode ? unicodeGlyphs : asciiGlyphs;
    this.width = outputWidth(stdout);
    const raw = unicode ? { done: '✔', fail: '✖', skip: '–', info: 'ℹ' } : { done: '+', fail: 'x', skip: '-', info: 'i' };
    this.symbols = {
      done: this.errPaint.pass(raw.done),
      fail: this.errPaint.fail(raw.fail),
      skip: this.errPaint.skip(raw.skip),
      info: this.errPaint.dim(raw.info),
    };
  }

  /** Results: to stdout. */
  result(lines: string[]): void {
    this.stdout.write(lines.map((line) => `${fitToTerminal(line, this.stdout)}\n`).join(''));
  }

  /** Progress and notes: to stderr. */
  info(text: string): void {
    this.stderr.write(`${fitToTerminal(`${this.symbols.info} ${text}`, this.stderr)}\n`);
  }

  /** An expected failure in one sentence plus its hint; the stack only with --verbose. */
  failure(error: Pick<DemoError, 'message' | 'hint' | 'cause'>): void {
    this.stopSpinners();
    const lines = [`${this.symbols.fail} ${this.errPaint.fail(error.message)}`];
    if (error.hint) lines.push(`  ${this.errPaint.dim('Hint:')} ${error.hint}`);
    if (this.settings.verbose && error.cause) lines.push(this.errPaint.dim(stackOf(error.cause)));
    this.stderr.write(lines.map((line) => `${fitToTerminal(line, this.stderr)}\n`).join(''));
  }

  /** A bug: the message and the stack, always, since there is no hint to give. */
  bug(error: unknown): void {
    this.stopSpinners();
    this.stderr.write(
      `${this.symbols.fail} ${this.errPaint.fail('Unexpected error, most likely a bug in lambda-async-demo:')}\n` +
        `${this.errPaint.dim(stackOf(error))}\n`,
    );
  }

  private stopSpinners(): void {
    for (const spinner of this.spinning) spinner.stop();
    this.spinning.clear();
  }

  private spin(text: string): Ora | undefined {
    const spinner = this.spinnerFactory?.({ text: oneRow(text, this.stderr, this.glyphs.ellipsis), stream: this.stderr }).start();
    if (spinner) this.spinning.add(spinner);
    return spinner;
  }

  private persist(spinner: Ora, symbol: string, text: string): void {
    // ora writes the symbol and a space before the text.
    spinner.stopAndPersist({ symbol, text: fitToTerminal(text, this.stderr, 2) });
    this.spinning.delete(spinner);
  }

  /** A spinner on a terminal, else nothing until it finishes; then one line: symbol, title, outcome, time taken. */
  private activity(title: string) {
    const startedAt = Date.now();
    const spinner = this.spin(title);
    return {
      update: (text: string) => {
        if (spinner) spinner.text = oneRow(`${title} ${this.errPaint.dim(`(${text})`)}`, this.stderr, this.glyphs.ellipsis);
      },
      /** `durationMs`: the time the caller measured (a step's, as its summary shows it), else the time since it began. */
      finish: (kind: 'done' | 'fail' | 'skip', text?: string, durationMs = Date.now() - startedAt) => {
        const line = `${title}${text ? `: ${text}` : ''} ${this.errPaint.dim(`(${formatSeconds(durationMs)})`)}`;
        if (spinner) this.persist(spinner, this.symbols[kind], line);
        else this.stderr.write(`${fitToTerminal(`${this.symbols[kind]} ${line}`, this.stderr)}\n`);
      },
    };
  }

  begin(title: string): Activity {
    const activity = this.activity(title);
    return {
      update: activity.update,
      done: (text) => activity.finish('done', text),
      fail: (text) => activity.finish('fail', text),
    };
  }

  /** One activity per step, then the step's explanation, so the lesson reads as it runs. */
  lesson(total: number): StepHooks {
    const running = new Map<number, ReturnType<Reporter['activity']>>();
    const kinds = { pass: 'done', fail: 'fail', skip: 'skip' } as const;
    return {
      started: (step) => {
        const activity = this.activity(`${step.id}/${total} ${step.title}`);
        running.set(step.id, activity);
        return activity.update;
      },
      finished: (step, result) => {
        running.get(step.id)?.finish(kinds[result.status], this.errPaint[result.status](result.status.toUpperCase()), result.durationMs);
        running.delete(step.id);
        const explanation = wrap(step.explain, outputWidth(this.stderr) - 4).map((text) => `    ${this.errPaint.dim(text)}\n`);
        this.stderr.write(explanation.join(''));
      },
      // Plain output only: a spinner already shows the same countdown live.
      note: (step, text) => {
        if (!this.spinnerFactory) this.stderr.write(`    ${this.errPaint.dim(`${step.id}/${total} ${text}`)}\n`);
      },
    };
  }

  /**
   * A deploy: on a terminal, a spinner over a live table of resources (status coloured by state) redrawn in place;
   * otherwise one line per status change, as CloudFormation reports it. Then the outputs table.
   */
  deployment(title: string): DeploymentView {
    const startedAt = Date.now();
    const board = new DeployBoard();
    const spinner = this.spin(title);
    let status = '';
    const width = Math.max(40, Math.min(this.stderr.columns ?? 80, 120) - 2);
    const table = () =>
      board.resources.length > 0 ? renderResourceTable(board.resources, { paint: this.errPaint, width, ellipsis: this.glyphs.ellipsis }) : [];
    const redraw = () => {
      if (spinner) spinner.text = [`${title}${status ? ` ${this.errPaint.dim(`(${status})`)}` : ''}`, ...table()].join('\n');
    };
    const finish = (kind: 'done' | 'fail', text?: string, outputs?: Record<string, string>) => {
      const line = `${title}${text ? `: ${text}` : ''} ${this.errPaint.dim(`(${formatSeconds(Date.now() - startedAt)})`)}`;
      if (spinner) this.persist(spinner, this.symbols[kind], [line, ...table()].join('\n'));
      else this.stderr.write(`${this.symbols[kind]} ${line}\n`);
      const rows = outputs ? renderOutputsTable(outputs, this.errPaint) : [];
      if (rows.length > 0) this.stderr.write(rows.map((row) => `${fitToTerminal(row, this.stderr)}\n`).join(''));
    };
    return {
      events: (events) => {
        const transitions = board.apply(events);
        if (spinner) redraw();
        else this.stderr.write(transitions.map((transition) => `${renderTransition(transition, this.errPaint)}\n`).join(''));
      },
      update: (text) => {
        status = text;
        redraw();
      },
      done: (text, outputs) => finish('done', text, outputs),
      fail: (text) => finish('fail', text),
    };
  }

  get progress(): RunProgress {
    return {
      info: (text) => this.info(text),
      begin: (title) => this.begin(title),
      lesson: (total) => this.lesson(total),
      deployment: (title) => this.deployment(title),
    };
  }
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

/** Builds the reporter, loading ora only when a spinner will actually spin. */
export async function createReporter(
  io: { stdout: OutputStream; stderr: OutputStream; env: NodeJS.ProcessEnv },
  settings: ReporterSettings,
): Promise<Reporter> {
  let spinnerFactory: ((options: { text: string; stream: OutputStream }) => Ora) | undefined;
  if (isInteractive(io.stderr, io.env)) {
    const { default: ora } = await import('ora');
    const colour = colorLevel(io.stderr, io.env, settings.noColor, detectedLevel(supportsColorStderr)) > 0;
    spinnerFactory = ({ text, stream }) =>
      ora({ text, stream: stream as NodeJS.WritableStream, isEnabled: true, discardStdin: false, color: colour ? 'cyan' : false });
  }
  return new Reporter(io.stdout, io.stderr, io.env, settings, spinnerFactory);
}

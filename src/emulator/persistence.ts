// Server-mode state on disk: <stateDir>/state.json, written atomically, debounced, and flushed before acknowledgements.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export const STATE_FORMAT = 'lambda-async-demo-state';
export const STATE_VERSION = 1;
export const DEFAULT_SAVE_DEBOUNCE_MS = 10;
/**
 * Changes no response acknowledges (a function's log lines, written while it runs) are saved this soon. Each save
 * writes the whole state, so saving them per request instead would make every sync Invoke wait for a write that
 * grows with the log (npm run bench).
 */
export const DEFAULT_BACKGROUND_SAVE_MS = 200;

const STATE_FILE = 'state.json';
const TEMP_PREFIX = `${STATE_FILE}.tmp-`;

export interface StateFile {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  /** ISO 8601, for people reading the file. */
  savedAt: string;
  state: unknown;
}

/** The state file could not be used; it has already been moved aside, so starting again starts empty. */
export class CorruptStateError extends Error {
  constructor(
    message: string,
    readonly statePath: string,
    readonly movedTo: string,
  ) {
    super(message);
    this.name = 'CorruptStateError';
  }
}

export interface StatePersistenceOptions {
  /** How long changes may gather before one save writes them all (default 10 ms). */
  debounceMs?: number;
  /** The same for background changes only (default 200 ms). */
  backgroundSaveMs?: number;
}

/** 'background': a change no response acknowledges, so no request waits for it (context.ts, StateChange). */
export type SaveUrgency = 'acknowledged' | 'background';

type StateSource = () => unknown;

export class StatePersistence {
  readonly statePath: string;
  private readonly debounceMs: number;
  private readonly backgroundSaveMs: number;
  private source: StateSource | undefined;
  /** Changes a response may acknowledge are waiting to be written. */
  private dirty = false;
  /** Only background changes are waiting; whenSaved() does not wait for them. */
  private backgroundDirty = false;
  private timer: NodeJS.Timeout | undefined;
  /** The pending timer is the background one (longer), which an acknowledged change must not sit out. */
  private timerIsBackground = false;
  private immediate: NodeJS.Immediate | undefined;
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private tempCounter = 0;
  /** The last failed save, kept so a background failure is not lost; cleared by the next successful save. */
  lastSaveError: unknown;

  constructor(
    readonly stateDir: string,
    options: StatePersistenceOptions = {},
  ) {
    this.statePath = join(stateDir, STATE_FILE);
    this.debounceMs = options.debounceMs ?? DEFAULT_SAVE_DEBOUNCE_MS;
    this.backgroundSaveMs = options.backgroundSaveMs ?? DEFAULT_BACKGROUND_SAVE_MS;
    // The state holds function code, messages and logs: owner-only, like ~/.aws. mkdir leaves an existing
    // directory's mode alone, so a user-chosen directory is never re-permissioned behind their back.
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  }

  /**
   * The saved state, or undefined when there is none yet. A file that is not valid JSON, or not ours at this version,
   * is moved aside to state.json.corrupt-<timestamp> and reported with CorruptStateError: never silently dropped,
   * never silently overwritten. The caller decides whether to continue empty or stop.
   */
  load(): Record<string, unknown> | undefined {
    this.removeStaleTempFiles();
    let text: string;
    try {
      text = readFileSync(this.statePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const detail = text.trim() === '' ? 'it is empty' : `it is not valid JSON: ${(error as Error).message}`;
      this.moveAside(`The state file ${this.statePath} could not be read (${detail})`);
    }
    const file = parsed as Partial<StateFile> | null;
    const isOurs =
      file !== null &&
      typeof file === 'object' &&
      file.format === STATE_FORMAT &&
      file.version === STATE_VERSION &&
      file.state !== null &&
      typeof file.state === 'object' &&
      !Array.isArray(file.state);
    if (!isOurs) {
      const found =
        file !== null && typeof file === 'object' && !Array.isArray(file)
          ? `format ${JSON.stringify(file.format)}, version ${JSON.stringify(file.version)}`
          : `a JSON ${Array.isArray(file) ? 'array' : typeof file}`;
      this.moveAside(
        `The state file ${this.statePath} is not a ${STATE_FORMAT} file of version ${STATE_VERSION} (found ${found})`,
      );
    }
    return file!.state as Record<string, unknown>;
  }

  /**
   * Notes a change; one save follows within debounceMs (backgroundSaveMs for a background change), however many
   * changes arrive meanwhile.
   */
  scheduleSave(getState: StateSource, urgency: SaveUrgency = 'acknowledged'): void {
    this.source = getState;
    if (urgency === 'background') {
      this.backgroundDirty = true;
      if (this.timer || this.immediate) return;
      this.timer = setTimeout(() => this.saveFromTimer(), this.backgroundSaveMs);
      this.timerIsBackground = true;
      return;
    }
    this.dirty = true;
    if (this.immediate || (this.timer && !this.timerIsBackground)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.saveFromTimer(), this.debounceMs);
    this.timerIsBackground = false;
  }

  /**
   * Resolves once every change noted so far is on disk (at once when nothing is pending). The server awaits this
   * before writing the response of any request that changed state, so an acknowledgement is never ahead of the disk.
   * Waiting callers do not sit out the debounce: the save runs on the next turn of the event loop, which still lets
   * requests finishing together share one write.
   */
  whenSaved(): Promise<void> {
    if (!this.dirty) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.immediate) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.timerIsBackground = false;
        this.immediate = setImmediate(() => this.saveFromTimer());
      }
    });
  }

  /** Synchronous save of whatever is pending (or of getState, when given): for shutdown, where no timer will fire. */
  flush(getState?: StateSource): void {
    if (getState) {
      this.source = getState;
      this.dirty = true;
    }
    this.cancelTimers();
    if (!this.dirty && !this.backgroundDirty) return;
    this.saveNow();
  }

  /** Stops the timers without saving; flush() first when the pending changes matter. */
  dispose(): void {
    this.cancelTimers();
  }

  private cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.timerIsBackground = false;
  }

  private saveFromTimer(): void {
    this.timer = undefined;
    this.immediate = undefined;
    this.timerIsBackground = false;
    try {
      this.saveNow();
    } catch {
      // saveNow already rejected the waiters and kept the error; the state stays dirty and the next change or
      // whenSaved() tries again. A timer must never throw into the event loop and take the server down.
    }
  }

  private saveNow(): void {
    const waiters = this.waiters;
    this.waiters = [];
    try {
      // Reading and writing are synchronous, so no change can slip in between the snapshot and the write.
      this.writeAtomically(this.source ? this.source() : {});
      this.dirty = false;
      this.backgroundDirty = false;
      this.lastSaveError = undefined;
    } catch (error) {
      this.dirty = true;
      this.lastSaveError = error;
      for (const waiter of waiters) waiter.reject(error);
      throw error;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  /**
   * Write to a temp file in the same directory, then rename it over state.json. rename is atomic within one file
   * system, so after a kill -9 state.json is the old file or the new one, never half of either; a leftover temp file
   * is removed by the next load().
   *
   * No fsync: the promise is that the server's own death (a crash, kill -9) loses nothing acknowledged (DESIGN.md §5),
   * and a write that returned is in the OS's page cache, which outlives the process. Flushing it to the disk as well
   * would guard against power loss, which a local emulator does not promise, at two fsyncs (2-4 ms here) for every
   * acknowledged request: most of a warm Invoke's time (npm run bench).
   */
  private writeAtomically(state: unknown): void {
    const file: StateFile = { format: STATE_FORMAT, version: STATE_VERSION, savedAt: new Date().toISOString(), state };
    const text = JSON.stringify(file);
    const tempPath = join(this.stateDir, `${TEMP_PREFIX}${process.pid}-${++this.tempCounter}`);
    const descriptor = openSync(tempPath, 'wx', 0o600);
    try {
      try {
        writeSync(descriptor, text);
      } finally {
        closeSync(descriptor);
      }
      renameSync(tempPath, this.statePath);
    } catch (error) {
      try {
        unlinkSync(tempPath);
      } catch {
        // Already renamed or never created: nothing to clean.
      }
      throw error;
    }
  }

  private removeStaleTempFiles(): void {
    let names: string[];
    try {
      names = readdirSync(this.stateDir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      try {
        unlinkSync(join(this.stateDir, name));
      } catch {
        // Another process may have renamed it meanwhile.
      }
    }
  }

  private moveAside(problem: string): never {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    let movedTo = `${this.statePath}.corrupt-${stamp}`;
    for (let attempt = 1; existsSync(movedTo); attempt++) movedTo = `${this.statePath}.corrupt-${stamp}-${attempt}`;
    renameSync(this.statePath, movedTo);
    throw new CorruptStateError(`${problem}, so it was moved aside to ${movedTo}.`, this.statePath, movedTo);
  }
}

// Server-mode state on disk: a snapshot plus an append-only journal of changed entities, one server per directory.
//
// <stateDir>/server.lock          held (O_EXCL) by the one server using the directory, taken before anything is read
// <stateDir>/snapshot.json        every entity at generation N, replaced whole by temp file + fsync + rename
// <stateDir>/journal-<N>.jsonl    changes since that snapshot, one `{"k":key,"v":value}` (or `{"k":key}`: gone) a line
//
// A change costs its own entities: a sent message is one line, never a rewrite of the state. Compaction writes a new
// snapshot once the journal outgrows both a threshold and the snapshot, so its cost is amortised over the changes it
// folds in. docs/DEVELOPING.md has the guarantees.
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { commandLineMatches, processStamp, stillRunning } from './process-identity.js';

export const STATE_FORMAT = 'lambda-async-demo-state';
const STATE_VERSION = 2;
const DEFAULT_SAVE_DEBOUNCE_MS = 10;
/** Changes no response acknowledges (a function's log lines, written while it runs) are saved this soon. */
const DEFAULT_BACKGROUND_SAVE_MS = 200;
const DEFAULT_RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 8_000;
/** Compaction waits for a journal this large (and larger than the snapshot). LAMBDA_ASYNC_DEMO_COMPACT_BYTES overrides. */
const DEFAULT_COMPACT_BYTES = 8 * 1024 * 1024;

const SNAPSHOT_FILE = 'snapshot.json';
const LEGACY_FILE = 'state.json';
const LOCK_FILE = 'server.lock';
const TEMP_PREFIX = `${SNAPSHOT_FILE}.tmp-`;
const JOURNAL = /^journal-(\d+)\.jsonl$/;

/** Every persisted entity: a key (service-prefixed) and a plain JSON value. */
export type Entities = Map<string, unknown>;

/** Where an entity's current value is read at save time: undefined means it is gone. */
export type EntityReader = (key: string) => unknown;

interface SnapshotFile {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  /** The journal that continues this snapshot. */
  generation: number;
  /** ISO 8601, for people reading the file. */
  savedAt: string;
  entities: Array<[string, unknown]>;
}

/** The state could not be used; it has already been moved aside, so starting again starts empty. */
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

/** Another live server holds the state directory. */
export class StateLockedError extends Error {
  constructor(
    readonly stateDir: string,
    readonly holderPid: number,
    readonly holderStartedAt: string | undefined,
  ) {
    super(`The state directory ${stateDir} is in use by another lambda-async-demo server (pid ${holderPid}${holderStartedAt ? `, started ${holderStartedAt}` : ''}).`);
    this.name = 'StateLockedError';
  }
}

/** The file operations the journal needs, replaceable so tests can make the disk fail (ENOSPC, EIO, short writes). */
export interface JournalIo {
  write(fd: number, buffer: Buffer, offset: number, length: number): number;
}

export interface StatePersistenceOptions {
  /** How long changes may gather before one save writes them all (default 10 ms). */
  debounceMs?: number;
  /** The same for background changes only (default 200 ms). */
  backgroundSaveMs?: number;
  compactBytes?: number;
  /** The first pause before a failed write is tried again (default 250 ms), doubling up to 8 s. */
  retryBaseMs?: number;
  io?: JournalIo;
}

/** 'background': a change no response acknowledges, so no request waits for it (context.ts, StateChange). */
export type SaveUrgency = 'acknowledged' | 'background';

/** What load() found: entities (current format), or a whole state of the first format (state.json), to convert. */
export type LoadedState = { kind: 'entities'; entities: Entities } | { kind: 'legacy'; state: Record<string, unknown> };

/** Without a recorded stamp (a lock of an earlier version) or /proc: a live pid holds the directory if it runs Node. */
function looksLikeOurs(pid: number): boolean {
  // No /proc (macOS): the pid is alive, assume it is ours.
  return commandLineMatches(pid, /node|lambda-async-demo/) ?? true;
}

export class StatePersistence {
  readonly snapshotPath: string;
  /** What the user should know about the last load (a torn or damaged journal); the server logs these. */
  readonly notices: string[] = [];
  private readonly debounceMs: number;
  private readonly backgroundSaveMs: number;
  private readonly compactBytes: number;
  private readonly io: JournalIo;
  private reader: EntityReader = () => undefined;
  private exporter: () => Entities = () => new Map();
  /** Changed entities, each with how to read its value at save time (the attached reader when none is given). */
  private readonly dirty = new Map<string, (() => unknown) | undefined>();
  /** Changes a response may acknowledge are waiting to be written. */
  private urgent = false;
  private timer: NodeJS.Timeout | undefined;
  private timerIsBackground = false;
  private immediate: NodeJS.Immediate | undefined;
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private generation = 1;
  private journalFd: number | undefined;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private lockHeld = false;
  private tempCounter = 0;
  private readonly retryBaseMs: number;
  /** The pause before the next retry of a failed write; reset by a write that succeeds. */
  private retryMs = 0;
  /** The pending timer is a retry of a failed write: a retry failing again is not reported again. */
  private retryScheduled = false;
  /** Counts acknowledged changes: a request that leaves it as it found it changed nothing and waits for no write. */
  changeCount = 0;
  /** The last failed write, kept until the next one succeeds; onWriteError reports each failure as it happens. */
  lastSaveError: unknown;
  onWriteError: (error: unknown) => void = () => {};
  /** Called when a write succeeds after failures: the pending changes are on disk again. */
  onWriteRecovered: () => void = () => {};

  constructor(
    readonly stateDir: string,
    options: StatePersistenceOptions = {},
  ) {
    this.snapshotPath = join(stateDir, SNAPSHOT_FILE);
    this.debounceMs = options.debounceMs ?? DEFAULT_SAVE_DEBOUNCE_MS;
    this.backgroundSaveMs = options.backgroundSaveMs ?? DEFAULT_BACKGROUND_SAVE_MS;
    this.retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    this.compactBytes = options.compactBytes ?? (Number(process.env.LAMBDA_ASYNC_DEMO_COMPACT_BYTES) || DEFAULT_COMPACT_BYTES);
    this.io = options.io ?? { write: (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length) };
    // The state holds function code, messages and logs: owner-only, like ~/.aws. mkdir leaves an existing
    // directory's mode alone, so a user-chosen directory is never re-permissioned behind their back.
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  }

  /**
   * Takes the directory for this process, before anything is read: a lock file created exclusively, holding the pid.
   * A lock whose process is gone (kill -9, a restart of the machine) is taken over; a live holder is refused.
   */
  lock(): void {
    const path = join(this.stateDir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), stamp: processStamp('self') }));
        closeSync(fd);
        this.lockHeld = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let holder: { pid?: number; startedAt?: string; stamp?: string } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
      } catch {
        // Empty or half-written: its writer died between create and write, or is writing now. Retried below.
      }
      // A live pid is the holder only if it is the process that took the lock (not one that got its pid after a restart).
      if (typeof holder.pid === 'number' && stillRunning(holder.pid, holder.stamp, looksLikeOurs)) throw new StateLockedError(this.stateDir, holder.pid, holder.startedAt);
      if (typeof holder.pid !== 'number' && Date.now() - statSync(path).mtimeMs < 2_000) {
        throw new StateLockedError(this.stateDir, 0, undefined);
      }
      try {
        unlinkSync(path); // its holder is gone
      } catch {
        // Another starter took it over first: the next attempt sees its lock.
      }
    }
    throw new Error(`Could not take the lock ${path}.`);
  }

  /** Releases the directory (only a lock this object took). */
  unlock(): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    try {
      const holder = JSON.parse(readFileSync(join(this.stateDir, LOCK_FILE), 'utf8')) as { pid?: number };
      if (holder.pid === process.pid) unlinkSync(join(this.stateDir, LOCK_FILE));
    } catch {
      // Already gone.
    }
  }

  /**
   * The saved state, or undefined when there is none yet: the snapshot with its journals replayed in order. A torn last
   * journal line (a write cut short by a full disk or a power cut) is dropped; a damaged line before the end stops the
   * replay there, and that journal is moved aside and reported in `notices`. A snapshot that is not ours is moved aside
   * and reported with CorruptStateError. Then the journal is opened for appending.
   */
  load(): LoadedState | undefined {
    this.removeStaleTempFiles();
    let loaded: LoadedState | undefined;
    if (existsSync(this.snapshotPath)) {
      const snapshot = this.readSnapshot();
      this.generation = snapshot.generation;
      loaded = { kind: 'entities', entities: new Map(snapshot.entities) };
    } else if (existsSync(join(this.stateDir, LEGACY_FILE))) {
      loaded = { kind: 'legacy', state: this.readLegacy() };
    }
    const journals = this.journalGenerations();
    const replayed: Entities = loaded?.kind === 'entities' ? loaded.entities : new Map();
    let anyJournal = false;
    for (const generation of journals) {
      if (generation < this.generation) {
        // Folded into the snapshot already: compaction was cut short before deleting it.
        unlinkSync(this.journalPath(generation));
        continue;
      }
      anyJournal = this.replay(generation, replayed) || anyJournal;
      this.generation = Math.max(this.generation, generation);
    }
    if (!loaded && anyJournal) loaded = { kind: 'entities', entities: replayed };
    this.openJournal();
    return loaded;
  }

  /** Where save() reads changed entities, and where compaction reads all of them. */
  attach(reader: EntityReader, exporter: () => Entities): void {
    this.reader = reader;
    this.exporter = exporter;
  }

  /** Marks one entity changed, without scheduling a save: changed() does that. */
  mark(key: string, read?: () => unknown): void {
    this.dirty.set(key, read);
  }

  /** Notes changed entities; one save follows within debounceMs (backgroundSaveMs for a background change). */
  changed(keys: Iterable<string>, urgency: SaveUrgency = 'acknowledged'): void {
    for (const key of keys) this.dirty.set(key, undefined);
    if (urgency === 'background') {
      if (this.timer || this.immediate) return;
      this.timer = setTimeout(() => this.saveFromTimer(), this.backgroundSaveMs);
      this.timerIsBackground = true;
      return;
    }
    this.urgent = true;
    this.changeCount++;
    if (this.immediate || (this.timer && !this.timerIsBackground)) return;
    if (this.timer) clearTimeout(this.timer);
    this.retryScheduled = false;
    this.timer = setTimeout(() => this.saveFromTimer(), this.debounceMs);
    this.timerIsBackground = false;
  }

  /**
   * Resolves once every acknowledged change noted so far is on disk (at once when none is pending). The server awaits
   * this before writing the response of any request that changed state. Requests finishing together share one write.
   * `changeCountBefore`, the changeCount a request started with: when no change came since, the request answers at
   * once, so reads go on while the disk refuses writes (the refused changes are retried in the background).
   */
  whenSaved(changeCountBefore?: number): Promise<void> {
    if (!this.urgent || changeCountBefore === this.changeCount) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.immediate) {
        if (this.timer) clearTimeout(this.timer);
        this.retryScheduled = false;
        this.timer = undefined;
        this.timerIsBackground = false;
        this.immediate = setImmediate(() => this.saveFromTimer());
      }
    });
  }

  /** Synchronous save of whatever is pending: for shutdown, where no timer will fire. Then the journal is closed. */
  flush(): void {
    this.cancelTimers();
    if (this.dirty.size > 0) this.saveNow();
  }

  /** Writes a whole snapshot now and starts a new journal (also converts a state.json of the first format). */
  compact(): void {
    const entities = this.exporter();
    const next = this.generation + 1;
    const file: SnapshotFile = {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      generation: next,
      savedAt: new Date().toISOString(),
      entities: [...entities],
    };
    const text = JSON.stringify(file);
    const tempPath = join(this.stateDir, `${TEMP_PREFIX}${process.pid}-${++this.tempCounter}`);
    try {
      const fd = openSync(tempPath, 'wx', 0o600);
      try {
        writeFileSync(fd, text);
        // The snapshot replaces history: it must be whole on disk before the rename makes it the truth.
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      crashPoint('snapshot-written');
      // The new journal exists before the snapshot that points at it; a crash in between replays both journals.
      const nextJournal = openSync(this.journalPath(next), 'a', 0o600);
      renameSync(tempPath, this.snapshotPath);
      this.fsyncDirectory();
      crashPoint('snapshot-renamed');
      if (this.journalFd !== undefined) closeSync(this.journalFd);
      const previous = this.generation;
      this.journalFd = nextJournal;
      this.generation = next;
      this.journalBytes = 0;
      this.snapshotBytes = Buffer.byteLength(text);
      for (const generation of this.journalGenerations()) if (generation <= previous) unlinkSync(this.journalPath(generation));
      if (existsSync(join(this.stateDir, LEGACY_FILE))) unlinkSync(join(this.stateDir, LEGACY_FILE));
    } catch (error) {
      try {
        unlinkSync(tempPath);
      } catch {
        // Renamed already, or never created.
      }
      throw error;
    }
  }

  /** Stops the timers and closes the journal without saving; flush() first when the pending changes matter. */
  dispose(): void {
    this.cancelTimers();
    if (this.journalFd !== undefined) closeSync(this.journalFd);
    this.journalFd = undefined;
    this.unlock();
  }

  private cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.retryScheduled = false;
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.timerIsBackground = false;
  }

  private saveFromTimer(): void {
    const isRetry = this.retryScheduled;
    this.retryScheduled = false;
    this.timer = undefined;
    this.immediate = undefined;
    this.timerIsBackground = false;
    try {
      this.saveNow(isRetry);
    } catch {
      // saveNow rejected the waiters, reported the error and kept the changes. They are tried again after a pause
      // (250 ms, doubling up to 8 s), or sooner by the next change; nothing waits for a request to come along. A timer
      // must never throw into the event loop and take the server down.
      this.retryMs = this.retryMs === 0 ? this.retryBaseMs : Math.min(this.retryMs * 2, RETRY_CAP_MS);
      if (!this.timer && !this.immediate) {
        this.timer = setTimeout(() => this.saveFromTimer(), this.retryMs);
        this.timerIsBackground = true;
        this.retryScheduled = true;
      }
    }
  }

  /** `isRetry`: the background retry of a failed write, which reports only its success (onWriteRecovered). */
  private saveNow(isRetry = false): void {
    const waiters = this.waiters;
    this.waiters = [];
    try {
      // Reading and writing are synchronous, so no change can slip in between reading the entities and the write.
      let text = '';
      for (const [key, read] of this.dirty) {
        const value = read ? read() : this.reader(key);
        text += value === undefined ? `${JSON.stringify({ k: key })}\n` : `${JSON.stringify({ k: key, v: value })}\n`;
      }
      this.append(Buffer.from(text, 'utf8'));
      this.dirty.clear();
      this.urgent = false;
      if (this.lastSaveError !== undefined) this.onWriteRecovered();
      this.lastSaveError = undefined;
      this.retryMs = 0;
      if (this.journalBytes > this.compactBytes && this.journalBytes > this.snapshotBytes) this.compact();
    } catch (error) {
      this.lastSaveError = error;
      if (!isRetry || waiters.length > 0) this.onWriteError(error);
      for (const waiter of waiters) waiter.reject(error);
      throw error;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  /**
   * One append of whole lines. No fsync: the promise is that the server's own death (a crash, kill -9) loses nothing
   * acknowledged (docs/DESIGN.md §5), and a write that returned is in the OS's page cache, which outlives the process.
   * A failed or short write is cut back off the file, so the journal never holds half a line followed by more lines.
   */
  private append(buffer: Buffer): void {
    if (this.journalFd === undefined) this.openJournal();
    const fd = this.journalFd!;
    let written = 0;
    try {
      while (written < buffer.length) {
        const count = this.io.write(fd, buffer, written, buffer.length - written);
        if (count <= 0) throw Object.assign(new Error('short write to the journal (is the disk full?)'), { code: 'ENOSPC' });
        written += count;
      }
    } catch (error) {
      try {
        ftruncateSync(fd, this.journalBytes);
      } catch {
        // The file cannot even be cut back: the torn line is dropped by the next load instead.
      }
      throw error;
    }
    this.journalBytes += buffer.length;
  }

  private openJournal(): void {
    const path = this.journalPath(this.generation);
    this.journalFd = openSync(path, 'a', 0o600);
    this.journalBytes = statSync(path).size;
    this.snapshotBytes = existsSync(this.snapshotPath) ? statSync(this.snapshotPath).size : 0;
  }

  private journalPath(generation: number): string {
    return join(this.stateDir, `journal-${generation}.jsonl`);
  }

  private journalGenerations(): number[] {
    return readdirSync(this.stateDir)
      .map((name) => JOURNAL.exec(name)?.[1])
      .filter((generation): generation is string => generation !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Applies one journal to `entities`; true when it held any record. */
  private replay(generation: number, entities: Entities): boolean {
    const path = this.journalPath(generation);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    // Text after the last newline is a record whose write was cut short (a full disk, a power cut): never acknowledged.
    const torn = lines.pop()!;
    let applied = 0;
    let goodBytes = 0;
    for (let index = 0; index < lines.length; index++) {
      const record = parseRecord(lines[index]!);
      if (!record) {
        const movedTo = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        renameSync(path, movedTo);
        writeFileSync(path, text.slice(0, goodBytes), { mode: 0o600 });
        this.notices.push(
          `The journal ${path} was damaged at line ${index + 1}; the changes before it were restored, and the file was kept as ${movedTo}.`,
        );
        return applied > 0;
      }
      if ('v' in record) entities.set(record.k, record.v);
      else entities.delete(record.k);
      applied++;
      goodBytes += Buffer.byteLength(lines[index]!) + 1;
    }
    if (torn !== '') truncateFile(path, goodBytes);
    return applied > 0;
  }

  private readSnapshot(): SnapshotFile {
    let parsed: unknown;
    const text = readFileSync(this.snapshotPath, 'utf8');
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const detail = text.trim() === '' ? 'it is empty' : `it is not valid JSON: ${(error as Error).message}`;
      this.moveAside(this.snapshotPath, `The state file ${this.snapshotPath} could not be read (${detail})`);
    }
    const file = parsed as Partial<SnapshotFile> | null;
    const isOurs =
      file !== null &&
      typeof file === 'object' &&
      file.format === STATE_FORMAT &&
      file.version === STATE_VERSION &&
      Number.isInteger(file.generation) &&
      Array.isArray(file.entities);
    if (!isOurs) {
      const found =
        file !== null && typeof file === 'object' && !Array.isArray(file)
          ? `format ${JSON.stringify(file.format)}, version ${JSON.stringify(file.version)}`
          : `a JSON ${Array.isArray(file) ? 'array' : typeof file}`;
      this.moveAside(this.snapshotPath, `The state file ${this.snapshotPath} is not a ${STATE_FORMAT} file of version ${STATE_VERSION} (found ${found})`);
    }
    return file as SnapshotFile;
  }

  /** state.json of the first format (the whole state, rewritten per change), converted on the first compaction. */
  private readLegacy(): Record<string, unknown> {
    const path = join(this.stateDir, LEGACY_FILE);
    const text = readFileSync(path, 'utf8');
    let parsed: { format?: unknown; version?: unknown; state?: unknown } | undefined;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.format !== STATE_FORMAT || parsed.version !== 1 || typeof parsed.state !== 'object' || parsed.state === null) {
      this.moveAside(path, `The state file ${path} is not a ${STATE_FORMAT} file this version can read`);
    }
    return parsed!.state as Record<string, unknown>;
  }

  private fsyncDirectory(): void {
    try {
      const fd = openSync(this.stateDir, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Not every platform can open a directory; the rename is still atomic.
    }
  }

  private removeStaleTempFiles(): void {
    // Only after lock(): no other server writes here, so a temp file is a dead server's half-written snapshot.
    for (const name of readdirSync(this.stateDir)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      try {
        unlinkSync(join(this.stateDir, name));
      } catch {
        // Gone already.
      }
    }
  }

  private moveAside(path: string, problem: string): never {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    let movedTo = `${path}.corrupt-${stamp}`;
    for (let attempt = 1; existsSync(movedTo); attempt++) movedTo = `${path}.corrupt-${stamp}-${attempt}`;
    renameSync(path, movedTo);
    // Its journals continue a snapshot that is gone: they go aside with it, never replayed onto an empty state.
    for (const generation of this.journalGenerations()) renameSync(this.journalPath(generation), `${this.journalPath(generation)}.corrupt-${stamp}`);
    throw new CorruptStateError(`${problem}, so it was moved aside to ${movedTo}.`, path, movedTo);
  }
}

/**
 * The kill -9 test's way in (test/emulator/persistence.test.ts): with LAMBDA_ASYNC_DEMO_KILL_DURING_COMPACTION set to a
 * point's name, the process kills itself there, mid-compaction, as a crash or a power cut would stop it.
 */
function crashPoint(name: string): void {
  if (process.env.LAMBDA_ASYNC_DEMO_KILL_DURING_COMPACTION === name) process.kill(process.pid, 'SIGKILL');
}

function parseRecord(line: string): { k: string; v?: unknown } | undefined {
  try {
    const record = JSON.parse(line) as { k?: unknown; v?: unknown };
    return record && typeof record === 'object' && typeof record.k === 'string' ? (record as { k: string; v?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

function truncateFile(path: string, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, length);
  } finally {
    closeSync(fd);
  }
}

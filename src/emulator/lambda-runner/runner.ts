// All functions' execution environments: one pool per function, the spare runtime, the code on disk.
import { guarded } from '../fault.js';
import { CodeStore } from './code-store.js';
import { InvocationAborted, type InvocationOutcome, type InvocationRequest, type RunnableFunction, type RunnerHost } from './invocation.js';
import { FunctionPool } from './pool.js';
import type { LanguageRuntime } from './runtimes.js';
import { SpareRuntime, spareKey } from './spare-runtime.js';

/** All functions' execution environments. */
export class LambdaRunner {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly latestRevision = new Map<string, string>();
  private readonly code = new CodeStore();
  private closed = false;
  /** One spare per runtime kind (spareKey) a function has needed so far. */
  private readonly spares = new Map<string, SpareRuntime>();
  private readonly kept = new Map<string, LanguageRuntime | undefined>();

  constructor(private readonly host: RunnerHost) {}

  /**
   * From now on keeps one runtime process of this kind (Node.js when none is given) started ahead of the next cold
   * start (see SpareRuntime).
   */
  prewarm(runtime?: LanguageRuntime): void {
    const key = runtime ? spareKey(runtime) : 'nodejs';
    if (!this.kept.has(key)) this.kept.set(key, runtime);
    this.replenishSpare(key);
  }

  private replenishSpare(key: string): void {
    if (this.closed || !this.kept.has(key) || this.spares.get(key)?.alive) return;
    const spare = new SpareRuntime(this.kept.get(key));
    this.spares.set(key, spare);
    spare.child.once('close', () => {
      if (this.spares.get(key) === spare) this.spares.delete(key);
    });
  }

  private takeSpare(runtime: LanguageRuntime, env: Record<string, string>): SpareRuntime | undefined {
    const key = spareKey(runtime);
    const spare = this.spares.get(key);
    if (!spare?.alive || !spare.fits(env)) return undefined;
    this.spares.delete(key);
    // The next cold start finds another one ready. Started on a later turn, so this request does not wait for it.
    setTimeout(guarded('spare environment start', () => this.replenishSpare(key)), 0).unref();
    return spare;
  }

  private poolFor(functionName: string): FunctionPool {
    let pool = this.pools.get(functionName);
    if (!pool) {
      pool = new FunctionPool(this.host, (fn) => this.code.directoryFor(fn), (runtime, env) => this.takeSpare(runtime, env));
      this.pools.set(functionName, pool);
    }
    return pool;
  }

  /** Runs one invocation on a warm environment when there is one, else a cold one; waits when all are busy. */
  async invoke(fn: RunnableFunction, request: InvocationRequest): Promise<InvocationOutcome> {
    if (this.closed) throw new InvocationAborted('The emulator is shutting down.');
    this.noteRevision(fn.name, fn.revisionId);
    const pool = this.poolFor(fn.name);
    const environment = await pool.acquire(fn);
    try {
      return await environment.invoke(request);
    } finally {
      pool.release(environment, this.latestRevision.get(fn.name));
    }
  }

  /** Tells the runner the function's configuration changed: environments of the old one are not reused. */
  noteRevision(functionName: string, revisionId: string): void {
    if (this.latestRevision.get(functionName) === revisionId) return;
    this.latestRevision.set(functionName, revisionId);
    this.pools.get(functionName)?.retireStale(revisionId);
  }

  /** Kills every environment of the function; invocations in flight end with InvocationAborted. */
  async removeFunction(functionName: string): Promise<void> {
    const pool = this.pools.get(functionName);
    this.pools.delete(functionName);
    this.latestRevision.delete(functionName);
    if (pool) await pool.destroy(`The function ${functionName} was deleted.`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    const spares = [...this.spares.values()];
    this.spares.clear();
    await Promise.all([...pools.map((pool) => pool.destroy('The emulator is shutting down.')), ...spares.map((spare) => spare.kill())]);
    this.code.clear();
  }
}

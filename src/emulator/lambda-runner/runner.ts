// All functions' execution environments: one pool per function, the spare runtime, the code on disk.
import { guarded } from '../fault.js';
import { CodeStore } from './code-store.js';
import { InvocationAborted, type InvocationOutcome, type InvocationRequest, type RunnableFunction, type RunnerHost } from './invocation.js';
import { FunctionPool } from './pool.js';
import { SpareRuntime } from './spare-runtime.js';

/** All functions' execution environments. */
export class LambdaRunner {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly latestRevision = new Map<string, string>();
  private readonly code = new CodeStore();
  private closed = false;
  private spare?: SpareRuntime;
  private keepSpare = false;

  constructor(private readonly host: RunnerHost) {}

  /** From now on keeps one runtime process forked ahead of the next cold start (see SpareRuntime). */
  prewarm(): void {
    this.keepSpare = true;
    this.replenishSpare();
  }

  private replenishSpare(): void {
    if (this.closed || !this.keepSpare || this.spare?.alive) return;
    const spare = new SpareRuntime();
    this.spare = spare;
    spare.child.once('close', () => {
      if (this.spare === spare) this.spare = undefined;
    });
  }

  private takeSpare(env: Record<string, string>): SpareRuntime | undefined {
    const spare = this.spare;
    if (!spare?.alive || !spare.fits(env)) return undefined;
    this.spare = undefined;
    // The next cold start finds another one ready. Forked on a later turn, so this request does not wait for the fork.
    setTimeout(guarded('spare environment fork', () => this.replenishSpare()), 0).unref();
    return spare;
  }

  private poolFor(functionName: string): FunctionPool {
    let pool = this.pools.get(functionName);
    if (!pool) {
      pool = new FunctionPool(this.host, (fn) => this.code.directoryFor(fn), (env) => this.takeSpare(env));
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
    const spare = this.spare;
    this.spare = undefined;
    await Promise.all([...pools.map((pool) => pool.destroy('The emulator is shutting down.')), spare?.kill()]);
    this.code.clear();
  }
}

// The environments of one function: reuse idle ones, start new ones up to the limit, otherwise wait.
import { ExecutionEnvironment } from './environment.js';
import { InvocationAborted, type RunnableFunction, type RunnerHost } from './invocation.js';
import type { SpareRuntime } from './spare-runtime.js';
import type { LanguageRuntime } from './runtimes.js';

/** The environments of one function: reuse idle ones, start new ones up to the limit, otherwise wait. */
export class FunctionPool {
  readonly environments = new Set<ExecutionEnvironment>();
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiters: Array<() => void> = [];
  private destroyedReason?: string;

  constructor(
    private readonly host: RunnerHost,
    private readonly codeDirFor: (fn: RunnableFunction) => string,
    private readonly takeSpare: (runtime: LanguageRuntime, env: Record<string, string>) => SpareRuntime | undefined = () => undefined,
  ) {}

  async acquire(fn: RunnableFunction): Promise<ExecutionEnvironment> {
    for (;;) {
      if (this.destroyedReason !== undefined) throw new InvocationAborted(this.destroyedReason);
      while (this.idle.length > 0) {
        const environment = this.idle.pop()!;
        if (environment.state === 'idle' && environment.fn.revisionId === fn.revisionId) return environment;
        environment.kill();
      }
      if (this.environments.size < Math.max(1, this.host.maxEnvironmentsPerFunction)) {
        const environment = new ExecutionEnvironment(this.host, fn, this.codeDirFor(fn), (dead) => this.forget(dead), this.takeSpare);
        this.environments.add(environment);
        return environment;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(environment: ExecutionEnvironment, latestRevisionId: string | undefined): void {
    if (environment.state === 'idle' && environment.fn.revisionId === latestRevisionId && this.destroyedReason === undefined) {
      this.idle.push(environment);
      environment.park(() => {
        const index = this.idle.indexOf(environment);
        if (index >= 0) this.idle.splice(index, 1);
        environment.kill();
      });
    } else if (environment.state !== 'dead') {
      environment.kill();
    }
    this.waiters.shift()?.();
  }

  private forget(environment: ExecutionEnvironment): void {
    if (!this.environments.delete(environment)) return;
    const index = this.idle.indexOf(environment);
    if (index >= 0) this.idle.splice(index, 1);
    this.waiters.shift()?.();
  }

  /** Kills idle environments built from an older configuration; busy ones are replaced when they finish. */
  retireStale(latestRevisionId: string): void {
    for (const environment of [...this.idle]) {
      if (environment.fn.revisionId !== latestRevisionId) {
        this.idle.splice(this.idle.indexOf(environment), 1);
        environment.kill();
      }
    }
  }

  async destroy(reason: string): Promise<void> {
    this.destroyedReason = reason;
    const environments = [...this.environments];
    for (const environment of environments) environment.kill(reason);
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all(environments.map((environment) => environment.exited()));
  }
}

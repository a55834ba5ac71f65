// STUB: replaced by the real LambdaService.
import type { EmulatorContext, Service } from '../context.js';

export class LambdaService implements Service {
  constructor(protected readonly ctx: EmulatorContext) {}
  readonly operations = {};
  exportState(): unknown {
    return {};
  }
  importState(_state: unknown): void {}
  async close(): Promise<void> {}
}

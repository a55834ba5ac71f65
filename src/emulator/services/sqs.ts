// STUB: replaced by the real SqsService.
import type { EmulatorContext, Service } from '../context.js';

export class SqsService implements Service {
  constructor(protected readonly ctx: EmulatorContext) {}
  readonly operations = {};
  exportState(): unknown {
    return {};
  }
  importState(_state: unknown): void {}
  async close(): Promise<void> {}
}

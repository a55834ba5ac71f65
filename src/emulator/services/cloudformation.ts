// STUB: replaced by the real CloudFormationService.
import type { EmulatorContext, Service } from '../context.js';

export class CloudFormationService implements Service {
  constructor(protected readonly ctx: EmulatorContext) {}
  readonly operations = {};
  exportState(): unknown {
    return {};
  }
  importState(_state: unknown): void {}
  async close(): Promise<void> {}
  stackSummaries(): Array<{ StackName: string; StackStatus: string }> {
    return [];
  }
}

// STS, just enough for "who am I": the emulator's fixed local identity.
import type { EmulatorContext, Service } from '../context.js';

export class StsService implements Service {
  constructor(private readonly ctx: EmulatorContext) {}

  readonly operations = {
    GetCallerIdentity: () => ({
      UserId: 'AKIAIOSFODNN7EXAMPLE',
      Account: this.ctx.accountId,
      Arn: `arn:aws:iam::${this.ctx.accountId}:root`,
    }),
  };

  exportState(): unknown {
    return {};
  }
  importState(): void {}
  async close(): Promise<void> {}
}

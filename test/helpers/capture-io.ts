// An in-memory CliIo for calling the CLI's main() in-process: what it printed, per stream, and no Ctrl-C.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/main.js';

let isolated: string | undefined;
/**
 * A state directory of this test process's own, so main() never reads or starts anything in the user's real one (a
 * `local start` the developer left running would otherwise change what the tests see).
 */
export function isolatedStateDir(): string {
  if (!isolated) {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-async-demo-test-state-'));
    isolated = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return isolated;
}

export type CapturedIo = CliIo & { out: () => string; err: () => string };

export function captureIo(env: NodeJS.ProcessEnv, extra: Partial<Pick<CliIo, 'stdin'>> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    env: { LAMBDA_ASYNC_DEMO_STATE_DIR: isolatedStateDir(), ...env },
    onInterrupt: () => () => {},
    ...extra,
    out: () => out,
    err: () => err,
  };
}

// An in-memory CliIo for calling the CLI's main() in-process: what it printed, per stream, and no Ctrl-C.
import type { CliIo } from '../../src/cli/main.js';

export type CapturedIo = CliIo & { out: () => string; err: () => string };

export function captureIo(env: NodeJS.ProcessEnv, extra: Partial<Pick<CliIo, 'stdin'>> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    env,
    onInterrupt: () => () => {},
    ...extra,
    out: () => out,
    err: () => err,
  };
}

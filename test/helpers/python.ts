// Finding a Python the supported Lambda runtimes (python3.12 and later) can run on, for the tests of Python functions.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

function version(command: string): [number, number] | undefined {
  const result = spawnSync(command, ['-c', 'import sys; print("%d %d" % sys.version_info[:2])'], { encoding: 'utf8', timeout: 10_000 });
  const match = result.status === 0 ? /^(\d+) (\d+)/.exec(result.stdout) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/**
 * An interpreter of Python 3.12 or later: LAMBDA_ASYNC_DEMO_PYTHON, python3.14/13/12 or python3 on PATH, or one that
 * pyenv installed (this project's machines have pyenv's 3.12 and 3.13 beside the default 3.11). Undefined when none.
 */
export function python312(): string | undefined {
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const pyenv = existsSync(join(pyenvRoot, 'versions'))
    ? readdirSync(join(pyenvRoot, 'versions'))
        .filter((name) => /^3\.\d+\.\d+$/.test(name))
        .sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]))
        .map((name) => join(pyenvRoot, 'versions', name, 'bin', 'python3'))
    : [];
  const candidates = [process.env.LAMBDA_ASYNC_DEMO_PYTHON, 'python3.14', 'python3.13', 'python3.12', 'python3', ...pyenv];
  return candidates.find((command): command is string => {
    if (!command) return false;
    const found = version(command);
    return found !== undefined && found[0] === 3 && found[1] >= 12;
  });
}

export const NO_PYTHON_REASON = 'no Python 3.12 or later here (python3.12+ on PATH, LAMBDA_ASYNC_DEMO_PYTHON, or pyenv): the supported Lambda Python runtimes need one';

// The function's language for the lesson (--runtime nodejs|python), and the template's Runtime parameter for it.
import { newestLocalPythonRuntime } from '../emulator/lambda-runner/runtimes.js';
import type { RuntimeFamily } from './runtime-family.js';

const NODE_RUNTIME = 'nodejs24.x';

/** The lesson's Python runtime elsewhere (AWS, another endpoint): supported by AWS until 2029 (cfn-lint's lifecycle data). */
const REMOTE_PYTHON_RUNTIME = 'python3.13';

/**
 * The template's Runtime parameter: nodejs24.x; for Python on this machine's emulator the newest supported runtime its
 * Python can run (python3.12 when none can, so the deploy says what to install), else REMOTE_PYTHON_RUNTIME.
 */
export function templateRuntime(family: RuntimeFamily, onThisMachine: boolean): string {
  if (family === 'nodejs') return NODE_RUNTIME;
  return onThisMachine ? (newestLocalPythonRuntime() ?? 'python3.12') : REMOTE_PYTHON_RUNTIME;
}

// The language runtimes functions run in: Node.js (bootstrap.ts, forked) and Python (bootstrap.py, run by the local
// python3), what each needs on disk and in its environment, and whether this machine can run a given runtime.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LanguageRuntime {
  /** The Runtime value, e.g. nodejs24.x or python3.12. */
  id: string;
  family: 'nodejs' | 'python';
  /** The inline code's file name, as CloudFormation's ZipFile writes it. */
  codeFile: 'index.js' | 'index.py';
  /** AWS_EXECUTION_ENV. */
  executionEnv: string;
  /** INIT_START's "Runtime Version" (reference/aws-semantics.md §3). UNVERIFIED: the version suffix after the minor. */
  runtimeVersion: string;
  /** One line for the function's log at each cold start, when the local interpreter is not the runtime's own. */
  warning?: string;
}

/** The Python runtimes AWS accepts for new functions (AWS Lambda developer guide, "Lambda runtimes"). */
const SUPPORTED_PYTHON_MINORS = [10, 11, 12, 13, 14];
/** Deprecated: creating or updating a function with them is refused (the same page, "Deprecated runtimes"). */
const DEPRECATED_PYTHON = new Set(['python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9']);
const NEWEST_PYTHON = `python3.${SUPPORTED_PYTHON_MINORS.at(-1)}`;

/** The interpreter that runs Python functions: LAMBDA_ASYNC_DEMO_PYTHON, else python3 on PATH. */
export function pythonCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAMBDA_ASYNC_DEMO_PYTHON || 'python3';
}

let probed: { command: string; version: { major: number; minor: number } | undefined } | undefined;

/** The local Python's version, asked once per interpreter; undefined when there is none. */
export function localPython(env: NodeJS.ProcessEnv = process.env): { major: number; minor: number } | undefined {
  const command = pythonCommand(env);
  if (probed?.command === command) return probed.version;
  const result = spawnSync(command, ['-c', 'import sys; print("%d %d" % sys.version_info[:2])'], { encoding: 'utf8', timeout: 10_000 });
  const match = result.status === 0 ? /^(\d+) (\d+)/.exec(result.stdout) : null;
  probed = { command, version: match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined };
  return probed.version;
}

/**
 * Why this machine cannot run a function of that runtime, in AWS's words where AWS refuses it too; undefined when it
 * can. A Python runtime needs a local Python of at least its minor version (a newer one runs it, with a warning).
 */
export function runtimeProblem(id: unknown, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const text = typeof id === 'string' ? id : String(id);
  if (/^nodejs\d+\.x$/.test(text)) return undefined;
  if (DEPRECATED_PYTHON.has(text)) {
    // As AWS words it (seen in aws-samples issues for python2.7, 3.6 and 3.7). UNVERIFIED: the runtime AWS recommends today.
    return `The runtime parameter of ${text} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${NEWEST_PYTHON}) while creating or updating functions.`;
  }
  const python = /^python3\.(\d+)$/.exec(text);
  if (python && SUPPORTED_PYTHON_MINORS.includes(Number(python[1]))) {
    const wanted = Number(python[1]);
    const local = localPython(env);
    const command = pythonCommand(env);
    if (!local) {
      return `The runtime ${text} needs Python 3.${wanted} or later to run on the lambda-async-demo local emulator, and ${command} was not found: install Python 3.${wanted} (or point LAMBDA_ASYNC_DEMO_PYTHON at one).`;
    }
    if (local.major !== 3 || local.minor < wanted) {
      return `The runtime ${text} needs Python 3.${wanted} or later to run on the lambda-async-demo local emulator, and ${command} is Python ${local.major}.${local.minor}: install Python 3.${wanted} (or point LAMBDA_ASYNC_DEMO_PYTHON at one).`;
    }
    return undefined;
  }
  return `The runtime parameter of ${text} is not supported by the lambda-async-demo local emulator, which runs Node.js (nodejs<N>.x) and Python (${SUPPORTED_PYTHON_MINORS.map((minor) => `python3.${minor}`).join(', ')}) functions.`;
}

export function languageRuntime(id: string, env: NodeJS.ProcessEnv = process.env): LanguageRuntime {
  const python = /^python3\.(\d+)$/.exec(id);
  if (python) {
    const local = localPython(env);
    const newer = local && local.minor > Number(python[1]);
    return {
      id,
      family: 'python',
      codeFile: 'index.py',
      executionEnv: `AWS_Lambda_${id}`,
      runtimeVersion: `python:3.${python[1]}.v60`,
      ...(newer ? { warning: `WARNING: the runtime is ${id}; the local emulator runs this function with Python ${local.major}.${local.minor}.` } : {}),
    };
  }
  const node = /^nodejs(\d+)\.x$/.exec(id)?.[1] ?? '24';
  return { id, family: 'nodejs', codeFile: 'index.js', executionEnv: `AWS_Lambda_nodejs${node}.x`, runtimeVersion: `nodejs:${node}.v22` };
}

/** The Python bootstrap, beside this code: dist/bundle/ (scripts/bundle.mjs copies it there), or its source folder. */
const PYTHON_BOOTSTRAP = fileURLToPath(new URL('./bootstrap.py', import.meta.url));

/** Starts bootstrap.py with Node's IPC channel on NODE_CHANNEL_FD: the same messages as the Node.js runtime. */
export function spawnPython(env: Record<string, string>, cwd: string, localEnv: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(pythonCommand(localEnv), ['-I', '-u', PYTHON_BOOTSTRAP], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
}

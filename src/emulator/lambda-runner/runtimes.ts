// The language runtimes functions run in: Node.js (bootstrap.ts, forked) and Python (bootstrap.py, run by the local
// python3), what each needs on disk and in its environment, and whether this machine can run a given runtime.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LanguageRuntime {
  /** The Runtime value, e.g. nodejs24.x or python3.12. */
  id: string;
  family: 'nodejs' | 'python';
  /** The inline code's file name, as CloudFormation's ZipFile writes it. */
  codeFile: 'index.js' | 'index.py';
  /** AWS_EXECUTION_ENV. */
  executionEnv: string;
  /** INIT_START's "Runtime Version" (docs/aws-semantics.md §3). UNVERIFIED: the version suffix after the minor. */
  runtimeVersion: string;
  /** One line for the function's log at each cold start, when the local interpreter is not the runtime's own. */
  warning?: string;
  /** Python: the interpreter that runs it. */
  command?: string;
}

/**
 * The Python runtimes AWS accepts for new functions today, and the deprecated ones it refuses: the lifecycle dates of
 * cfn-lint's LmbdRuntimeLifecycle.json (python3.10 and python3.11: creation blocked since 2026-07-31; AWS Lambda
 * developer guide, "Lambda runtimes").
 */
const SUPPORTED_PYTHON_MINORS = [12, 13, 14];
const DEPRECATED_PYTHON = new Set(['python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'python3.11']);
const NEWEST_PYTHON = `python3.${SUPPORTED_PYTHON_MINORS.at(-1)}`;

interface LocalPython {
  command: string;
  major: number;
  minor: number;
}

const probes = new Map<string, LocalPython | undefined>();

/** What an interpreter command is, asked once; undefined when it does not run. */
function probe(command: string): LocalPython | undefined {
  if (!probes.has(command)) {
    const result = spawnSync(command, ['-c', 'import sys; print("%d %d" % sys.version_info[:2])'], { encoding: 'utf8', timeout: 10_000 });
    const match = result.status === 0 ? /^(\d+) (\d+)/.exec(result.stdout) : null;
    probes.set(command, match ? { command, major: Number(match[1]), minor: Number(match[2]) } : undefined);
  }
  return probes.get(command);
}

/** The Pythons pyenv installed (pyenv's shims run only the selected one), newest first, of 3.<minor> or later. */
function pyenvPythons(minor: number, env: NodeJS.ProcessEnv): string[] {
  const versions = join(env.PYENV_ROOT || join(homedir(), '.pyenv'), 'versions');
  if (!existsSync(versions)) return [];
  return readdirSync(versions)
    .map((name) => ({ name, minor: /^3\.(\d+)\.\d+$/.exec(name)?.[1] }))
    .filter((version) => version.minor !== undefined && Number(version.minor) >= minor)
    .sort((a, b) => Number(b.minor) - Number(a.minor))
    .map((version) => join(versions, version.name, 'bin', 'python3'));
}

/**
 * The interpreter for Python 3.<minor>: LAMBDA_ASYNC_DEMO_PYTHON when set, else python3.<minor> on PATH, python3, or
 * one pyenv installed; the first of the right version, else the first that runs (older: the caller refuses it; newer:
 * it runs, with a warning).
 */
function localPython(minor: number, env: NodeJS.ProcessEnv = process.env): LocalPython | undefined {
  const candidates = env.LAMBDA_ASYNC_DEMO_PYTHON ? [env.LAMBDA_ASYNC_DEMO_PYTHON] : [`python3.${minor}`, 'python3', ...pyenvPythons(minor, env)];
  const found = candidates.map(probe).filter((python): python is LocalPython => python !== undefined);
  return found.find((python) => python.major === 3 && python.minor >= minor) ?? found[0];
}

/** The newest supported Python runtime this machine can run, if any. */
export function newestLocalPythonRuntime(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const minor = [...SUPPORTED_PYTHON_MINORS].reverse().find((candidate) => {
    const python = localPython(candidate, env);
    return python !== undefined && python.major === 3 && python.minor >= candidate;
  });
  return minor === undefined ? undefined : `python3.${minor}`;
}

/**
 * Why this machine cannot run a function of that runtime, in AWS's words where AWS refuses it too; undefined when it
 * can. A Python runtime needs a local Python of at least its minor version (a newer one runs it, with a warning).
 */
export function runtimeProblem(id: unknown, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const text = typeof id === 'string' ? id : String(id);
  if (/^nodejs\d+\.x$/.test(text)) return undefined;
  if (DEPRECATED_PYTHON.has(text)) {
    // As AWS words it (seen in aws-samples issues for python2.7, 3.6 and 3.7, with the successor of the day).
    return `The runtime parameter of ${text} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${NEWEST_PYTHON}) while creating or updating functions.`;
  }
  const python = /^python3\.(\d+)$/.exec(text);
  if (python && SUPPORTED_PYTHON_MINORS.includes(Number(python[1]))) {
    const wanted = Number(python[1]);
    const local = localPython(wanted, env);
    const install = `install Python 3.${wanted} (as python3.${wanted} on PATH, or point LAMBDA_ASYNC_DEMO_PYTHON at it)`;
    if (!local) return `The runtime ${text} needs Python 3.${wanted} or later to run on the lambda-async-demo local emulator, and none was found: ${install}.`;
    if (local.major !== 3 || local.minor < wanted) {
      return `The runtime ${text} needs Python 3.${wanted} or later to run on the lambda-async-demo local emulator, and ${local.command} is Python ${local.major}.${local.minor}: ${install}.`;
    }
    return undefined;
  }
  return `The runtime parameter of ${text} is not supported by the lambda-async-demo local emulator, which runs Node.js (nodejs<N>.x) and Python (${SUPPORTED_PYTHON_MINORS.map((minor) => `python3.${minor}`).join(', ')}) functions.`;
}

export function languageRuntime(id: string, env: NodeJS.ProcessEnv = process.env): LanguageRuntime {
  const python = /^python3\.(\d+)$/.exec(id);
  if (python) {
    const local = localPython(Number(python[1]), env);
    const newer = local && local.minor > Number(python[1]);
    return {
      id,
      family: 'python',
      codeFile: 'index.py',
      executionEnv: `AWS_Lambda_${id}`,
      runtimeVersion: `python:3.${python[1]}.v60`,
      command: local?.command ?? 'python3',
      ...(newer ? { warning: `WARNING: the runtime is ${id}; the local emulator runs this function with Python ${local.major}.${local.minor}.` } : {}),
    };
  }
  const node = /^nodejs(\d+)\.x$/.exec(id)?.[1] ?? '24';
  return { id, family: 'nodejs', codeFile: 'index.js', executionEnv: `AWS_Lambda_nodejs${node}.x`, runtimeVersion: `nodejs:${node}.v22` };
}

/** The Python bootstrap, beside this code: dist/bundle/ (scripts/bundle.mjs copies it there), or its source folder. */
const PYTHON_BOOTSTRAP = fileURLToPath(new URL('./bootstrap.py', import.meta.url));

/** Starts bootstrap.py with Node's IPC channel on NODE_CHANNEL_FD: the same messages as the Node.js runtime. */
export function spawnPython(runtime: LanguageRuntime, env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(runtime.command ?? 'python3', ['-I', '-u', PYTHON_BOOTSTRAP], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
}

// Finds the official AWS CLIs (v1 and v2) on this machine and runs them with dummy credentials and none of the user's AWS settings.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface AwsCli {
  /** The executable that runs: a pyenv shim is resolved to the program it would exec (same CLI, a second less per call). */
  path: string;
  /** Where it was found (PATH entry or system place). */
  foundAt: string;
  /** First line of `aws --version`, e.g. "aws-cli/2.9.19 Python/3.11.2 ...". */
  version: string;
  major: 1 | 2;
}

export interface InstalledAwsClis {
  v1?: AwsCli;
  v2?: AwsCli;
  /** Every candidate looked at, with what it said, for the skip reason. */
  searched: string[];
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A throwaway directory holding the empty config and credentials files, removed when the process exits. */
let isolationDir: string | undefined;

function emptyAwsFiles(): { config: string; credentials: string } {
  if (!isolationDir) {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-async-demo-awscli-'));
    writeFileSync(join(dir, 'config'), '');
    writeFileSync(join(dir, 'credentials'), '');
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    isolationDir = dir;
  }
  return { config: join(isolationDir, 'config'), credentials: join(isolationDir, 'credentials') };
}

/**
 * The environment every CLI (and boto3) call gets: the caller's environment without any AWS_* variable (no profile,
 * region, CA bundle, endpoint or real key of the user leaks in), plus dummy credentials, us-east-1, empty config and
 * credentials files, and no pager.
 */
export function isolatedAwsEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value;
  }
  const files = emptyAwsFiles();
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: files.config,
    AWS_SHARED_CREDENTIALS_FILE: files.credentials,
    AWS_PAGER: '',
  };
}

/** Runs a program and resolves with its exit code and output; never rejects for a non-zero exit. */
export function runProgram(
  file: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the emulator under test lives in this process and must keep answering meanwhile.
    execFile(
      file,
      args,
      { cwd: options.cwd, env: isolatedAwsEnv(), timeout: options.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`${file} ${args.join(' ')} did not run: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ exitCode: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs one `aws` command (arguments exactly as a person would type them after `aws`). */
export function runAwsCli(cli: AwsCli, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runProgram(cli.path, args, options);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every `aws` on PATH, then the two usual system places, each real file once. */
function candidatePaths(): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const directories = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const path of [...directories.map((dir) => join(dir, 'aws')), '/usr/bin/aws', '/usr/local/bin/aws']) {
    if (!isExecutable(path)) continue;
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    found.push(path);
  }
  return found;
}

/**
 * The program a pyenv shim execs, or the path itself. A shim re-enters bash and pyenv on every call, which costs
 * about a second per call on a busy two-core machine; `pyenv which aws` names the very executable the shim would run.
 */
async function resolvePyenvShim(path: string): Promise<string> {
  let head: string;
  try {
    head = readFileSync(path, 'utf8').slice(0, 2000);
  } catch {
    return path;
  }
  const pyenv = /exec "([^"]+\/pyenv)" exec /.exec(head)?.[1];
  if (!pyenv) return path;
  try {
    const { exitCode, stdout } = await runProgram(pyenv, ['which', 'aws'], { timeoutMs: 30_000 });
    const target = stdout.trim();
    return exitCode === 0 && target && isExecutable(target) ? target : path;
  } catch {
    return path;
  }
}

async function identify(foundAt: string): Promise<{ cli?: AwsCli; note: string }> {
  const path = await resolvePyenvShim(foundAt);
  try {
    // AWS CLI v1 once printed its version on stderr; read both.
    const result = await runProgram(path, ['--version'], { timeoutMs: 30_000 });
    const line = `${result.stdout}\n${result.stderr}`.split('\n').find((text) => /aws-cli\/\d/.test(text))?.trim();
    const major = line?.match(/aws-cli\/(\d+)\./)?.[1];
    if (line && (major === '1' || major === '2')) {
      return { cli: { path, foundAt, version: line, major: Number(major) as 1 | 2 }, note: `${foundAt}: ${line}` };
    }
    return { note: `${foundAt}: no aws-cli version in its --version output (exit ${result.exitCode})` };
  } catch (error) {
    return { note: `${foundAt}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

let installed: Promise<InstalledAwsClis> | undefined;

/** The first AWS CLI of each generation in search order; looked up once per process. */
export function findAwsClis(): Promise<InstalledAwsClis> {
  installed ??= (async () => {
    const results = await Promise.all(candidatePaths().map(identify));
    const clis: InstalledAwsClis = { searched: results.map((result) => result.note) };
    for (const { cli } of results) {
      if (cli?.major === 1) clis.v1 ??= cli;
      if (cli?.major === 2) clis.v2 ??= cli;
    }
    return clis;
  })();
  return installed;
}

/** Why a generation is missing, for t.skip(). */
export function notInstalledReason(clis: InstalledAwsClis, major: 1 | 2): string {
  const looked = clis.searched.length > 0 ? clis.searched.join('; ') : 'no aws executable on PATH, /usr/bin or /usr/local/bin';
  return `AWS CLI v${major} not installed: ${looked}`;
}

// Function code on disk: one directory per distinct source under a temporary root, removed on close or at exit.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunnableFunction } from './invocation.js';
import { languageRuntime } from './runtimes.js';

/** Code directories still on disk; removed at exit even when nobody called close(). */
const liveCodeRoots = new Set<string>();
let exitCleanupRegistered = false;

function registerCodeRoot(root: string): void {
  liveCodeRoots.add(root);
  if (exitCleanupRegistered) return;
  exitCleanupRegistered = true;
  process.once('exit', () => {
    for (const dir of liveCodeRoots) rmSync(dir, { recursive: true, force: true });
  });
}

/** The code directories of one runner. */
export class CodeStore {
  private root?: string;
  private readonly written = new Set<string>();

  // Inline code is written once per distinct source as index.js in a CommonJS package, like Lambda's ZipFile code.
  directoryFor(fn: RunnableFunction): string {
    if (!this.root) {
      this.root = mkdtempSync(path.join(tmpdir(), 'lambda-async-demo-'));
      registerCodeRoot(this.root);
    }
    const digest = createHash('sha256').update(fn.runtime).update('\0').update(fn.handler).update('\0').update(fn.code).digest('hex').slice(0, 16);
    const dir = path.join(this.root, `${fn.name}-${digest}`);
    if (!this.written.has(dir) || !existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      const runtime = languageRuntime(fn.runtime);
      if (runtime.family === 'nodejs') writeFileSync(path.join(dir, 'package.json'), '{"type":"commonjs"}\n');
      writeFileSync(path.join(dir, runtime.codeFile), fn.code);
      this.written.add(dir);
    }
    return dir;
  }

  /** Removes every directory; the next directoryFor() starts a new root. */
  clear(): void {
    if (this.root) {
      rmSync(this.root, { recursive: true, force: true });
      liveCodeRoots.delete(this.root);
    }
    this.root = undefined;
    this.written.clear();
  }
}

// A copy of this checkout's working tree as a clone of it holds it (tracked and new files, uncommitted edits too; not
// node_modules/ or dist/), for tests that build, pack or install a checkout without touching this one.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Copies the working tree into `destination`; with linkDependencies, this checkout's node_modules/ is linked there. */
export function copyCheckout(destination: string, { linkDependencies = false } = {}): string {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  for (const file of files.split('\0').filter(Boolean)) {
    // A file deleted but not yet committed is still listed.
    if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(destination, file));
  }
  if (linkDependencies) symlinkSync(join(ROOT, 'node_modules'), join(destination, 'node_modules'), 'dir');
  return destination;
}

#!/usr/bin/env node
// The executable: run the bundled CLI (dist/bundle/cli.js) with this process's arguments and exit with its code.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22+ keeps compiled code between runs (a no-op where the API does not exist).
module.enableCompileCache?.();

// In a git checkout (the sources beside bin/), build the bundle first when it is missing or older than the sources.
// The package has no install script to do it: npm warns every user who installs a package that has one.
if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  const { ensureBuilt } = await import('../scripts/bundle.mjs').catch(() => ({ ensureBuilt: undefined }));
  try {
    await ensureBuilt?.({
      onBuild: () => process.stderr.write('Building lambda-async-demo from its sources (once per change, about a second)...\n'),
    });
  } catch (error) {
    const checkout = new URL('..', import.meta.url).pathname;
    // esbuild's BuildFailure lists the source errors: a change that does not compile, not a missing install.
    const hint = Array.isArray(error.errors) && error.errors.length > 0
      ? `fix the source error above in ${checkout} (or set the change aside with "git stash"), then run the command again.`
      : `run "npm install" in ${checkout} first.`;
    process.stderr.write(`Error: could not build lambda-async-demo from its sources: ${error.message}\nHint: ${hint}\n`);
    process.exit(3);
  }
}

const { main } = await import('../dist/bundle/cli.js');
process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// The executable: run the built CLI with this process's arguments and exit with the code it returns.
import { statSync } from 'node:fs';
import module from 'node:module';

// Node 22+ keeps compiled code between runs (a no-op where the API does not exist).
module.enableCompileCache?.();

const bundle = new URL('../dist/bundle/cli.js', import.meta.url);
const modules = new URL('../dist/cli/main.js', import.meta.url);

/** Modification time in ms, or -Infinity when the file is missing. */
function builtAt(file) {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Number.NEGATIVE_INFINITY;
}

// The esbuild bundle (npm run build) loads several times faster than tsc's hundreds of modules. It is used only when
// it is at least as new as tsc's output, so a bare `tsc` rebuild never runs a stale bundle.
const { main } = await import((builtAt(bundle) >= builtAt(modules) ? bundle : modules).href);

process.exitCode = await main(process.argv.slice(2));

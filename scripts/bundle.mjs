// Bundles the CLI with esbuild into dist/bundle/: a few large files load far faster than hundreds of small modules.
// Run after tsc (npm run build). bin/lambda-async-demo.js loads dist/bundle/cli.js, or dist/cli/main.js without it.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
// The same depth as dist/<folder>/, so the code's `new URL('../../package.json', import.meta.url)` (and the template
// path) resolve exactly as they do from tsc's output.
const outdir = `${root}dist/bundle`;

const shared = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir,
  // The AWS SDK ships ES modules beside CommonJS: those keep their named exports across the import() chunks.
  mainFields: ['module', 'main'],
  sourcemap: 'linked',
  // Whitespace and syntax only: names stay readable in the stack traces --verbose prints.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // Some CommonJS dependencies inside the bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
};

const builds = await Promise.all([
  // The CLI: every dynamic import() (the reporter, the lesson, the emulator, the SDK) becomes its own chunk, loaded
  // only when that path runs, so `--help` loads the command table and nothing else.
  build({
    ...shared,
    // The detached local server (`local start -d`) runs server-main.js from beside the code that spawns it.
    entryPoints: { cli: 'src/cli/main.ts', 'server-main': 'src/local/server-main.ts' },
    splitting: true,
    // Chunks beside cli.js, never in a subfolder: a chunk's import.meta.url must sit at the same depth too.
    chunkNames: '[name]-[hash]',
  }),
  // The Lambda runtime's child process: the runner forks `bootstrap.js` from its own folder, so it sits beside the
  // chunk that holds the runner. One self-contained file: a cold start reads nothing else.
  build({ ...shared, entryPoints: { bootstrap: 'src/emulator/lambda-runner/bootstrap.ts' } }),
]);

// Chunks of earlier builds go, but only once they are a few minutes old: a CLI or server started from the previous
// build may still import() them (chunk names carry a content hash, so nothing of this build is overwritten by them).
const written = new Set(builds.flatMap((result) => Object.keys(result.metafile.outputs)).map((output) => join(root, output)));
const graceMs = 5 * 60_000;
for (const name of readdirSync(outdir)) {
  const file = join(outdir, name);
  if (written.has(file) || written.has(file.replace(/\.map$/, ''))) continue;
  if (Date.now() - statSync(file).mtimeMs > graceMs) rmSync(file, { force: true });
}

// The one build: esbuild bundles the CLI, the detached server, the emulator and the Node.js runtime into dist/bundle/
// (beside them the Python runtime's bootstrap.py, copied),
// the only code that ships and runs (tsc only type-checks). Skips the work when nothing it reads changed since the last
// build. `node scripts/bundle.mjs` builds if stale (`--force`: always; `--pack`, npm's prepack: then removes every file
// of an earlier build, so the package holds this build alone); bin/ calls ensureBuilt() in a git checkout.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// The same depth as the sources' folders (src/<folder>/), so the code's `new URL('../../package.json', import.meta.url)`
// and the template path resolve from the bundle as they do from the sources under tsx.
const outdir = join(root, 'dist/bundle');
const stampPath = join(outdir, 'build-stamp.json');

/** What the bundle is made of: every source, the manifests and this script. */
function inputs() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(root, 'src'));
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/bundle.mjs']) {
    if (existsSync(join(root, file))) files.push(join(root, file));
  }
  return files.sort();
}

/**
 * Names, sizes and modification times of the inputs: cheap to take (no file is read) and changed by any edit or checkout.
 * Hashed in plain JavaScript (two 32-bit FNV-1a lanes, 64 bits): loading node:crypto would cost each start ~2 ms.
 */
function fingerprint() {
  let listing = '';
  for (const file of inputs()) {
    const { size, mtimeMs } = statSync(file);
    listing += `${relative(root, file)}\0${size}\0${mtimeMs}\n`;
  }
  let low = 0x811c9dc5;
  let high = 0x050c5d1f;
  for (let index = 0; index < listing.length; index += 1) {
    const code = listing.charCodeAt(index);
    low = Math.imul(low ^ code, 0x01000193);
    high = Math.imul(high ^ code, 0x01000193) ^ (low >>> 15);
  }
  return `${(high >>> 0).toString(16).padStart(8, '0')}${(low >>> 0).toString(16).padStart(8, '0')}`;
}

function upToDate(print) {
  try {
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    return stamp.fingerprint === print && stamp.outputs.every((output) => existsSync(join(root, output)));
  } catch {
    return false;
  }
}

/**
 * string-width builds ICU tables at import: an Intl.Segmenter (~7 ms) and the RGI_Emoji regular expression (~9 ms),
 * every start, though it only needs them for text beyond printable ASCII (its own fast path), which output off a
 * terminal never measures. Each becomes an object built on its first use, with the one method string-width calls
 * on it. Should a new version read differently, the build warns and bundles it as it is (slower, still correct).
 */
const LAZY_TABLES = [
  {
    file: /[\\/]node_modules[\\/](?:.*[\\/])?string-width[\\/]index\.js$/,
    replacements: [
      ['const segmenter = new Intl.Segmenter();', 'let segmenterBuilt; const segmenter = { segment: (text) => (segmenterBuilt ??= new Intl.Segmenter()).segment(text) };'],
      ['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', "let rgiEmojiBuilt; const rgiEmojiRegex = { test: (text) => (rgiEmojiBuilt ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(text) };", { optional: true }],
    ],
  },
];

const lazyTables = {
  name: 'lazy-unicode-tables',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const rule = LAZY_TABLES.find(({ file }) => file.test(args.path));
      if (!rule) return undefined;
      let contents = readFileSync(args.path, 'utf8');
      const warnings = [];
      for (const [from, to, { optional = false } = {}] of rule.replacements) {
        if (contents.includes(from)) contents = contents.replace(from, () => to);
        else if (!optional) warnings.push({ text: `${args.path} no longer reads "${from}": bundled as it is (its tables are built at start-up)` });
      }
      return { contents, loader: 'js', warnings };
    });
  },
};

/**
 * commander requires node:child_process at load, for executable subcommands, which this CLI has none of: loading it
 * (and the net, dgram and stream modules behind it) is ~1.5 ms of every `--help`. commander gets `spawn` on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(builder) {
    builder.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "module.exports = { get spawn() { return require('node:child_process').spawn; } };",
      loader: 'js',
    }));
  },
};

/**
 * Each AWS SDK client's schemas module holds every operation's schema, though the CLI sends a dozen operations: a
 * third of the SDK code it loads (bench section 2). esbuild drops the unused ones only once their object keys are
 * plain: the SDK writes them `{ [_h]: ... }` with `const _h = "http"`, a computed key it cannot prove harmless. Each
 * such key becomes the string it names, which is the same object.
 */
const plainSchemaKeys = {
  name: 'plain-schema-keys',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const strings = new Map();
      for (const [, name, value] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) strings.set(name, value);
      const contents = source.replace(/\[(_\w+)\]:/g, (key, name) => (strings.has(name) ? `${strings.get(name)}:` : key));
      return { contents, loader: 'js' };
    });
  },
};

async function build(print) {
  // Loaded only when there is work: bin/ checks for staleness on every start in a checkout.
  const { build: esbuild } = await import('esbuild');
  mkdirSync(outdir, { recursive: true });
  const shared = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outdir,
    // The AWS SDK ships ES modules beside CommonJS: those keep their named exports across the import() chunks.
    mainFields: ['module', 'main'],
    // Whitespace and syntax only: names stay readable in the stack traces --verbose prints, without shipping maps.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: [lazyTables, lazyChildProcess, plainSchemaKeys],
    // Some CommonJS dependencies inside the bundle call require() for Node's built-ins.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  };
  const builds = await Promise.all([
    // Every dynamic import() (the reporter, the lesson, the emulator, the SDK) becomes its own chunk, loaded only when
    // that path runs, so `--help` loads the command table and nothing else.
    esbuild({
      ...shared,
      entryPoints: {
        cli: 'src/cli/main.ts',
        // The detached local server (`local start -d`) runs server-main.js from beside the code that spawns it.
        'server-main': 'src/local/server-main.ts',
        // startEmulator() for the benchmark's stand-alone emulator process (bench/lib/emulator-process.mjs).
        emulator: 'src/emulator/index.ts',
      },
      splitting: true,
      // Chunks beside cli.js, never in a subfolder: a chunk's import.meta.url must sit at the same depth too.
      chunkNames: '[name]-[hash]',
    }),
    // The Lambda runtime's child process: the runner forks `bootstrap.js` from its own folder, so it sits beside the
    // chunk that holds the runner. One self-contained file: a cold start reads nothing else.
    esbuild({ ...shared, entryPoints: { bootstrap: 'src/emulator/lambda-runner/bootstrap.ts' } }),
  ]);
  // The Python runtime's bootstrap is not bundled but run by python3: it sits beside the runner's chunk as a file.
  copyFileSync(join(root, 'src/emulator/lambda-runner/bootstrap.py'), join(outdir, 'bootstrap.py'));
  const outputs = [...builds.flatMap((result) => Object.keys(result.metafile.outputs)), 'dist/bundle/bootstrap.py'];

  // Chunks of earlier builds go, but only once they are a few minutes old: a CLI or server started from the previous
  // build may still import() them (chunk names carry a content hash, so nothing of this build is overwritten by them).
  prune(outputs, { keepYoungerThanMs: 5 * 60_000 });
  // Last: a build cut short leaves no stamp, so the next start builds again.
  writeFileSync(stampPath, `${JSON.stringify({ fingerprint: print, outputs }, null, 2)}\n`);
}

/**
 * Removes from dist/bundle/ every file but the stamp and `outputs` (paths from root): all of them, or with
 * keepYoungerThanMs only those modified longer ago than that.
 */
function prune(outputs, { keepYoungerThanMs } = {}) {
  const kept = new Set([...outputs.map((output) => join(root, output)), stampPath]);
  for (const name of readdirSync(outdir)) {
    const file = join(outdir, name);
    if (kept.has(file)) continue;
    if (keepYoungerThanMs === undefined || Date.now() - statSync(file).mtimeMs > keepYoungerThanMs) rmSync(file, { recursive: true, force: true });
  }
}

/**
 * For npm's prepack: brings the bundle up to date, then removes everything in dist/bundle/ that this build did not
 * write, however recent. The package's `files` takes every dist/bundle/*.js, and chunks of a build minutes old would
 * ship beside this one's. Resolves to the build's outputs.
 */
export async function prepareForPack({ onBuild = () => {} } = {}) {
  await ensureBuilt({ onBuild });
  const { outputs } = JSON.parse(readFileSync(stampPath, 'utf8'));
  prune(outputs);
  return outputs;
}

/**
 * Builds when the bundle is missing or older than its sources. `onBuild` is told before a build starts (bin/ prints a
 * line, so a first run in a fresh clone is never silent). Resolves true when it built.
 */
export async function ensureBuilt({ force = false, onBuild = () => {} } = {}) {
  const print = fingerprint();
  if (!force && upToDate(print)) return false;
  onBuild();
  await build(print);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const built = await ensureBuilt({ force: process.argv.includes('--force') });
  process.stderr.write(built ? `built dist/bundle in ${Date.now() - started} ms\n` : 'dist/bundle is up to date\n');
  if (process.argv.includes('--pack')) {
    const outputs = await prepareForPack();
    process.stderr.write(`dist/bundle holds this build alone: ${outputs.length} files\n`);
  }
}

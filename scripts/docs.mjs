// `npm run docs`: runs the built CLI for real (FORCE_COLOR=1, --retry-delays 1,2), captures its coloured output and
// draws it as docs/run.svg, the picture the README shows, so the picture is always a true run.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import ansiToSvg from 'ansi-to-svg';

const root = fileURLToPath(new URL('../', import.meta.url));
const env = { ...process.env, FORCE_COLOR: '1', COLUMNS: '80' };
for (const name of ['NO_COLOR', 'CI', 'LAMBDA_ASYNC_DEMO_TARGET']) delete env[name];

// An empty state dir: `run` uses the in-process emulator, never a local server someone left running.
const args = ['bin/lambda-async-demo.js', 'run', '--retry-delays', '1,2', '--state-dir', `${tmpdir()}/lambda-async-demo-docs-${process.pid}`];
const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
if (result.status !== 0) {
  process.stderr.write(result.stderr + result.stdout);
  throw new Error(`the run failed (exit ${result.status}): no picture drawn`);
}
// Progress (stderr) first, then the results (stdout), as a terminal shows them; ports and clock times are left as they were.
const command = `\u001b[2m$\u001b[0m npx lambda-async-demo run\n`;
const text = command + result.stderr + result.stdout;
const svg = ansiToSvg(text.replace(/\n+$/, ''), {
  paddingTop: 8, paddingLeft: 12, paddingBottom: 8, paddingRight: 12,
  // Monospace fonts found on most machines (its cell width, 0.6 em, is what every one of them uses).
  fontFamily: 'SFMono-Regular, Menlo, Consolas, DejaVu Sans Mono, Liberation Mono, monospace',
  colors: { backgroundColor: '#1e1e1e', foregroundColor: '#d4d4d4' },
});
// ansi-to-svg places each run at its column but leaves the run's leading spaces in, and SVG collapses runs of
// spaces: the table's and the timeline's columns are made of them. So spaces are kept, and the leading ones dropped.
const spacesKept = svg
  .replace('<svg ', '<svg xml:space="preserve" ')
  .replace(/(<text [^>]*>) +/g, '$1');
writeFileSync(`${root}docs/run.svg`, spacesKept);
process.stdout.write(`docs/run.svg: ${text.split('\n').length} lines from a real run\n`);

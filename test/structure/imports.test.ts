// The rooms and who may enter them (docs/DEVELOPING.md): checked on every import in src/, so a change that breaks the
// layering fails here instead of growing quietly.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

interface Import {
  from: string;
  to: string;
}

/** Every relative import (static, dynamic, `import type`, re-export) of every .ts file under src/, as src-relative paths. */
function imports(): Import[] {
  const found: Import[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
          found.push({ from: relative(SRC, path), to: relative(SRC, resolve(dirname(path), match[1]!)).replace(/\.js$/, '.ts') });
        }
      }
    }
  };
  walk(SRC);
  return found;
}

const ALL = imports();
const offending = (rule: (edge: Import) => boolean) => ALL.filter(rule).map((edge) => `${edge.from} -> ${edge.to}`);

test('the walk finds the imports it checks', () => {
  assert.ok(ALL.length > 100, `only ${ALL.length} imports found`);
  assert.ok(ALL.some((edge) => edge.from === 'cli/main.ts'));
});

test('only src/cli/ imports from src/cli/: it alone reads argv, prints and sets the exit code', () => {
  assert.deepEqual(
    offending((edge) => edge.to.startsWith('cli/') && !edge.from.startsWith('cli/')),
    [],
  );
});

/** Every .ts file under src/ outside src/cli/ whose text says ExitCode. */
function exitCodeMentions(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const name = relative(SRC, path);
      if (entry.isDirectory()) {
        if (name !== 'cli') walk(path);
      } else if (entry.name.endsWith('.ts') && /\bExitCode\b/.test(readFileSync(path, 'utf8'))) found.push(name);
    }
  };
  walk(SRC);
  return found;
}

test('exit codes live in src/cli/ alone: below it a failure has a kind and a command an outcome, never ExitCode', () => {
  assert.deepEqual(exitCodeMentions(), []);
});

test('the walk finds ExitCode where it is', () => {
  assert.ok(readFileSync(join(SRC, 'cli/exit-codes.ts'), 'utf8').includes('export const ExitCode'));
});

test('the emulator imports nothing outside src/emulator/: it runs alone in the local server', () => {
  assert.deepEqual(offending((edge) => edge.from.startsWith('emulator/') && !edge.to.startsWith('emulator/')), []);
});

test('services never see the wire: nothing under services/ imports protocol/, bindings/ or the server', () => {
  assert.deepEqual(
    offending(
      (edge) =>
        edge.from.startsWith('emulator/services/') &&
        (edge.to.startsWith('emulator/protocol/') || edge.to.startsWith('emulator/bindings/') || edge.to === 'emulator/server.ts'),
    ),
    [],
  );
});

test('protocol/ knows no service: it imports nothing from services/ or bindings/', () => {
  assert.deepEqual(
    offending((edge) => edge.from.startsWith('emulator/protocol/') && (edge.to.startsWith('emulator/services/') || edge.to.startsWith('emulator/bindings/'))),
    [],
  );
});

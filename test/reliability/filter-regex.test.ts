// Filter patterns cannot freeze the emulator: %regex% and `*` wildcards match in linear time, exactly as the RegExp
// they replace, and a catastrophic pattern over long log lines answers at once through FilterLogEvents.
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { linearRegexTest, wildcardMatch } from '../../src/emulator/services/filter-regex.js';
import { TEST_CREDENTIALS } from '../helpers/emulator.js';

// AWS's regex subset (no parentheses), built from pieces so most patterns compile.
const atomArb = fc.oneof(
  fc.constantFrom('a', 'b', 'x', '.', '\\d', '\\w', '\\s', '\\.', '\\|', '[ab]', '[^a]', '[a-c]', '[.]', '\\n', ':', '-', '=', '{', '}', ']'),
);
const quantifierArb = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '{,2}');
const branchArb = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(atomArb, quantifierArb).map(([atom, quantifier]) => atom + quantifier), { maxLength: 6 }), fc.boolean())
  .map(([start, pieces, end]) => `${start ? '^' : ''}${pieces.join('')}${end ? '$' : ''}`);
const patternArb = fc.array(branchArb, { minLength: 1, maxLength: 3 }).map((branches) => branches.join('|'));
const messageArb = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', '1', ' ', '.', ':', '\n', '|', '-', '{', '}'), maxLength: 16 });

function compiles(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

test('the linear matcher agrees with RegExp.test on 3,000 random patterns and messages', () => {
  let compared = 0;
  fc.assert(
    fc.property(patternArb, fc.array(messageArb, { minLength: 1, maxLength: 8 }), (pattern, messages) => {
      const native = compiles(pattern);
      fc.pre(native !== undefined);
      const linear = linearRegexTest(pattern, native!);
      for (const message of messages) {
        compared++;
        assert.equal(linear(message), native!.test(message), `%${pattern}% on ${JSON.stringify(message)}`);
      }
    }),
    { numRuns: 3000 },
  );
  assert.ok(compared > 3000);
});

test('the wildcard matcher agrees with an anchored .* RegExp on 3,000 random cases', () => {
  const wildcardArb = fc.string({ unit: fc.constantFrom('a', 'b', '*', '.', '\n'), maxLength: 8 });
  fc.assert(
    fc.property(wildcardArb, fc.string({ unit: fc.constantFrom('a', 'b', '.', '\n'), maxLength: 12 }), (pattern, value) => {
      const source = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
      assert.equal(wildcardMatch(value, pattern), new RegExp(`^${source}$`, 's').test(value), `${pattern} on ${JSON.stringify(value)}`);
    }),
    { numRuns: 3000 },
  );
});

test('FilterLogEvents with catastrophic patterns over 10 KB lines answers within a second each', async (t) => {
  // The server runs in its own process: were it to freeze on a pattern, this test times out instead of freezing too.
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `
      const { startEmulator } = await import(${JSON.stringify(new URL('../../src/emulator/index.ts', import.meta.url).href)});
      const running = await startEmulator();
      running.emulator.logs.appendLogEvents('/redos/group', 'stream', [
        { timestamp: Date.now(), message: 'a'.repeat(10_000) },
        { timestamp: Date.now(), message: 'x = ' + 'a'.repeat(10_000) },
      ]);
      console.log(running.url);
    `],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => server.kill('SIGKILL'));
  const [line] = (await once(server.stdout!, 'data')) as [Buffer];
  const logs = new CloudWatchLogsClient({ endpoint: line.toString().trim(), region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  t.after(() => logs.destroy());
  for (const filterPattern of ['%a*a*a*a*a*a*a*a*a*a*a*a*b%', '%a+a+a+a+a+a+a+a+[b-z]%', '[x, op, value = a*a*a*a*a*a*a*a*a*a*b]', '%^a*a*a*a*a*a*a*a*$%']) {
    const startedAt = Date.now();
    const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: '/redos/group', filterPattern }), {
      abortSignal: AbortSignal.timeout(5000),
    });
    assert.ok(Date.now() - startedAt < 1000, `${filterPattern} took ${Date.now() - startedAt} ms`);
    // Only the all-a line matches the anchored pattern; nothing ends in b.
    assert.equal(events.length, filterPattern === '%^a*a*a*a*a*a*a*a*$%' ? 1 : 0, filterPattern);
  }
});

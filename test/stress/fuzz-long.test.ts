// The fuzz of test/reliability/fuzz.test.ts at 10,000 requests per protocol (FUZZ_RUNS overrides): a longer hunt
// than `npm test` can afford. Run with `npm run test:stress`.
process.env.FUZZ_RUNS ??= '10000';
process.env.FUZZ_SEED ??= 'random';
await import('../reliability/fuzz.test.js');

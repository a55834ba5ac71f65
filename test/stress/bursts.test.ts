// The bursts and consumers of test/reliability/load.test.ts at 2,500 events per burst (LOAD_BURST overrides).
// Run with `npm run test:stress`.
process.env.LOAD_BURST ??= '2500';
await import('../reliability/load.test.js');

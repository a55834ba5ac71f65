// The emulator alone in a process of its own, for the bench when `local start` is not available: prints its URL.
// Usage: node bench/lib/emulator-process.mjs <port> [stateDir]
import { startEmulator } from '../../dist/bundle/emulator.js';

const [portText, stateDir] = process.argv.slice(2);
const running = await startEmulator({
  host: '127.0.0.1',
  port: Number(portText ?? 0),
  retryDelaysMs: [200, 400],
  ...(stateDir ? { stateDir } : {}),
});
process.stdout.write(`${running.url}\n`);

const stop = () => running.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

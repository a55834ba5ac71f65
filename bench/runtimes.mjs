// `npm run bench:runtimes`: a Python function's cold start and warm Invoke p50 beside a Node.js function's, in one run
// against the in-memory emulator (the built bundle), through the AWS SDK v3. Medians of 5 rounds of 1 cold + 200 warm.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadavg } from 'node:os';
import { startEmulator } from '../dist/bundle/emulator.js';

const running = await startEmulator({});
const { emulator } = running;
const role = emulator.iam.createRole({ RoleName: 'bench-runtimes', Policies: [] });
const lambda = new LambdaClient({ endpoint: running.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const python = ['python3.14', 'python3.13', 'python3.12'].find((runtime) => {
  try {
    emulator.lambda.createFunction({ FunctionName: `probe-${runtime.replace('.', '-')}`, Runtime: runtime, Handler: 'index.lambda_handler', Role: role.Arn, Code: { ZipFile: 'x' } });
    return true;
  } catch {
    return false;
  }
});
const functions = {
  'nodejs24.x': ['index.handler', 'exports.handler = async (event) => ({ statusCode: 200, body: `Hello, ${event.name}!` });'],
  ...(python ? { [python]: ['index.lambda_handler', 'def lambda_handler(event, context):\n    return {"statusCode": 200, "body": "Hello, " + event["name"] + "!"}\n'] } : {}),
};
const payload = new TextEncoder().encode('{"name":"bench"}');
const timed = async (name) => {
  const started = performance.now();
  await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
  return performance.now() - started;
};
const results = {};
for (let round = 0; round < 5; round += 1) {
  for (const [runtime, [handler, code]] of Object.entries(functions)) {
    const name = `bench-${runtime.replace('.', '-')}-${round}`;
    emulator.lambda.createFunction({ FunctionName: name, Runtime: runtime, Handler: handler, Role: role.Arn, Code: { ZipFile: code } });
    const cold = await timed(name);
    const warm = [];
    for (let call = 0; call < 200; call += 1) warm.push(await timed(name));
    warm.sort((a, b) => a - b);
    results[runtime] ??= { cold: [], warmP50: [] };
    results[runtime].cold.push(cold);
    results[runtime].warmP50.push(warm[100]);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [runtime, figures] of Object.entries(results)) {
  process.stdout.write(`${runtime.padEnd(11)} cold ${median(figures.cold).toFixed(1)} ms, warm p50 ${median(figures.warmP50).toFixed(2)} ms\n`);
}
if (!python) process.stdout.write('no Python 3.12 or later found here: Python figures skipped\n');
process.stdout.write(`load average at the end: ${loadavg().map((load) => load.toFixed(2)).join(' ')}\n`);
lambda.destroy();
await running.close();

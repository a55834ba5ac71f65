// Starts an emulator on a free 127.0.0.1 port with small retry delays and builds real SDK v3 clients aimed at it.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { after, type TestContext } from 'node:test';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface TestEmulator {
  running: RunningEmulator;
  url: string;
  cfn: CloudFormationClient;
  lambda: LambdaClient;
  sqs: SQSClient;
  logs: CloudWatchLogsClient;
}

/**
 * One emulator per call. Retry delays default to 50 ms then 100 ms. Called at a file's top level it closes when the
 * file finishes; called inside a running test, pass that test's context: a file-level after() registered from inside
 * a test can land after the root's hooks have run, leaving the server open and the file hanging.
 */
export async function startTestEmulator(options: EmulatorOptions = {}, t?: TestContext): Promise<TestEmulator> {
  const running = await startEmulator({ retryDelaysMs: [50, 100], ...options });
  const config = { endpoint: running.url, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  const emulator: TestEmulator = {
    running,
    url: running.url,
    cfn: new CloudFormationClient(config),
    lambda: new LambdaClient({ ...config, maxAttempts: 1 }),
    sqs: new SQSClient(config),
    logs: new CloudWatchLogsClient(config),
  };
  (t ? t.after.bind(t) : after)(async () => {
    for (const client of [emulator.cfn, emulator.lambda, emulator.sqs, emulator.logs]) client.destroy();
    await running.close();
  });
  return emulator;
}

/** Polls `check` every 20 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

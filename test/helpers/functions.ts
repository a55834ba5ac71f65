// Creating test functions in an emulator (through the Lambda service's internal API) and JSON payloads for Invoke.
import type { Emulator } from '../../src/emulator/index.js';

/** A function factory: each call creates `<prefix>-<n>` with the given inline code, Node.js 24 and a 5 s timeout. */
export function functionMaker(emulator: Emulator, roleArn: string, prefix: string) {
  let counter = 0;
  return (code: string, extra: Record<string, unknown> = {}): string => {
    const name = `${prefix}-${++counter}`;
    emulator.lambda.createFunction({
      FunctionName: name,
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Role: roleArn,
      Code: { ZipFile: code },
      Timeout: 5,
      ...extra,
    });
    return name;
  };
}

let asyncCounter = 0;

/**
 * A function for the async path: its own DLQ and a second queue for destinations, a role that may send to both, and
 * the DLQ configured. Names are `<prefix>-fn-<n>`, `<prefix>-dlq-<n>`, `<prefix>-destination-<n>`, `<prefix>-role-<n>`.
 */
export function createAsyncFunction(emulator: Emulator, prefix: string, code: string) {
  const id = ++asyncCounter;
  const dlq = emulator.sqs.createQueue(`${prefix}-dlq-${id}`);
  const destination = emulator.sqs.createQueue(`${prefix}-destination-${id}`);
  const role = emulator.iam.createRole({
    RoleName: `${prefix}-role-${id}`,
    Policies: [
      {
        PolicyName: 'queues',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [dlq.QueueArn, destination.QueueArn] }],
        },
      },
    ],
  });
  const name = `${prefix}-fn-${id}`;
  emulator.lambda.createFunction({
    FunctionName: name,
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: role.Arn,
    Code: { ZipFile: code },
    Timeout: 5,
    DeadLetterConfig: { TargetArn: dlq.QueueArn },
  });
  return { name, dlq, destination };
}

export const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
export const decode = (bytes: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(bytes));

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

export const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
export const decode = (bytes: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(bytes));

// The names the lesson works with: the defaults, and the real ones read back from the stack's outputs.
import type { Output } from '@aws-sdk/client-cloudformation';
import { environmentError } from '../errors.js';

export const DEFAULT_STACK_NAME = 'LambdaAsync';
export const DEFAULT_FUNCTION_NAME = 'SimpleFunc';

/** What the steps address, as the deployed stack reports it (never guessed from the defaults). */
export interface LessonNames {
  stackName: string;
  functionName: string;
  queueUrl: string;
  queueArn: string;
  logGroupName: string;
}

const REQUIRED_OUTPUTS = ['QueueUrl', 'QueueArn', 'FunctionName', 'LogGroupName'] as const;

export function outputsByKey(outputs: Output[] = []): Record<string, string> {
  const byKey: Record<string, string> = {};
  for (const { OutputKey, OutputValue } of outputs) if (OutputKey && OutputValue !== undefined) byKey[OutputKey] = OutputValue;
  return byKey;
}

export function namesFromOutputs(stackName: string, outputs: Record<string, string>): LessonNames {
  const missing = REQUIRED_OUTPUTS.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw environmentError(
      `The stack ${stackName} has no output ${missing.join(', ')}, so the lesson cannot find its resources.`,
      `Deploy templates/LambdaAsync.yaml as is, or pick another --stack-name.`,
    );
  }
  return {
    stackName,
    functionName: outputs.FunctionName!,
    queueUrl: outputs.QueueUrl!,
    queueArn: outputs.QueueArn!,
    logGroupName: outputs.LogGroupName!,
  };
}

// Function names, partial and full ARNs and qualifiers: AWS's patterns, and how a reference resolves in this region.
import { invalidParameter, notFound, shown, validationError } from './errors.js';

/** Where a reference resolves: the emulator's region and account. */
interface Here {
  readonly region: string;
  readonly accountId: string;
}

export interface FunctionReference {
  name: string;
  qualifier?: string;
}

// AWS's current patterns, exactly as its ValidationException messages quote them (recorded: localstack/localstack
// tests/aws/services/lambda_/test_lambda_api.snapshot.json, TestLambdaFunction::test_function_name_and_qualifier_validation,
// 25-11-2025; newer than botocore's model, which lacks `(eusc-)?`). NAMESPACED is the FunctionName of Invoke, GetFunction,
// DeleteFunction and the event-invoke-config operations; PLAIN that of CreateFunction and UpdateFunctionConfiguration
// (test_function_arns, invalid_function_name_exc).
const NAMESPACED_FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?';
const PLAIN_FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
/** The Qualifier parameter (same recording, invalid_characters_in_qualifier and qualifier_too_long). */
const QUALIFIER_PATTERN = '\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+';
const QUALIFIER = new RegExp(`^(?:${QUALIFIER_PATTERN})$`);
/** Both name patterns, whole-string, with their groups: 3 region, 9 account, 11 name, 13 qualifier. */
const FUNCTION_NAME_SHAPES = {
  namespaced: { pattern: NAMESPACED_FUNCTION_NAME_PATTERN, regex: new RegExp(`^(?:${NAMESPACED_FUNCTION_NAME_PATTERN})$`) },
  plain: { pattern: PLAIN_FUNCTION_NAME_PATTERN, regex: new RegExp(`^(?:${PLAIN_FUNCTION_NAME_PATTERN})$`) },
};
/** Function names themselves stop at 64 characters (test_function_arns, long_function_name_exc). */
const MAX_FUNCTION_NAME_LENGTH = 64;

export type FunctionNameShape = keyof typeof FUNCTION_NAME_SHAPES;

export function functionArnOf(here: Here, functionName: string): string {
  return `arn:aws:lambda:${here.region}:${here.accountId}:function:${functionName}`;
}

/**
 * Name, partial ARN or full ARN, with an optional `:qualifier` (docs/aws-semantics.md §1.1), checked against
 * AWS's pattern together with the Qualifier parameter: both failures are reported at once, as AWS does. A name
 * longer than 64 characters passes (the pattern has no length) and is then simply not found, as on AWS.
 */
export function parseReference(
  here: Here,
  functionName: string,
  qualifierParameter?: string,
  shape: FunctionNameShape = 'namespaced',
): FunctionReference {
  const problems: string[] = [];
  if (qualifierParameter !== undefined) {
    if (qualifierParameter.length > 128) {
      problems.push(`Value '${qualifierParameter}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128`);
    } else if (qualifierParameter.length < 1) {
      problems.push(`Value '${qualifierParameter}' at 'qualifier' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    } else if (!QUALIFIER.test(qualifierParameter)) {
      problems.push(
        `Value '${qualifierParameter}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`,
      );
    }
  }
  const { pattern, regex } = FUNCTION_NAME_SHAPES[shape];
  const match = typeof functionName === 'string' ? regex.exec(functionName) : null;
  if (!match) {
    problems.push(`Value '${shown(functionName)}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`);
  }
  if (problems.length > 0 || !match) throw validationError(...problems);
  const region = match[3]?.slice(0, -1);
  const account = match[9]?.slice(0, -1);
  const name = match[11]!;
  const qualifier = match[13];
  if (region && region !== here.region) {
    throw invalidParameter(`Functions from '${region}' are not reachable in this region ('${here.region}')`);
  }
  if (account && account !== here.accountId) {
    throw notFound(`Function not found: arn:aws:lambda:${here.region}:${account}:function:${name}`);
  }
  return { name, qualifier };
}

/** A CreateFunction name: the plain shape, no qualifier, at most 64 characters. */
export function validName(here: Here, functionName: string): string {
  const reference = parseReference(here, functionName, undefined, 'plain');
  if (reference.qualifier !== undefined) {
    throw invalidParameter('Unqualified function name expected; a qualifier is not allowed here.');
  }
  if (reference.name.length > MAX_FUNCTION_NAME_LENGTH) {
    // An InvalidParameterValueException worded as a validation error, as recorded (test_function_arns).
    throw invalidParameter(
      `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to ${MAX_FUNCTION_NAME_LENGTH}`,
    );
  }
  return reference.name;
}

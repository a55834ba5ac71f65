// Reading an operation's input with AWS's errors: required members, stack and change set names, parameters and
// tags, the template it names (its body or the stack's previous one), and NextToken pages.
import type { Parameter } from '@aws-sdk/client-cloudformation';
import type { ParameterInput, StackRecord } from './records.js';
import { validationError } from './shared.js';
import { parseTemplate, type Template } from './template.js';

const PAGE_SIZE = 100;
const MAX_TEMPLATE_BODY_BYTES = 51_200;
const NAME_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]*$/;

export function required<T>(value: T | undefined, member: string): T {
  if (value === undefined || value === null || value === '') {
    throw validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

export function checkName(value: string, member: string): void {
  if (!NAME_PATTERN.test(value) || value.length > 128) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ` +
        'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*',
    );
  }
}

export function parameterInputs(value: Parameter[] | undefined): ParameterInput[] {
  return (value ?? []).map((parameter) => ({
    ParameterKey: parameter.ParameterKey,
    ParameterValue: parameter.ParameterValue,
    UsePreviousValue: parameter.UsePreviousValue,
  }));
}

export function tagList(value: Array<{ Key?: string; Value?: string }> | undefined): Array<{ Key: string; Value: string }> {
  return (value ?? []).map((tag) => ({ Key: String(tag.Key ?? ''), Value: String(tag.Value ?? '') }));
}

/** The template an operation names: its TemplateBody, or with UsePreviousTemplate the stack's current one. */
export function templateFrom(
  input: { TemplateBody?: string; TemplateURL?: string; UsePreviousTemplate?: boolean },
  stack?: StackRecord,
): { body: string; template: Template } {
  if (input.TemplateBody !== undefined && input.TemplateBody !== '') {
    if (Buffer.byteLength(input.TemplateBody, 'utf8') > MAX_TEMPLATE_BODY_BYTES) {
      throw validationError(
        "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200",
      );
    }
    return { body: input.TemplateBody, template: parseTemplate(input.TemplateBody) };
  }
  if (input.UsePreviousTemplate) {
    if (!stack?.template) throw validationError('UsePreviousTemplate can only be used on an existing stack.');
    return { body: stack.templateBody, template: stack.template };
  }
  if (input.TemplateURL) {
    throw validationError(
      'TemplateURL is not supported by the lambda-async-demo local emulator (it cannot read S3): pass the template as TemplateBody.',
    );
  }
  throw validationError('Either Template URL or Template Body must be specified.');
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

export function paginate<T>(items: T[], nextToken: string | undefined, pageSize = PAGE_SIZE): { page: T[]; NextToken?: string } {
  let offset = 0;
  if (nextToken) {
    try {
      offset = Number((JSON.parse(Buffer.from(nextToken, 'base64').toString('utf8')) as { offset: unknown }).offset);
    } catch {
      offset = Number.NaN;
    }
    if (!Number.isInteger(offset) || offset < 0) throw validationError('Invalid NextToken');
  }
  const page = items.slice(offset, offset + pageSize);
  return { page, NextToken: offset + pageSize < items.length ? encodeToken(offset + pageSize) : undefined };
}

// The lesson template as CloudFormation reads it: YAML with the short-form intrinsics (!Ref, !If, ...) as their long forms.
import { readFileSync } from 'node:fs';
import { parse, type CollectionTag, type ScalarTag } from 'yaml';

type Tag = ScalarTag | CollectionTag;

const CLOUDFORMATION_TAGS: Tag[] = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
  ...['Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'And', 'Or', 'Not', 'FindInMap', 'GetAZs', 'Base64', 'ImportValue', 'GetAtt'].flatMap(
    (name): Tag[] => [
      { tag: `!${name}`, collection: 'seq', resolve: (value: { toJSON(): unknown }) => ({ [`Fn::${name}`]: value.toJSON() }) } as CollectionTag,
      ...(name === 'GetAtt' ? [] : [{ tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) } as ScalarTag]),
    ],
  ),
];

export interface LessonTemplate {
  Parameters: Record<string, { AllowedValues?: string[]; Default?: unknown }>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export const LESSON_TEMPLATE_TEXT = readFileSync(new URL('../../templates/LambdaAsync.yaml', import.meta.url), 'utf8');

export const lessonTemplate = parse(LESSON_TEMPLATE_TEXT, { customTags: CLOUDFORMATION_TAGS }) as LessonTemplate;

/** The inline handler the function gets for a runtime family: the branch of `ZipFile: !If [UsesPython, ...]`. */
export function inlineHandler(family: 'nodejs' | 'python'): string {
  const fn = Object.values(lessonTemplate.Resources).find((resource) => resource.Type === 'AWS::Lambda::Function')!;
  const [, python, node] = (fn.Properties!.Code as { ZipFile: { 'Fn::If': [string, string, string] } }).ZipFile['Fn::If'];
  return family === 'python' ? python : node;
}

// CloudFormation template text (JSON or YAML with the short-form !Ref/!Sub/... tags) to a plain, checked object.
import { parseDocument, type CollectionTag, type ScalarTag } from 'yaml';
import { ServiceError } from '../../errors.js';

export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };

export interface ParameterDefinition {
  Type: string;
  Default?: TemplateValue;
  AllowedValues?: TemplateValue[];
  AllowedPattern?: string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
  NoEcho?: boolean | string;
  Description?: string;
  ConstraintDescription?: string;
}

export interface ResourceDefinition {
  Type: string;
  Properties?: Record<string, TemplateValue>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: TemplateValue;
}

export interface OutputDefinition {
  Value: TemplateValue;
  Description?: string;
  Condition?: string;
  Export?: { Name: TemplateValue };
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: TemplateValue;
  Parameters?: Record<string, ParameterDefinition>;
  Mappings?: Record<string, Record<string, Record<string, TemplateValue>>>;
  Conditions?: Record<string, TemplateValue>;
  Transform?: TemplateValue;
  Resources: Record<string, ResourceDefinition>;
  Outputs?: Record<string, OutputDefinition>;
  Rules?: TemplateValue;
}

const TOP_LEVEL_SECTIONS = new Set([
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions',
  'Transform', 'Resources', 'Outputs', 'Hooks',
]);

export function templateError(message: string): ServiceError {
  return new ServiceError('ValidationError', `Template format error: ${message}`);
}

/** The YAML short forms, each mapped to its long form (`!Sub x` is `{ "Fn::Sub": x }`). */
const SHORT_FORMS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  Join: 'Fn::Join',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Cidr: 'Fn::Cidr',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
  Transform: 'Fn::Transform',
};

function longForm(name: string, value: TemplateValue): TemplateValue {
  // `!GetAtt Queue.Arn` is the scalar form of ["Queue", "Arn"]; the attribute itself may contain dots.
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [SHORT_FORMS[name]!]: value };
}

// One tag per node kind: `!Sub text`, `!Sub [text, {vars}]` and `!Base64 {Fn::Sub: ...}` are all valid.
const CUSTOM_TAGS: Array<ScalarTag | CollectionTag> = Object.keys(SHORT_FORMS).flatMap((name): Array<ScalarTag | CollectionTag> => [
  { tag: `!${name}`, resolve: (value: string) => longForm(name, value) },
  { tag: `!${name}`, collection: 'seq', resolve: (seq) => longForm(name, seq.toJSON() as TemplateValue) },
  { tag: `!${name}`, collection: 'map', resolve: (map) => longForm(name, map.toJSON() as TemplateValue) },
]);

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    // docs/aws-semantics.md §6.2: "Template format error: JSON not well-formed. (line 1, column 25)"
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const at = position ? lineAndColumn(body, Number(position[1])) : lineAndColumn(body, body.length);
    throw templateError(`JSON not well-formed. (line ${at.line}, column ${at.column})`);
  }
}

function parseYaml(body: string): unknown {
  const document = parseDocument(body, { customTags: CUSTOM_TAGS, uniqueKeys: true, prettyErrors: true });
  // An unknown tag (say `!Reff`) is only a warning for the yaml package; for CloudFormation it is a broken template.
  const problem = document.errors[0] ?? document.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (problem) {
    const at = problem.linePos?.[0];
    const where = at ? ` (line ${at.line}, column ${at.col})` : '';
    const detail = problem.message.split(' at line ')[0]!.split('\n')[0]!;
    throw templateError(`YAML not well-formed. ${detail}${where}`);
  }
  try {
    return document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // An alias bomb ("Excessive alias count ...") is a broken template, not a server fault: it answered 500 before
    // test/reliability/fuzz.test.ts.
    throw templateError(`YAML not well-formed. ${(error as Error).message}`);
  }
}

/**
 * The last template parsed, by its text: a deploy sends the same body to ValidateTemplate and then CreateChangeSet,
 * and parsing YAML is the slowest part of both (about 10 ms each for the lesson's template). Callers get a copy.
 */
let lastParsed: { body: string; template: Template } | undefined;

/** Parses and structurally checks a template body; every problem is AWS's `Template format error: ...`. */
export function parseTemplate(body: string): Template {
  if (lastParsed?.body !== body) lastParsed = { body, template: parseTemplateText(body) };
  return structuredClone(lastParsed.template);
}

function parseTemplateText(body: string): Template {
  if (body.trim() === '') throw templateError('At least one Resources member must be defined.');
  const parsed = body.trimStart().startsWith('{') ? parseJson(body) : parseYaml(body);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw templateError('unsupported structure.');
  }
  const template = parsed as Record<string, unknown>;
  const unknownSections = Object.keys(template).filter((key) => !TOP_LEVEL_SECTIONS.has(key));
  if (unknownSections.length > 0) {
    throw templateError(`Invalid template property or properties [${unknownSections.join(', ')}]`);
  }
  const version = template.AWSTemplateFormatVersion;
  if (version !== undefined && !((typeof version === 'string' || typeof version === 'number') && String(version) === '2010-09-09')) {
    // Not String() on anything else: an object's own `toString` member made it throw.
    const shownVersion = typeof version === 'string' || typeof version === 'number' ? String(version) : JSON.stringify(version);
    throw templateError(`'${shownVersion}' is not a valid template version`);
  }
  if (template.Description !== undefined && typeof template.Description !== 'string') {
    throw templateError('Every Description member must be a string.');
  }
  const resources = template.Resources;
  if (resources === null || resources === undefined || typeof resources !== 'object' || Object.keys(resources).length === 0) {
    throw templateError('At least one Resources member must be defined.');
  }
  if (Array.isArray(resources)) throw templateError('Resources must be an object.');
  for (const [logicalId, resource] of Object.entries(resources as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9]+$/.test(logicalId)) {
      throw templateError(`Resource name ${logicalId} is non alphanumeric.`);
    }
    if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
      throw templateError(`[/Resources/${logicalId}] resource definition is malformed`);
    }
    const type = (resource as Record<string, unknown>).Type;
    if (typeof type !== 'string' || type === '') {
      throw templateError(`[/Resources/${logicalId}] Every Resources object must contain a Type member.`);
    }
    const properties = (resource as Record<string, unknown>).Properties;
    if (properties !== undefined && (properties === null || typeof properties !== 'object' || Array.isArray(properties))) {
      throw templateError(`[/Resources/${logicalId}/Properties] Properties must be an object.`);
    }
  }
  for (const parameter of Object.values((template.Parameters ?? {}) as Record<string, unknown>)) {
    if (parameter === null || typeof parameter !== 'object' || Array.isArray(parameter)) {
      throw templateError('Any Parameters member must be a JSON object.');
    }
    if (typeof (parameter as Record<string, unknown>).Type !== 'string') {
      throw templateError(`Every Parameters object must contain a Type member.`);
    }
  }
  for (const output of Object.values((template.Outputs ?? {}) as Record<string, unknown>)) {
    if (output === null || typeof output !== 'object' || !('Value' in output)) {
      throw templateError(`Every Outputs member must contain a Value object`);
    }
  }
  return template as unknown as Template;
}

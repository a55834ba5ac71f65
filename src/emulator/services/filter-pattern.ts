// CloudWatch Logs filter patterns (terms, phrases, ?OR, -exclusion, %regex%, JSON {...}, space-delimited [...]) as message predicates.
// Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html (docs/aws-semantics.md §4).
import { linearRegexTest, wildcardMatch } from './filter-regex.js';

export type MessageMatcher = (message: string) => boolean;

/** A pattern AWS would reject, or one this emulator does not evaluate; the message is what the caller sees. */
export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

const NOT_SUPPORTED = 'which the lambda-async-demo local emulator does not support';

function invalid(detail: string): FilterPatternError {
  return new FilterPatternError(`Invalid filter pattern: ${detail}`);
}

/** Compiles once, matches many: FilterLogEvents runs the result over every candidate event. */
export function compileFilterPattern(pattern: string | undefined): MessageMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('[')) return compileSpaceDelimitedPattern(text);
  return compileTermPattern(text);
}

// ---------------------------------------------------------------- terms, phrases, ?OR, -exclusion, %regex%

type TermTest = (message: string) => boolean;

// Bare terms are limited to alphanumerics and underscore; anything else must be quoted, and AWS names the first
// offending character: "Invalid character(s) in term ':'" (seen in real InvalidParameterException responses).
const BARE_TERM_CHAR = /[\p{L}\p{N}_]/u;

function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      value += text[++i];
      continue;
    }
    if (char === '"') return { value, end: i + 1 };
    value += char;
  }
  throw invalid('a double-quoted term is not closed.');
}

function regexTest(body: string): TermTest {
  if (body.includes('(')) {
    // AWS: "The () operator is not supported. You can't use parentheses to define a subpattern."
    throw new FilterPatternError("Invalid character(s) in term '('");
  }
  let regex: RegExp;
  try {
    regex = new RegExp(body);
  } catch (error) {
    throw invalid(`the regular expression %${body}% does not compile (${(error as Error).message}).`);
  }
  return linearRegexTest(body, regex);
}

function compileTermPattern(text: string): MessageMatcher {
  const required: TermTest[] = [];
  const anyOf: TermTest[] = [];
  const excluded: TermTest[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    let bucket = required;
    if (text[i] === '?') {
      bucket = anyOf;
      i++;
    } else if (text[i] === '-') {
      bucket = excluded;
      i++;
    }
    if (bucket !== required) {
      // AWS's own guide writes the exclusion as `"ERROR" - "Exiting"`, so a space after - or ? is tolerated.
      while (i < text.length && /\s/.test(text[i]!)) i++;
    }
    const first = text[i];
    if (first === undefined) throw invalid(`"${text[text.length - 1]}" must be followed by a term.`);
    if (first === '"') {
      const { value, end } = readQuoted(text, i);
      bucket.push((message) => message.includes(value));
      i = end;
    } else if (first === '%') {
      const close = text.indexOf('%', i + 1);
      if (close < 0) throw invalid('a %regular expression% is not closed.');
      bucket.push(regexTest(text.slice(i + 1, close)));
      i = close + 1;
    } else {
      let term = '';
      while (i < text.length && !/\s/.test(text[i]!)) {
        const char = text[i]!;
        if (!BARE_TERM_CHAR.test(char)) throw new FilterPatternError(`Invalid character(s) in term '${char}'`);
        term += char;
        i++;
      }
      // Terms match anywhere in the message: "ERROR" matches "Exiting with ERRORCODE: -1" (AWS's own example).
      bucket.push((message) => message.includes(term));
    }
  }
  return (message) =>
    required.every((test) => test(message)) &&
    (anyOf.length === 0 || anyOf.some((test) => test(message))) &&
    !excluded.some((test) => test(message));
}

// ---------------------------------------------------------------- values shared by JSON and space-delimited patterns

type Comparator = '=' | '!=' | '<' | '>' | '<=' | '>=';

interface Literal {
  text: string;
  /** Set when the literal reads as a number (bare or quoted). */
  number?: number;
  quoted: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function literalOf(text: string, quoted: boolean): Literal {
  return { text, quoted, number: !quoted && NUMBER.test(text) ? Number(text) : undefined };
}

/**
 * String equality with `*`. JSON patterns honour it only at the start or end ("Ev*ent will only match the actual string
 * Ev*ent"); space-delimited patterns show it mid-value too (`request = *html*`, `status_code = 4*`).
 */
function wildcardEquals(value: string, pattern: string, anywhere: boolean): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return value === pattern;
  // Not a `^a.*b.*c$` RegExp: backtracking over many stars took seconds per message (test/reliability/fuzz.test.ts).
  if (anywhere) return wildcardMatch(value, pattern);
  const leading = pattern.startsWith('*');
  const trailing = pattern.length > 1 && pattern.endsWith('*');
  const core = pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (leading && trailing) return value.includes(core);
  if (leading) return value.endsWith(core);
  if (trailing) return value.startsWith(core);
  return value === pattern;
}

function compareNumbers(actual: number, op: Comparator, expected: number): boolean {
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '>':
      return actual > expected;
    case '<=':
      return actual <= expected;
    case '>=':
      return actual >= expected;
  }
}

/** `actual` is a string field or a JSON value node (string, number, boolean). */
function compareValue(actual: string | number | boolean, op: Comparator, literal: Literal, wildcardAnywhere: boolean): boolean {
  if (op !== '=' && op !== '!=') {
    if (literal.number === undefined) throw invalid(`"${op}" needs a number, not ${JSON.stringify(literal.text)}.`);
    const numeric = typeof actual === 'number' ? actual : typeof actual === 'string' && NUMBER.test(actual) ? Number(actual) : NaN;
    return !Number.isNaN(numeric) && compareNumbers(numeric, op, literal.number);
  }
  let equal: boolean;
  if (literal.number !== undefined && (typeof actual === 'number' || (typeof actual === 'string' && NUMBER.test(actual)))) {
    equal = Number(actual) === literal.number;
  } else {
    equal = wildcardEquals(String(actual), literal.text, wildcardAnywhere);
  }
  return op === '=' ? equal : !equal;
}

// ---------------------------------------------------------------- JSON patterns: { $.a.b[0] = "x" && ($.n > 3 || $.f IS TRUE) }

type JsonToken =
  | { kind: 'selector'; path: Array<string | number> }
  | { kind: 'op'; op: Comparator }
  | { kind: 'and' | 'or' | 'open' | 'close' }
  | { kind: 'literal'; literal: Literal }
  | { kind: 'word'; word: string };

type JsonCondition = (document: unknown) => boolean;

const MISSING = Symbol('missing');

function parseSelector(text: string, start: number): { path: Array<string | number>; end: number } {
  const path: Array<string | number> = [];
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === '.') {
      const name = /^[A-Za-z0-9_\-@]+/.exec(text.slice(i + 1));
      if (!name) {
        if (text[i + 1] === '*') throw new FilterPatternError(`The JSON selector wildcard "$.*" is a filter pattern feature ${NOT_SUPPORTED}.`);
        throw new FilterPatternError(`Invalid character(s) in term '${text.slice(start, i + 2)}'`);
      }
      path.push(name[0]);
      i += 1 + name[0].length;
    } else if (text[i] === '[') {
      const index = /^\[(\d+)\]/.exec(text.slice(i));
      if (!index) {
        if (text.startsWith('[*]', i)) throw new FilterPatternError(`The JSON array wildcard "[*]" is a filter pattern feature ${NOT_SUPPORTED}.`);
        throw invalid(`the selector ${text.slice(start, i + 1)} has a malformed array index.`);
      }
      path.push(Number(index[1]));
      i += index[0].length;
    } else {
      break;
    }
  }
  if (path.length === 0) throw invalid('a JSON selector must name a property, like $.field.');
  return { path, end: i };
}

function tokenizeJson(body: string): JsonToken[] {
  const tokens: JsonToken[] = [];
  let i = 0;
  while (i < body.length) {
    const char = body[i]!;
    if (/\s/.test(char)) {
      i++;
    } else if (body.startsWith('&&', i)) {
      tokens.push({ kind: 'and' });
      i += 2;
    } else if (body.startsWith('||', i)) {
      tokens.push({ kind: 'or' });
      i += 2;
    } else if (char === '(') {
      tokens.push({ kind: 'open' });
      i++;
    } else if (char === ')') {
      tokens.push({ kind: 'close' });
      i++;
    } else if (char === '$') {
      const { path, end } = parseSelector(body, i);
      tokens.push({ kind: 'selector', path });
      i = end;
    } else if (/[=!<>]/.test(char)) {
      const op = /^(!=|<=|>=|=|<|>)/.exec(body.slice(i));
      if (!op) throw invalid(`unexpected "${char}".`);
      tokens.push({ kind: 'op', op: op[1] as Comparator });
      i += op[1]!.length;
    } else if (char === '"') {
      const { value, end } = readQuoted(body, i);
      tokens.push({ kind: 'literal', literal: literalOf(value, true) });
      i = end;
    } else if (char === '%') {
      throw new FilterPatternError(`Regular expressions inside JSON filter patterns are a feature ${NOT_SUPPORTED}.`);
    } else {
      const word = /^[^\s()&|=!<>"]+/.exec(body.slice(i))![0];
      const upper = word.toUpperCase();
      const previous = tokens[tokens.length - 1];
      if (previous?.kind !== 'op' && ['IS', 'NOT', 'EXISTS', 'NULL', 'TRUE', 'FALSE'].includes(upper)) {
        tokens.push({ kind: 'word', word: upper });
      } else {
        tokens.push({ kind: 'literal', literal: literalOf(word, false) });
      }
      i += word.length;
    }
  }
  return tokens;
}

function resolvePath(document: unknown, path: Array<string | number>): unknown {
  let node: unknown = document;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return MISSING;
      node = node[step];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, step)) return MISSING;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node;
}

function parseJsonExpression(tokens: JsonToken[]): JsonCondition {
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];

  function comparison(): JsonCondition {
    const token = take();
    if (token?.kind === 'open') {
      const inner = orExpression();
      if (take()?.kind !== 'close') throw invalid('a "(" is not closed.');
      return inner;
    }
    if (token?.kind !== 'selector') throw invalid('each JSON condition must start with a selector such as $.field.');
    const { path } = token;
    const next = take();
    if (next?.kind === 'word') {
      const words = [next.word];
      while (peek()?.kind === 'word') words.push((take() as { word: string }).word);
      const phrase = words.join(' ');
      switch (phrase) {
        case 'IS NULL':
          return (document) => resolvePath(document, path) === null;
        case 'IS TRUE':
          return (document) => resolvePath(document, path) === true;
        case 'IS FALSE':
          return (document) => resolvePath(document, path) === false;
        case 'NOT EXISTS':
          return (document) => resolvePath(document, path) === MISSING;
        default:
          throw new FilterPatternError(`The JSON filter pattern condition "${phrase}" is a feature ${NOT_SUPPORTED}.`);
      }
    }
    if (next?.kind !== 'op') throw invalid('a JSON selector must be followed by =, !=, <, >, <=, >=, IS or NOT EXISTS.');
    const value = take();
    if (value?.kind !== 'literal') throw invalid(`"${next.op}" must be followed by a value.`);
    const { op } = next;
    const { literal } = value;
    if (op !== '=' && op !== '!=' && literal.number === undefined) {
      throw invalid(`"${op}" needs a number, not ${JSON.stringify(literal.text)}.`);
    }
    return (document) => {
      const actual = resolvePath(document, path);
      // The selector must reach a value node: on an object, array, null or a missing key both = and != fail
      // ("both {$.users = 1} and {$.users != 1} will fail to match a log event where users is an array").
      if (actual === MISSING || actual === null || typeof actual === 'object') return false;
      return compareValue(actual as string | number | boolean, op, literal, false);
    };
  }

  function andExpression(): JsonCondition {
    const parts = [comparison()];
    while (peek()?.kind === 'and') {
      take();
      parts.push(comparison());
    }
    return parts.length === 1 ? parts[0]! : (document) => parts.every((part) => part(document));
  }

  function orExpression(): JsonCondition {
    const parts = [andExpression()];
    while (peek()?.kind === 'or') {
      take();
      parts.push(andExpression());
    }
    return parts.length === 1 ? parts[0]! : (document) => parts.some((part) => part(document));
  }

  const condition = orExpression();
  if (position < tokens.length) throw invalid('unexpected text after a complete JSON condition.');
  return condition;
}

function compileJsonPattern(text: string): MessageMatcher {
  if (!text.endsWith('}')) throw invalid('a JSON filter pattern must end with "}".');
  const tokens = tokenizeJson(text.slice(1, -1));
  if (tokens.length === 0) throw invalid('the JSON filter pattern {} is empty.');
  const condition = parseJsonExpression(tokens);
  return (message) => {
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    return document !== null && typeof document === 'object' && condition(document);
  };
}

// ---------------------------------------------------------------- space-delimited patterns: [ip, user, ..., status = 4*, bytes > 1000]

interface DelimitedClause {
  field: string;
  op: Comparator;
  literal: Literal;
}

interface DelimitedSlot {
  /** "..." absorbs any number of fields. */
  ellipsis: boolean;
  /** Undefined for an ellipsis or an empty (anonymous) field. */
  name?: string;
  /** Disjunction of conjunctions: a || b && c is [[a], [b, c]]. Empty means no condition. */
  any: DelimitedClause[][];
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && quoted && i + 1 < text.length) {
      current += char + text[++i];
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (!quoted && text.startsWith(separator, i)) {
      parts.push(current);
      current = '';
      i += separator.length - 1;
      continue;
    }
    current += char;
  }
  if (quoted) throw invalid('a double-quoted value is not closed.');
  parts.push(current);
  return parts;
}

function parseClause(text: string): DelimitedClause {
  const match = /^\s*([A-Za-z_$][\w$]*)\s*(!=|<=|>=|=|<|>)\s*(.*?)\s*$/s.exec(text);
  if (!match) throw invalid(`cannot read the space-delimited condition ${JSON.stringify(text.trim())}.`);
  const [, field, op, raw] = match as unknown as [string, string, Comparator, string];
  if (raw === '') throw invalid(`"${op}" must be followed by a value.`);
  if (raw.startsWith('%')) throw new FilterPatternError(`Regular expressions inside space-delimited filter patterns are a feature ${NOT_SUPPORTED}.`);
  const literal = raw.startsWith('"') ? literalOf(readQuoted(raw, 0).value, true) : literalOf(raw, false);
  if (op !== '=' && op !== '!=' && literal.number === undefined) {
    throw invalid(`"${op}" needs a number, not ${JSON.stringify(literal.text)}.`);
  }
  return { field, op, literal };
}

function parseSlot(text: string): DelimitedSlot {
  const trimmed = text.trim();
  if (trimmed === '...') return { ellipsis: true, any: [] };
  // An empty slot still takes one field: AWS's [..., request=*.html*, status_code=4*,] extracts "$7" for the byte count.
  if (trimmed === '') return { ellipsis: false, any: [] };
  const name = /^[A-Za-z_$][\w$]*/.exec(trimmed);
  if (!name) throw invalid(`cannot read the space-delimited field ${JSON.stringify(trimmed)}.`);
  if (trimmed === name[0]) return { ellipsis: false, name: name[0], any: [] };
  const any = splitTopLevel(trimmed, '||').map((alternative) => splitTopLevel(alternative, '&&').map(parseClause));
  return { ellipsis: false, name: name[0], any };
}

/** Fields of a message: runs of non-space, where "..." and [...] each count as one field (their delimiters stripped). */
export function splitDelimitedFields(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    const char = message[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const close = char === '"' ? '"' : char === '[' ? ']' : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        fields.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let end = i;
    while (end < message.length && !/\s/.test(message[end]!)) end++;
    fields.push(message.slice(i, end));
    i = end;
  }
  return fields;
}

function compileSpaceDelimitedPattern(text: string): MessageMatcher {
  if (!text.endsWith(']')) throw invalid('a space-delimited filter pattern must end with "]".');
  const slots = splitTopLevel(text.slice(1, -1), ',').map(parseSlot);
  const fixedCount = slots.filter((slot) => !slot.ellipsis).length;

  const conditionsHold = (bound: Map<string, string>): boolean =>
    slots.every(
      (slot) =>
        slot.any.length === 0 ||
        slot.any.some((all) =>
          all.every((clause) => {
            const value = bound.get(clause.field);
            return value !== undefined && compareValue(value, clause.op, clause.literal, true);
          }),
        ),
    );

  // Each ellipsis absorbs any number of fields; try every alignment until one satisfies every condition.
  const align = (fields: string[], slotIndex: number, fieldIndex: number, bound: Map<string, string>): boolean => {
    if (slotIndex === slots.length) return fieldIndex === fields.length && conditionsHold(bound);
    const slot = slots[slotIndex]!;
    if (slot.ellipsis) {
      for (let end = fieldIndex; end <= fields.length; end++) {
        if (align(fields, slotIndex + 1, end, bound)) return true;
      }
      return false;
    }
    if (fieldIndex >= fields.length) return false;
    const next = new Map(bound);
    if (slot.name !== undefined) next.set(slot.name, fields[fieldIndex]!);
    next.set(`$${fieldIndex + 1}`, fields[fieldIndex]!);
    return align(fields, slotIndex + 1, fieldIndex + 1, next);
  };

  return (message) => {
    const fields = splitDelimitedFields(message);
    if (fields.length < fixedCount) return false;
    return align(fields, 0, 0, new Map());
  };
}

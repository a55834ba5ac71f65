// CloudWatch Logs' %regex% subset and `*` wildcards, matched in time linear in the message: JavaScript's backtracking
// RegExp took 30 s on `%a*a*a*a*a*a*a*a*b%` over a 40-character line and froze the whole emulator meanwhile
// (test/reliability/fuzz.test.ts). AWS's subset has no groups, so an automaton simulation covers it exactly.

type CharTest = (char: string) => boolean;

/** One position of the pattern: a character test that must match once, may match once, or any number of times. */
interface State {
  test: CharTest;
  kind: 'one' | 'optional' | 'star';
}

interface Branch {
  states: State[];
  anchoredStart: boolean;
  anchoredEnd: boolean;
  /** `a^b` or `a$b`: JavaScript accepts them and they can never match. */
  impossible: boolean;
}

/** A construct outside the subset (\b, back-references, ...): the caller falls back to the native RegExp. */
class Unsupported extends Error {}

/** Quantifier expansions beyond this are left to the native RegExp rather than grown into huge automata. */
const MAX_STATES = 2000;

const isLineTerminator = (char: string): boolean => char === '\n' || char === '\r' || char === '\u2028' || char === '\u2029';
const isDigit = (char: string): boolean => char >= '0' && char <= '9';
const isWord = (char: string): boolean => /\w/.test(char);
const isSpace = (char: string): boolean => /\s/.test(char);

const CONTROL_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', '0': '\0' };

/** The one character an escape stands for (`\.` is `.`, `\n` a newline), or undefined for a class like `\d`. */
function escapedLiteral(char: string): string | undefined {
  if (Object.hasOwn(CONTROL_ESCAPES, char)) return CONTROL_ESCAPES[char];
  return /[A-Za-z0-9]/.test(char) ? undefined : char;
}

// `\d`, `\n`, `\x41`, `\.`: the test for the escape starting at pattern[index] (the backslash), and where it ends.
function escapeAt(pattern: string, index: number): { test: CharTest; next: number } {
  const char = pattern[index + 1];
  if (char === undefined) throw new Unsupported();
  const single = (value: string) => ({ test: (candidate: string) => candidate === value, next: index + 2 });
  switch (char) {
    case 'd': return { test: isDigit, next: index + 2 };
    case 'D': return { test: (c) => !isDigit(c), next: index + 2 };
    case 'w': return { test: isWord, next: index + 2 };
    case 'W': return { test: (c) => !isWord(c), next: index + 2 };
    case 's': return { test: isSpace, next: index + 2 };
    case 'S': return { test: (c) => !isSpace(c), next: index + 2 };
    case 't': return single('\t');
    case 'n': return single('\n');
    case 'r': return single('\r');
    case 'f': return single('\f');
    case 'v': return single('\v');
    case '0': return single('\0');
    case 'x':
    case 'u': {
      const digits = char === 'x' ? 2 : 4;
      const hex = pattern.slice(index + 2, index + 2 + digits);
      if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) throw new Unsupported();
      return { test: (c) => c === String.fromCharCode(parseInt(hex, 16)), next: index + 2 + digits };
    }
    default:
      if (/[A-Za-z0-9]/.test(char)) throw new Unsupported(); // \b, \B, \1, \c, \k, \p ...
      return single(char);
  }
}

// `[a-z0-9_]`, `[^x]`: the test for the class starting at pattern[index] (the bracket), and where it ends.
function charClass(pattern: string, index: number): { test: CharTest; next: number } {
  let i = index + 1;
  const negated = pattern[i] === '^';
  if (negated) i++;
  const members: CharTest[] = [];
  const single = (): { test: CharTest; value?: string } => {
    if (pattern[i] === '\\') {
      const escaped = escapeAt(pattern, i);
      const value = escapedLiteral(pattern[i + 1]!);
      i = escaped.next;
      return { test: escaped.test, value };
    }
    const value = pattern[i++]!;
    return { test: (c) => c === value, value };
  };
  while (i < pattern.length && pattern[i] !== ']') {
    const low = single();
    if (pattern[i] === '-' && pattern[i + 1] !== undefined && pattern[i + 1] !== ']' && low.value !== undefined) {
      i++;
      const high = single();
      if (high.value === undefined) throw new Unsupported();
      const [from, to] = [low.value, high.value];
      members.push((c) => c >= from && c <= to);
    } else {
      members.push(low.test);
    }
  }
  if (pattern[i] !== ']') throw new Unsupported();
  const inClass = (c: string): boolean => members.some((member) => member(c));
  return { test: negated ? (c) => !inClass(c) : inClass, next: i + 1 };
}

/** `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}` (and their lazy forms) at pattern[index], or none. */
function quantifier(pattern: string, index: number): { min: number; max: number; next: number } | undefined {
  const char = pattern[index];
  let result: { min: number; max: number; next: number } | undefined;
  if (char === '*') result = { min: 0, max: Infinity, next: index + 1 };
  else if (char === '+') result = { min: 1, max: Infinity, next: index + 1 };
  else if (char === '?') result = { min: 0, max: 1, next: index + 1 };
  else if (char === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
    // Not a quantifier: JavaScript reads the brace literally.
    if (!match) return undefined;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
    result = { min, max, next: index + match[0].length };
  }
  if (result && pattern[result.next] === '?') result.next++; // lazy: the same language
  return result;
}

function parseBranch(pattern: string): Branch {
  const branch: Branch = { states: [], anchoredStart: false, anchoredEnd: false, impossible: false };
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i]!;
    if (char === '^') {
      if (branch.states.length === 0 && !branch.anchoredEnd) branch.anchoredStart = true;
      else branch.impossible = true;
      i++;
      continue;
    }
    if (char === '$') {
      branch.anchoredEnd = true;
      i++;
      continue;
    }
    if (branch.anchoredEnd) branch.impossible = true;
    let atom: { test: CharTest; next: number };
    if (char === '\\') atom = escapeAt(pattern, i);
    else if (char === '[') atom = charClass(pattern, i);
    else if (char === '.') atom = { test: (c) => !isLineTerminator(c), next: i + 1 };
    else if (char === '(' || char === ')' || char === '*' || char === '+' || char === '?') throw new Unsupported();
    else atom = { test: (c) => c === char, next: i + 1 };
    i = atom.next;
    const repeat = quantifier(pattern, i) ?? { min: 1, max: 1, next: i };
    i = repeat.next;
    if (repeat.max < repeat.min || repeat.min + (repeat.max === Infinity ? 1 : repeat.max - repeat.min) + branch.states.length > MAX_STATES) {
      throw new Unsupported();
    }
    for (let n = 0; n < repeat.min; n++) branch.states.push({ test: atom.test, kind: 'one' });
    if (repeat.max === Infinity) branch.states.push({ test: atom.test, kind: 'star' });
    else for (let n = repeat.min; n < repeat.max; n++) branch.states.push({ test: atom.test, kind: 'optional' });
  }
  return branch;
}

// Splits on the top-level `|` (none can be nested: there are no groups), leaving `\|` and `[|]` alone.
function splitBranches(pattern: string): string[] {
  const branches: string[] = [];
  let start = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') i++;
    else if (char === '[' && !inClass) inClass = true;
    else if (char === ']' && inClass) inClass = false;
    else if (char === '|' && !inClass) {
      branches.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  branches.push(pattern.slice(start));
  return branches;
}

// Thompson simulation: the set of pattern positions alive after each character; O(message × pattern).
function searchBranch(branch: Branch, text: string): boolean {
  if (branch.impossible) return false;
  const { states } = branch;
  const end = states.length;
  let current = new Uint8Array(end + 1);
  let next = new Uint8Array(end + 1);
  const enter = (set: Uint8Array, from: number): void => {
    for (let i = from; i <= end; i++) {
      if (set[i]) return;
      set[i] = 1;
      if (i === end || states[i]!.kind === 'one') return;
    }
  };
  enter(current, 0);
  for (let position = 0; ; position++) {
    if (current[end] && (!branch.anchoredEnd || position === text.length)) return true;
    if (position === text.length) return false;
    const char = text[position]!;
    next.fill(0);
    for (let i = 0; i < end; i++) {
      if (!current[i] || !states[i]!.test(char)) continue;
      enter(next, states[i]!.kind === 'star' ? i : i + 1);
    }
    if (!branch.anchoredStart) enter(next, 0);
    [current, next] = [next, current];
  }
}

/**
 * A predicate equal to `new RegExp(source).test(message)` for CloudWatch's subset (no groups: the caller refuses
 * parentheses), running in linear time. Anything outside the subset keeps the native RegExp it already compiled.
 */
export function linearRegexTest(source: string, compiled: RegExp): (message: string) => boolean {
  let branches: Branch[];
  try {
    branches = splitBranches(source).map(parseBranch);
  } catch (error) {
    if (error instanceof Unsupported) return (message) => compiled.test(message);
    throw error;
  }
  return (message) => branches.some((branch) => searchBranch(branch, message));
}

/** `value` matches `pattern`, where each `*` stands for any run of characters, newlines included. */
export function wildcardMatch(value: string, pattern: string): boolean {
  // Greedy with one backtrack point: O(value × pattern) at worst, never exponential.
  let v = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (p < pattern.length && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

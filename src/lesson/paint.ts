// The styles a picture may use, as plain functions, so summary and timeline stay pure and render without colour.

export interface Paint {
  pass(text: string): string;
  fail(text: string): string;
  skip(text: string): string;
  heading(text: string): string;
  label(text: string): string;
  dim(text: string): string;
  /** A failed attempt of step 4's event. */
  attempt(text: string): string;
  /** Step 3's attempt, which succeeded. */
  success(text: string): string;
  dlq(text: string): string;
  gap(text: string): string;
}

const identity = (text: string) => text;

export const plainPaint: Paint = {
  pass: identity,
  fail: identity,
  skip: identity,
  heading: identity,
  label: identity,
  dim: identity,
  attempt: identity,
  success: identity,
  dlq: identity,
  gap: identity,
};

/** The characters a picture draws with: box drawing where the terminal has Unicode, ASCII otherwise. */
export interface Glyphs {
  mark: string;
  dlqMark: string;
  line: string;
  elbow: string;
  tickLeft: string;
  tickRight: string;
  approx: string;
  arrow: string;
  separator: string;
  ellipsis: string;
}

export const unicodeGlyphs: Glyphs = {
  mark: '●',
  dlqMark: '◆',
  line: '─',
  elbow: '╰',
  tickLeft: '├',
  tickRight: '┤',
  approx: '≈',
  arrow: '→',
  separator: '·',
  ellipsis: '…',
};

export const asciiGlyphs: Glyphs = {
  mark: 'o',
  dlqMark: '#',
  line: '-',
  elbow: '`',
  tickLeft: '|',
  tickRight: '|',
  approx: '~',
  arrow: '->',
  separator: '-',
  ellipsis: '...',
};

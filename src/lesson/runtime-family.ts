// The function's language for the lesson (--runtime nodejs|python): apart from runtime.ts, which finds the local Python,
// so the command table (and --help) loads no emulator code.
export type RuntimeFamily = 'nodejs' | 'python';
export const RUNTIME_FAMILIES: RuntimeFamily[] = ['nodejs', 'python'];

/** The family of a deployed stack's Runtime parameter (absent: the template's default, Node.js). */
export function familyOf(runtime: string | undefined): RuntimeFamily {
  return runtime?.startsWith('python') ? 'python' : 'nodejs';
}

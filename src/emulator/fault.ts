// The one place a failure nobody can be answered about goes: the server log (stderr; server.log in server mode).
import { format } from 'node:util';

/** Writes one failure to stderr with where it happened; never throws, so a broken log cannot become a second fault. */
export function reportFault(where: string, error: unknown): void {
  try {
    const detail = error instanceof Error ? (error.stack ?? error.message) : format('%o', error);
    process.stderr.write(`${new Date().toISOString()} internal failure in ${where}: ${detail}\n`);
  } catch {
    // stderr itself is gone (a closed log): nothing left to tell.
  }
}

/**
 * Wraps a timer or event callback so that whatever it throws (or its promise rejects with) is reported and the
 * process keeps serving, instead of an uncaught exception ending every client, retry and long poll with it.
 */
export function guarded<A extends unknown[]>(where: string, callback: (...args: A) => unknown): (...args: A) => void {
  return (...args: A) => {
    try {
      const result = callback(...args);
      if (result instanceof Promise) result.catch((error: unknown) => reportFault(where, error));
    } catch (error) {
      reportFault(where, error);
    }
  };
}

// Telling a process apart from a later one that got the same pid: the boot and the start time, where Linux says them.
import { readFileSync } from 'node:fs';

/**
 * `<boot id>:<start time in clock ticks since boot>` of a process, read from /proc; undefined where there is no /proc
 * (macOS) or the process is gone. After a restart of the machine, or once the pid wraps round, another process may
 * hold the pid a lock or pid file names: its stamp differs, so it is never taken for the one that wrote the file.
 */
export function processStamp(pid: number | 'self'): string | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = fields[19];
    return startTime ? `${bootId}:${startTime}` : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process's command line matches `pattern`; undefined where it cannot be told (no /proc, or gone). */
export function commandLineMatches(pid: number, pattern: RegExp): boolean | undefined {
  try {
    return pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that wrote `stamp` (processStamp('self') at the time) still runs as `pid`. A zombie counts as
 * gone. Without a recorded stamp, or without /proc, `fallback` decides for a live pid (a command-line check, say).
 */
export function stillRunning(pid: number, stamp: string | undefined, fallback: (pid: number) => boolean = () => true): boolean {
  if (!processExists(pid)) return false;
  let state: string | undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return fallback(pid); // no /proc (macOS): kill(pid, 0) and the fallback are all we know
  }
  if (state === 'Z') return false;
  const now = processStamp(pid);
  if (stamp !== undefined && now !== undefined) return now === stamp;
  return fallback(pid);
}

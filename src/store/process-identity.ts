import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Who owns a claim or a container: enough to tell later whether that process still lives. */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Kernel start time of the process (clock ticks since boot), to tell a reused pid apart. */
  startTime: string | null;
}

/** The start time field of /proc/<pid>/stat, or null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces, so count from its closing parenthesis.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterName[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether two identities name the same process (host and pid). */
export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.host === b.host && a.pid === b.pid;
}

export function currentProcess(): ProcessIdentity {
  return { host: os.hostname(), pid: process.pid, startTime: processStartTime(process.pid) };
}

/**
 * Whether the process is alive: true, false, or 'unknown' when it ran on another host
 * (then only lock staleness can tell).
 */
export function isOwnerAlive(owner: ProcessIdentity): boolean | 'unknown' {
  if (owner.host !== os.hostname()) return 'unknown';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (owner.startTime === null) return true;
  const now = processStartTime(owner.pid);
  return now === null ? false : now === owner.startTime;
}

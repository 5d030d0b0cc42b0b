import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';

import { until } from './waiting.js';

export function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** A pid that surely names no process: a child of ours, SIGKILLed and reaped. */
export async function deadPid(): Promise<number> {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn sleep to get a dead pid');
  child.kill('SIGKILL');
  await exited;
  await until(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return isErrno(error, 'ESRCH');
    }
  }, 5_000, `pid ${pid} to be gone`);
  return pid;
}

/** All files and folders under root, as sorted relative paths. */
export async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map((e) => e.split(path.sep).join('/')).sort();
}

/** Whether any process of the group is left (zombies count until they are reaped). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return !isErrno(error, 'ESRCH');
  }
}

/** How many processes are in a process group (from /proc). */
export function countGroup(pgid: number): number {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  let count = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) count += 1;
    } catch {
      // Gone meanwhile.
    }
  }
  return count;
}

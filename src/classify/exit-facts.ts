import type { RunExit } from './classification.js';

/** Linux signal numbers (x86 and arm64 agree on these). */
const SIGNALS: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL',
  10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ', 31: 'SIGSYS',
};

/**
 * The signal an exit status says killed the process: 128 + n from a shell or `docker --init`
 * (134 SIGABRT, 137 SIGKILL, 139 SIGSEGV), -n from Python's subprocess and Node; null otherwise.
 */
export function signalOfExit(exit: Pick<RunExit, 'exitCode' | 'signal'>): string | null {
  if (exit.signal) return exit.signal;
  const code = exit.exitCode;
  if (code === null) return null;
  const n = code < 0 ? -code : code > 128 && code < 160 ? code - 128 : 0;
  return SIGNALS[n] ?? null;
}

/** `512 MiB`, `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : Number(value.toFixed(1))} ${units[unit]}`;
}

/** What the exit says about a process that died under a test: `SIGABRT (exit 134)`, `OOM kill (limit 512 MiB, exit 137)`. */
export function describeDeath(exit: RunExit, signal: string | null): string {
  const status = exit.exitCode === null ? '' : `exit ${exit.exitCode}`;
  if (exit.oomKilled) {
    const limit = exit.memoryLimitBytes ? `memory limit ${formatBytes(exit.memoryLimitBytes)}` : 'no memory limit known';
    return `killed by the kernel's OOM killer (${[limit, status].filter(Boolean).join(', ')})`;
  }
  if (signal !== null) return status ? `${signal} (${status})` : signal;
  return status;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { EnvironmentError } from '../../core/errors.js';
import { type ContainerNetns, ContainerGoneError, NSENTER_NETNS, netnsStdio, runInNetns } from './container-netns.js';
import type { NetShaping, NetShapingStats } from './net-shaping.js';

/** This package's root: the nearest folder with a package.json above this module (src/, dist/ and the bundle alike). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** The NFQUEUE delayer, run by the host's python3 inside the container's network namespace. */
export const NET_DELAY_SCRIPT = path.join(packageRoot(), 'templates/perturb/net_delay.py');
/** -I: no environment or user site can change what runs as root; -S: no site import (faster start). */
export const PYTHON = ['python3', '-I', '-S'];

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const MAX_STDERR = 4096;

export interface DelayHelper {
  readonly pid: number;
  /** Whose rules went in: `ipv4`, and `ipv6` unless the kernel or ip6tables refused. */
  readonly families: string[];
  /** Its counts once it has stopped cleanly; null before, or if it had to be killed. */
  readonly stats: NetShapingStats | null;
  /** SIGTERM (the helper removes its rules and releases what it holds), SIGKILL after 5 s; idempotent. */
  stop(): Promise<void>;
}

function helperArgs(netns: ContainerNetns, shaping: NetShaping, tracePath: string | undefined): string[] {
  return [
    NSENTER_NETNS, '--', ...PYTHON, NET_DELAY_SCRIPT, 'run',
    '--pid', String(netns.pid), '--netns-inode', String(netns.inode), '--parent-pid', String(process.pid),
    '--delay-ms', String(shaping.delayMs), '--jitter-ms', String(shaping.jitterMs),
    '--loss-percent', String(shaping.lossPercent), '--seed', String(shaping.seed),
    ...(tracePath === undefined ? [] : ['--trace', tracePath]),
  ];
}

/** Keeps (or stops keeping) this process alive for the child: only while starting and stopping it. */
function holdOpen(child: ChildProcess, hold: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?(): void; unref?(): void } | null>) {
    if (hold) handle?.ref?.();
    else handle?.unref?.();
  }
}

/**
 * Starts the helper and resolves once its rules are in and packets are being delayed. The helper
 * also ends by itself when this process dies (PR_SET_PDEATHSIG, EOF on its stdin) and when the
 * container's process exits.
 */
export async function startDelayHelper(netns: ContainerNetns, shaping: NetShaping, tracePath?: string): Promise<DelayHelper> {
  const child = spawn('nsenter', helperArgs(netns, shaping, tracePath), { stdio: netnsStdio(netns) });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-MAX_STDERR);
  });
  let stats: NetShapingStats | null = null;
  let families: string[] = [];
  let announceReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => { announceReady = resolve; });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: { event?: string; families?: string[] } & NetShapingStats;
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message.event === 'ready') {
      families = message.families ?? [];
      announceReady();
    }
    if (message.event === 'stopped') {
      const { packets, accepted, dropped, maxPending, reason } = message;
      stats = { packets, accepted, dropped, maxPending, reason };
    }
  });
  let spawnError: Error | null = null;
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
  });

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    closed.then(() => 'closed' as const),
    new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS); }),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    child.kill('SIGKILL');
    await closed;
    const failure = spawnError as Error | null;
    const why = failure?.message ?? (outcome === 'timeout' ? `no answer in ${READY_TIMEOUT_MS / 1000} s` : stderr.trim().split('\n').at(-1) || `exit ${child.exitCode}`);
    if (/ is gone|not in this network namespace/.test(why)) throw new ContainerGoneError(`network perturbation: ${why}`);
    throw new EnvironmentError(`network perturbation helper did not start: ${why}`);
  }
  holdOpen(child, false);

  let stopping: Promise<void> | undefined;
  const exitsWithin = (ms: number) => Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
  const stop = async (): Promise<void> => {
    holdOpen(child, true);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await exitsWithin(STOP_GRACE_MS))) {
        child.kill('SIGKILL');
        await closed;
      }
    }
    await closed;
    if (stats === null) await removeLeftoverRules(netns);
  };
  return {
    pid: child.pid!,
    families,
    get stats() { return stats; },
    stop: () => (stopping ??= stop()),
  };
}

/** After a helper was killed: its chain is still in the namespace (harmless, --queue-bypass); delete it. */
async function removeLeftoverRules(netns: ContainerNetns): Promise<void> {
  await runInNetns(netns, [...PYTHON, NET_DELAY_SCRIPT, 'remove-rules', '--netns-inode', String(netns.inode)]);
}

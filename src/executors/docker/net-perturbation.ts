import { stat } from 'node:fs/promises';

import { execa } from 'execa';

import { EnvironmentError, UsageError } from '../../core/errors.js';
import { openContainerNetns } from './container-netns.js';
import { NET_DELAY_SCRIPT, PYTHON, startDelayHelper } from './net-delay-helper.js';
import { checkShaping, type NetShaping, type NetShapingStats } from './net-shaping.js';
import { applyNetem, kernelHasNetem } from './netem-qdisc.js';

export { ContainerGoneError } from './container-netns.js';
export type { NetShaping, NetShapingStats } from './net-shaping.js';

/** `netem`: tc qdiscs on the container's devices; `nfqueue`: iptables NFQUEUE rules and a delayer process. */
export type NetMechanism = 'netem' | 'nfqueue';

export interface NetworkPerturbationOptions extends NetShaping {
  /** The container's main process on this machine (Docker's State.Pid). */
  containerPid: number;
  /** `auto` (the default): tc netem where the kernel has it, else NFQUEUE. */
  mechanism?: NetMechanism | 'auto';
  /** NFQUEUE only: a host file that receives each packet's decision, one `lost delay_ms` line each. */
  tracePath?: string;
}

export interface NetworkPerturbation {
  readonly mechanism: NetMechanism;
  /** The delayer's pid (nfqueue), null with netem. */
  readonly helperPid: number | null;
  /** nfqueue: the address families whose traffic is queued (`ipv4`, `ipv6`); netem: null (every packet of every device). */
  readonly families: string[] | null;
  /** What the delayer counted, once stopped (nfqueue); null with netem or if it had to be killed. */
  readonly stats: NetShapingStats | null;
  /** Removes the rules or qdiscs (if the namespace still exists) and ends the delayer; idempotent. */
  stop(): Promise<void>;
}

let detection: Promise<NetMechanism | string> | undefined;

/** Which mechanism this machine offers, or a one-line reason and fix; probed once per process. */
function detectMechanism(): Promise<NetMechanism | string> {
  return (detection ??= probeMechanism());
}

async function runs(command: string, args: string[]): Promise<boolean> {
  return (await execa(command, args, { reject: false, timeout: 10_000 })).exitCode === 0;
}

/** What rules network perturbation out before anything is run: not Linux, not root, a remote daemon. */
export function hostBlocker(host: { platform: string; uid: number | undefined; dockerHost: string | undefined }): string | null {
  if (host.platform !== 'linux') return 'network perturbation needs Linux (network namespaces, netfilter): run flakehunt on a Linux host';
  if (host.uid !== 0) {
    return 'network perturbation needs root: it enters each container\'s network namespace (nsenter) to add rules there; run flakehunt as root (sudo), or drop the network perturbation';
  }
  if (host.dockerHost !== undefined && host.dockerHost !== '' && !host.dockerHost.startsWith('unix://')) {
    return `network perturbation needs the Docker daemon on this machine, but DOCKER_HOST=${host.dockerHost}: run flakehunt on the daemon's host, or drop the network perturbation`;
  }
  return null;
}

async function probeMechanism(): Promise<NetMechanism | string> {
  const blocker = hostBlocker({ platform: process.platform, uid: process.getuid?.(), dockerHost: process.env.DOCKER_HOST });
  if (blocker !== null) return blocker;
  for (const tool of ['nsenter', 'unshare']) {
    if (!(await runs(tool, ['--version']))) return `${tool} not found: install util-linux (apt-get install util-linux)`;
  }
  if (await kernelHasNetem()) return 'netem';
  const ownNetns = (await stat('/proc/self/ns/net')).ino;
  const test = await execa('unshare', ['--net', ...PYTHON, NET_DELAY_SCRIPT, 'self-test', '--outer-netns-inode', String(ownNetns)], { reject: false, timeout: 30_000 });
  if (test.exitCode === 0) return 'nfqueue';
  const why = String(test.stderr).trim().split('\n').at(-1) || `exit ${test.exitCode}`;
  if (/failed to execute python3/.test(why)) return 'python3 not found: this kernel has no tc netem, so network perturbation needs python3 >= 3.9 for its NFQUEUE delayer (apt-get install python3)';
  return `network perturbation cannot work here (no tc netem in this kernel, and NFQUEUE failed): ${why.replace(/^net_delay: /, '')}`;
}

/** Preflight: null when network perturbation can work on this machine, else one line naming the problem and its fix. */
export async function checkNetworkPerturbation(): Promise<string | null> {
  const found = await detectMechanism();
  return found === 'netem' || found === 'nfqueue' ? null : found;
}

/**
 * Starts delaying, jittering and dropping what the container sends (its loopback included) and
 * resolves once that is in force. The caller holds the handle for the iteration and calls
 * `stop()` in its cleanup; if this process dies first, the NFQUEUE delayer ends by itself.
 */
export async function startNetworkPerturbation(options: NetworkPerturbationOptions): Promise<NetworkPerturbation> {
  checkShaping(options);
  if (!Number.isSafeInteger(options.containerPid) || options.containerPid <= 0) throw new UsageError(`containerPid must be a process id, not ${options.containerPid}`);
  const wanted = options.mechanism ?? 'auto';
  const found = wanted === 'auto' ? await detectMechanism() : wanted;
  if (found !== 'netem' && found !== 'nfqueue') throw new EnvironmentError(found);
  const shaping: NetShaping = { delayMs: options.delayMs, jitterMs: options.jitterMs, lossPercent: options.lossPercent, seed: options.seed };

  const netns = await openContainerNetns(options.containerPid);
  try {
    const [helperPid, families, statsOf, stopInner] = found === 'netem'
      ? await applyNetem(netns, shaping).then((remove) => [null, null, () => null, remove] as const)
      : await startDelayHelper(netns, shaping, options.tracePath).then((helper) => [helper.pid, helper.families, () => helper.stats, () => helper.stop()] as const);
    let stopping: Promise<void> | undefined;
    return {
      mechanism: found,
      helperPid,
      families,
      get stats() { return statsOf(); },
      stop: () => (stopping ??= stopInner().finally(() => netns.handle.close())),
    };
  } catch (error) {
    await netns.handle.close();
    throw error;
  }
}

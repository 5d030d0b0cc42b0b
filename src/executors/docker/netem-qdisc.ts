import { execa } from 'execa';

import { EnvironmentError } from '../../core/errors.js';
import { type ContainerNetns, runInNetns } from './container-netns.js';
import type { NetShaping } from './net-shaping.js';

/** netem's queue (default 1000 packets) tail-drops when full: room for 50 ms of a busy loopback. */
const NETEM_LIMIT = 16384;

/**
 * Whether this kernel has sch_netem: adding one to the loopback of a throwaway namespace
 * (`unshare --net`, gone when tc exits) either works or says "Specified qdisc kind is unknown".
 */
export async function kernelHasNetem(): Promise<boolean> {
  const probe = await execa('unshare', ['--net', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { reject: false, timeout: 10_000 });
  return probe.exitCode === 0;
}

/** `tc` arguments that put netem on one device: uniform jitter (no table), random loss. tc netem takes no seed here. */
export function netemQdiscArgs(device: string, shaping: NetShaping): string[] {
  return ['qdisc', 'replace', 'dev', device, 'root', 'netem', 'limit', String(NETEM_LIMIT),
    'delay', `${shaping.delayMs}ms`, `${shaping.jitterMs}ms`, 'loss', 'random', `${shaping.lossPercent}%`];
}

/** Device names in `tc qdisc show` output: every device has a root qdisc line, noqueue included. */
export function devicesOfQdiscShow(output: string): string[] {
  return [...new Set([...output.matchAll(/ dev (\S+) /g)].map((match) => match[1]!))];
}

function tc(netns: ContainerNetns, args: string[]) {
  return runInNetns(netns, ['tc', ...args]);
}

/** Puts netem on every device of the namespace (lo and eth0: egress, so each packet once); returns the undo. */
export async function applyNetem(netns: ContainerNetns, shaping: NetShaping): Promise<() => Promise<void>> {
  const shown = await tc(netns, ['qdisc', 'show']);
  const devices = devicesOfQdiscShow(shown.stdout);
  const done: string[] = [];
  const remove = async () => {
    for (const device of done) await tc(netns, ['qdisc', 'del', 'dev', device, 'root']);
  };
  for (const device of devices) {
    const added = await tc(netns, netemQdiscArgs(device, shaping));
    if (added.exitCode !== 0) {
      await remove();
      throw new EnvironmentError(`tc netem on ${device} of the container failed: ${added.stderr.trim()}`);
    }
    done.push(device);
  }
  return remove;
}

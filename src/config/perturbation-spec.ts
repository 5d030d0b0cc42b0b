import { parseDuration } from '../core/durations.js';
import { UsageError } from '../core/errors.js';
import type { PerturbationSpec } from '../core/conditions.js';
import { byteSize } from './option-parsers.js';

/**
 * The perturbation language of `--perturb` and of `--matrix` values: items joined by `+`.
 *
 *   none                      nothing (the unperturbed baseline)
 *   cpu:0.3  cpu:0.2-0.5      a CPU quota on the container, drawn per iteration in the range
 *   hog:2                     2 busy sibling containers pinned to the container's CPU
 *   stall:50ms  stall:20ms-200ms@2s
 *                             the container frozen for windows of that length, about every 1 s (or @ …)
 *   mem:256m                  a memory limit
 *   io:2                      2 sibling containers writing to the disk without pause
 *   delay:50ms  delay:50ms~20ms
 *                             latency (± jitter) on every packet the container sends, loopback included
 *   loss:2%                   packet loss
 *   shuffle  reverse          pytest's collected order, shuffled per iteration or reversed
 */
export const PERTURBATION_HELP = 'none, cpu:0.3, cpu:0.2-0.5, hog:2, stall:50ms[-200ms][@1s], mem:256m, io:2, delay:50ms[~20ms], loss:2%, shuffle, reverse; join with +';

const NUMBER = /^\d+(?:\.\d+)?$/;

function range(text: string, parse: (part: string) => number): { min: number; max: number } | null {
  const parts = text.split('-');
  if (parts.length > 2 || parts.some((p) => p === '')) return null;
  const [min, max] = [parse(parts[0]!), parse(parts[1] ?? parts[0]!)];
  return Number.isNaN(min) || Number.isNaN(max) || min > max ? null : { min, max };
}

function durationOf(text: string): number {
  try {
    return parseDuration(text, 'duration');
  } catch {
    return Number.NaN;
  }
}

function count(text: string): number {
  return /^[1-9]\d{0,2}$/.test(text) ? Number(text) : Number.NaN;
}

/** Parses one `+`-joined perturbation; every mistake is a UsageError naming the item and the forms that work. */
export function parsePerturbation(text: string, flag = '--perturb'): PerturbationSpec {
  const value = text.trim();
  if (value === '' || value === 'none') return {};
  const spec: PerturbationSpec = {};
  const bad = (item: string, why: string): never => {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: ${JSON.stringify(item)} ${why}; write items like ${PERTURBATION_HELP}`);
  };
  const set = <K extends keyof PerturbationSpec>(item: string, key: K, v: PerturbationSpec[K]) => {
    if (spec[key] !== undefined) bad(item, 'sets the same thing as an earlier item');
    spec[key] = v;
  };
  for (const item of value.split('+').map((i) => i.trim())) {
    if (item === 'shuffle' || item === 'reverse') {
      set(item, 'order', item);
      continue;
    }
    const colon = item.indexOf(':');
    const [name, arg] = colon === -1 ? [item, ''] : [item.slice(0, colon), item.slice(colon + 1)];
    switch (name) {
      case 'cpu': {
        const cpus = range(arg, (p) => (NUMBER.test(p) && Number(p) > 0 ? Number(p) : Number.NaN));
        if (cpus === null) bad(item, 'is not a CPU quota (a positive number of CPUs, or a range lo-hi)');
        set(item, 'cpus', cpus!);
        break;
      }
      case 'hog':
        if (Number.isNaN(count(arg))) bad(item, 'needs a number of hogs from 1 to 999');
        set(item, 'cpuHogs', count(arg));
        break;
      case 'io':
        if (Number.isNaN(count(arg))) bad(item, 'needs a number of disk writers from 1 to 999');
        set(item, 'ioHogs', count(arg));
        break;
      case 'stall': {
        const [lengths, every = '1s'] = arg.split('@');
        const window = range(lengths ?? '', durationOf);
        const everyMs = durationOf(every);
        if (window === null || window.min <= 0 || !(everyMs > 0)) bad(item, 'is not a stall: a window length or range, and optionally @ how often');
        set(item, 'stalls', { minMs: window!.min, maxMs: window!.max, everyMs });
        break;
      }
      case 'mem': {
        let bytes = Number.NaN;
        try {
          bytes = byteSize(arg, flag);
        } catch {
          bad(item, 'is not a memory size like mem:256m');
        }
        if (bytes < 4 * 1024 * 1024) bad(item, 'is below the 4 MiB Docker accepts');
        set(item, 'memoryBytes', bytes);
        break;
      }
      case 'delay': {
        const [delay, jitter = '0'] = arg.split('~');
        const delayMs = durationOf(delay ?? '');
        const jitterMs = jitter === '0' ? 0 : durationOf(jitter);
        if (!(delayMs >= 0) || !(jitterMs >= 0) || delayMs + jitterMs === 0) bad(item, 'is not a delay like delay:50ms or delay:50ms~20ms');
        const net = spec.net ?? { delayMs: 0, jitterMs: 0, lossPercent: 0 };
        if (net.delayMs > 0 || net.jitterMs > 0) bad(item, 'sets the same thing as an earlier item');
        spec.net = { ...net, delayMs, jitterMs };
        break;
      }
      case 'loss': {
        const m = /^(\d+(?:\.\d+)?)%$/.exec(arg);
        const lossPercent = m ? Number(m[1]) : Number.NaN;
        if (!(lossPercent > 0 && lossPercent < 100)) bad(item, 'is not a loss like loss:2% (more than 0, less than 100)');
        const net = spec.net ?? { delayMs: 0, jitterMs: 0, lossPercent: 0 };
        if (net.lossPercent > 0) bad(item, 'sets the same thing as an earlier item');
        spec.net = { ...net, lossPercent };
        break;
      }
      default:
        bad(item, 'is not a perturbation flakehunt knows');
    }
  }
  return spec;
}

/** 268435456 → `256m`: the largest unit that divides it. */
function sizeText(bytes: number): string {
  for (const [unit, size] of [['t', 1024 ** 4], ['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** A spec in its canonical text (items in a fixed order), for cell names and records: the inverse of parsePerturbation. */
export function formatPerturbation(spec: PerturbationSpec): string {
  const ms = (n: number) => `${n}ms`;
  const items: string[] = [];
  if (spec.cpus) items.push(`cpu:${spec.cpus.min === spec.cpus.max ? spec.cpus.min : `${spec.cpus.min}-${spec.cpus.max}`}`);
  if (spec.cpuHogs) items.push(`hog:${spec.cpuHogs}`);
  if (spec.stalls) {
    const { minMs, maxMs, everyMs } = spec.stalls;
    items.push(`stall:${minMs === maxMs ? ms(minMs) : `${ms(minMs)}-${ms(maxMs)}`}${everyMs === 1000 ? '' : `@${ms(everyMs)}`}`);
  }
  if (spec.memoryBytes !== undefined) items.push(`mem:${sizeText(spec.memoryBytes)}`);
  if (spec.ioHogs) items.push(`io:${spec.ioHogs}`);
  if (spec.net && (spec.net.delayMs > 0 || spec.net.jitterMs > 0)) items.push(`delay:${ms(spec.net.delayMs)}${spec.net.jitterMs > 0 ? `~${ms(spec.net.jitterMs)}` : ''}`);
  if (spec.net && spec.net.lossPercent > 0) items.push(`loss:${spec.net.lossPercent}%`);
  if (spec.order) items.push(spec.order);
  return items.length === 0 ? 'none' : items.join('+');
}

/** Two perturbations applied together (a cell of several matrix dimensions); they must not set the same thing. */
export function combinePerturbations(parts: PerturbationSpec[], describe: () => string): PerturbationSpec {
  const combined: PerturbationSpec = {};
  for (const part of parts) {
    for (const key of Object.keys(part) as Array<keyof PerturbationSpec>) {
      if (combined[key] !== undefined) throw new UsageError(`--matrix: the cell ${describe()} sets ${key} twice; give each kind of perturbation in one dimension only`);
      (combined as Record<string, unknown>)[key] = part[key];
    }
  }
  return combined;
}

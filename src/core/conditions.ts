/**
 * The conditions an iteration runs under: the perturbations flakehunt applies to make a flake show
 * sooner, and the cell of the matrix they come from. Everything drawn at random is drawn from a
 * recorded seed, so an iteration can be run again exactly (`flakehunt replay`).
 */

/** A perturbation as the user writes it (`cpu:0.2-0.5+stall:50ms`), parsed. */
export interface PerturbationSpec {
  /** A CPU quota on the container, drawn per iteration in [min, max] CPUs. */
  cpus?: { min: number; max: number };
  /** Busy sibling containers pinned to the same CPU as the container. */
  cpuHogs?: number;
  /** The whole container frozen for windows of [minMs, maxMs], on average every `everyMs`. */
  stalls?: { minMs: number; maxMs: number; everyMs: number };
  memoryBytes?: number;
  /** Sibling containers writing to the disk without pause. */
  ioHogs?: number;
  /** Added latency (± jitter) and loss on every packet the container sends, loopback included. */
  net?: { delayMs: number; jitterMs: number; lossPercent: number };
  /** pytest's collected order, shuffled with a per-iteration seed, or reversed. */
  order?: 'shuffle' | 'reverse';
}

/** What the executor applies while the iteration runs (the rest goes into its spec before it starts). */
export interface RuntimePerturbation {
  cpuHogs?: number;
  stalls?: { minMs: number; maxMs: number; everyMs: number; seed: string };
  ioHogs?: number;
  net?: { delayMs: number; jitterMs: number; lossPercent: number; seed: string };
}

/** A perturbation as applied to one iteration: the values drawn for it. */
export interface RealizedPerturbation extends RuntimePerturbation {
  cpus?: number;
  memoryBytes?: number;
  /** The CPU the container (and its hogs) are pinned to. */
  cpuset?: string;
  order?: { mode: 'shuffle'; seed: number } | { mode: 'reverse' };
}

/** Recorded in result.json: what it takes to run the iteration again under the same conditions. */
export interface IterationConditions {
  /** The matrix cell, e.g. `parallelism=4 noise=cpu:0.3`; null outside a matrix or hunt. */
  cell: string | null;
  /** The perturbation as written, `none` for none. */
  perturbation: string;
  parallelism: string;
  /** PYTHONHASHSEED of the iteration (pytest runs); null when the user set it or it is not pytest. */
  hashSeed: number | null;
  realized: RealizedPerturbation;
  /** The seed every draw of this iteration came from. */
  seed: string;
  /** What the executor reports it applied while the iteration ran (absent when it reports nothing). */
  applied?: AppliedPerturbation;
}

/** What a run-time perturbation did, as the executor counted it: a stall asked for may find nothing to freeze. */
export interface AppliedPerturbation {
  /** Freeze windows applied. */
  stallWindows?: number;
}

/** The kinds of perturbation a back end must support for a sweep (checked before it starts). */
export type PerturbationKind = 'cpus' | 'cpuHogs' | 'stalls' | 'memory' | 'ioHogs' | 'net';

export function kindsOf(spec: PerturbationSpec): PerturbationKind[] {
  const kinds: PerturbationKind[] = [];
  if (spec.cpus) kinds.push('cpus');
  if (spec.cpuHogs) kinds.push('cpuHogs');
  if (spec.stalls) kinds.push('stalls');
  if (spec.memoryBytes !== undefined) kinds.push('memory');
  if (spec.ioHogs) kinds.push('ioHogs');
  if (spec.net) kinds.push('net');
  return kinds;
}

export function isUnperturbed(spec: PerturbationSpec): boolean {
  return kindsOf(spec).length === 0 && spec.order === undefined;
}

import { UsageError } from '../../core/errors.js';

/** What is done to every packet the container sends (loopback included). */
export interface NetShaping {
  /** Added to each packet, in ms. */
  delayMs: number;
  /** Each packet's delay is drawn uniformly from [delayMs - jitterMs, delayMs + jitterMs], floored at 0. */
  jitterMs: number;
  /** Probability, in percent, that a packet is dropped. */
  lossPercent: number;
  /** Seeds the per-packet draws (NFQUEUE helper only: tc netem here cannot be seeded). */
  seed: number;
}

/** What the NFQUEUE helper counted, from its last line. */
export interface NetShapingStats {
  packets: number;
  accepted: number;
  dropped: number;
  /** Most packets held at once. */
  maxPending: number;
  /** Why the helper ended: a signal's name, `container process exited`, `parent closed stdin`. */
  reason: string;
}

export function checkShaping(shaping: NetShaping): void {
  const { delayMs, jitterMs, lossPercent, seed } = shaping;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new UsageError(`network delay must be a number of ms >= 0, not ${delayMs}`);
  if (!Number.isFinite(jitterMs) || jitterMs < 0) throw new UsageError(`network jitter must be a number of ms >= 0, not ${jitterMs}`);
  if (!Number.isFinite(lossPercent) || lossPercent < 0 || lossPercent > 100) throw new UsageError(`network loss must be a percentage within 0..100, not ${lossPercent}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`network perturbation seed must be an integer >= 0, not ${seed}`);
}

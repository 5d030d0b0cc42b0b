import { UsageError } from './errors.js';

const COUNTS = /^(\d+)\s*\/\s*(\d+)$/;

/** Whether a --baseline value is counts (`13/50`: failures/iterations) rather than a sweep folder. */
export function isBaselineCounts(text: string): boolean {
  return COUNTS.test(text.trim());
}

/** `13/50` as failures and iterations; null for anything else. Counts that cannot be (0 iterations, more failures than iterations) are a UsageError. */
export function parseBaselineCounts(text: string): { failures: number; iterations: number } | null {
  const m = COUNTS.exec(text.trim());
  if (!m) return null;
  const [failures, iterations] = [Number(m[1]), Number(m[2])];
  if (!(iterations > 0 && failures <= iterations)) throw new UsageError(`--baseline ${text}: write failures/iterations, like 13/50`);
  if (iterations > 1_000_000) throw new UsageError(`--baseline ${text}: at most 1000000 iterations`);
  return { failures, iterations };
}

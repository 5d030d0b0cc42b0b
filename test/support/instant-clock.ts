import type { Clock } from '../../src/core/clock.js';

/** Real time, but sleeps (retry backoffs, claim polls) return at once; each asked-for delay is kept. */
export function instantClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => Date.now(),
    sleep: async (ms) => {
      slept.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

import { describe, expect, it } from 'vitest';

import { mapConcurrently } from '../../../src/core/map-concurrently.js';

describe('mapConcurrently', () => {
  it('keeps the order of the items, with at most `limit` calls under way', async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0], 3, async (n) => {
      running += 1;
      most = Math.max(most, running);
      for (let i = 0; i < n; i += 1) await Promise.resolve();
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(3);
  });

  it('rejects with the first error once the calls under way have settled', async () => {
    const finished: number[] = [];
    const failing = mapConcurrently([1, 2, 3], 2, async (n) => {
      await Promise.resolve();
      if (n === 1) throw new Error('one failed');
      finished.push(n);
      return n;
    });
    await expect(failing).rejects.toThrow('one failed');
    expect(finished).toEqual([2]);
  });

  it('handles no items', async () => {
    expect(await mapConcurrently([], 4, async () => 1)).toEqual([]);
  });
});

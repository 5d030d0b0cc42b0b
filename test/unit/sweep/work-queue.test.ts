import { describe, expect, it } from 'vitest';

import { WorkQueue } from '../../../src/sweep/work-queue.js';

function drain(queue: WorkQueue): { units: number[][] } {
  const units: number[][] = [];
  for (let unit = queue.take(); unit !== null; unit = queue.take()) units.push(unit);
  return { units };
}

describe('WorkQueue', () => {
  it('hands out one iteration at a time, in order, without chunks', () => {
    const { units } = drain(new WorkQueue([3, 4, 5, 9], null));
    expect(units).toEqual([[3], [4], [5], [9]]);
  });

  it('hands out consecutive chunks, the last one shorter', () => {
    const { units } = drain(new WorkQueue([1, 2, 3, 4, 5, 6, 7], 3));
    expect(units).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('a chunk as large as the range is one unit; chunk size 1 is the same as none', () => {
    expect(drain(new WorkQueue([1, 2, 3], 10)).units).toEqual([[1, 2, 3]]);
    expect(drain(new WorkQueue([1, 2, 3], 1)).units).toEqual([[1], [2], [3]]);
  });

  it('an empty queue gives null at once and keeps giving null', () => {
    const queue = new WorkQueue([], 4);
    expect(queue.take()).toBeNull();
    expect(queue.take()).toBeNull();
  });

  it('does not alias the caller’s array', () => {
    const iterations = [1, 2, 3, 4];
    const queue = new WorkQueue(iterations, 2);
    iterations.length = 0;
    expect(queue.take()).toEqual([1, 2]);
    expect(queue.take()).toEqual([3, 4]);
    expect(queue.take()).toBeNull();
  });
});

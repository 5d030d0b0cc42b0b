import { describe, expect, it } from 'vitest';

import { WorkQueue } from '../../../src/sweep/work-queue.js';
import { WorkerFeed } from '../../../src/sweep/worker-feed.js';

function drain(take: () => number | null): number[] {
  const taken: number[] = [];
  for (let n = take(); n !== null; n = take()) taken.push(n);
  return taken;
}

describe('WorkerFeed', () => {
  it('without chunks hands out single iterations, and prepares ahead from the shared queue', () => {
    const queue = new WorkQueue([1, 2, 3, 4], null);
    const a = new WorkerFeed(queue, false);
    const b = new WorkerFeed(queue, false);
    expect(a.next()).toBe(1);
    expect(b.next()).toBe(2);
    expect(a.nextAhead()).toBe(3);
    expect(b.next()).toBe(4);
    expect(a.next()).toBeNull();
    expect(a.nextAhead()).toBeNull();
    expect(a.shareable).toBe(true);
  });

  it('with chunks finishes its own chunk in order, and never takes a new chunk just to prepare ahead', () => {
    const queue = new WorkQueue([1, 2, 3, 4, 5, 6], 3);
    const a = new WorkerFeed(queue, true);
    expect(a.next()).toBe(1);
    expect(a.nextAhead()).toBe(2);
    expect(a.nextAhead()).toBe(3);
    // The chunk is used up: the next chunk stays in the queue for whichever worker is free first.
    expect(a.nextAhead()).toBeNull();
    const b = new WorkerFeed(queue, true);
    expect(drain(() => b.next())).toEqual([4, 5, 6]);
    expect(a.next()).toBeNull();
    expect(a.shareable).toBe(false);
  });
});

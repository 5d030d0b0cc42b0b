import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { type Freezable, Stalls } from '../../../src/executors/docker/stalls.js';

/** A container that records pause/unpause, refuses the first `refusals` pauses, and runs while `running`. */
function container(refusals: number) {
  const calls: string[] = [];
  const state = { running: true, refusals };
  const freezable: Freezable = {
    pause: async () => {
      calls.push('pause');
      if (state.refusals > 0) {
        state.refusals -= 1;
        throw new Error('unable to freeze');
      }
    },
    unpause: async () => {
      calls.push('unpause');
    },
    inspect: async () => ({ State: { Running: state.running } }),
  };
  return { freezable, calls, state };
}

describe('Stalls', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a pause the freezer refuses while the container runs is retried at the next window, not the end of all windows', async () => {
    const { freezable, calls } = container(2);
    const stalls = new Stalls(freezable, { minMs: 50, maxMs: 50, everyMs: 100, seed: 'retry' });
    stalls.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await stalls.stop();
    expect(calls.slice(0, 2)).toEqual(['pause', 'pause']);
    expect(stalls.windows).toBeGreaterThanOrEqual(10);
    expect(calls.filter((c) => c === 'pause').length).toBe(stalls.windows + 2);
    expect(calls.at(-1)).toBe('unpause');
  });

  it('a pause refused because the container exited ends the windows', async () => {
    const { freezable, calls, state } = container(1);
    state.running = false;
    const stalls = new Stalls(freezable, { minMs: 50, maxMs: 50, everyMs: 100, seed: 'gone' });
    stalls.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await stalls.stop();
    expect(calls).toEqual(['pause']);
    expect(stalls.windows).toBe(0);
  });

  it('stop while frozen thaws the container, and no window follows', async () => {
    const { freezable, calls } = container(0);
    const stalls = new Stalls(freezable, { minMs: 1_000, maxMs: 1_000, everyMs: 10, seed: 'frozen' });
    stalls.start();
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(10);
      expect(calls).toEqual(['pause']);
    });
    await stalls.stop();
    expect(calls).toEqual(['pause', 'unpause']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toEqual(['pause', 'unpause']);
  });
});

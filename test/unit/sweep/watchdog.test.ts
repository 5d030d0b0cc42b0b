import { describe, expect, it } from 'vitest';

import type { KilledBy } from '../../../src/core/result.js';
import { Watchdog } from '../../../src/sweep/watchdog.js';

type Reason = Exclude<KilledBy, null>;

/** A watchdog whose firing is a promise; records every call of onFire. */
function watch(timeoutMs: number, idleMs: number, lastOutputAt: () => number, startedAt = Date.now()) {
  const calls: Array<{ reason: Reason; at: number }> = [];
  let resolveFired!: (value: { reason: Reason; at: number }) => void;
  const fired = new Promise<{ reason: Reason; at: number }>((resolve) => {
    resolveFired = resolve;
  });
  const dog = new Watchdog(startedAt, timeoutMs, idleMs, lastOutputAt, (reason) => {
    const call = { reason, at: Date.now() };
    calls.push(call);
    resolveFired(call);
  });
  return { dog, fired, calls, startedAt };
}

/** Resolves after `ms` via a second, independent watchdog: an awaited event, not a bare sleep. */
function clock(ms: number): Promise<unknown> {
  const { dog, fired } = watch(ms, 0, () => Date.now());
  dog.start();
  return fired;
}

describe('Watchdog', () => {
  it("fires 'idle' when no output comes for the idle limit", async () => {
    const last = Date.now();
    const { dog, fired, calls, startedAt } = watch(0, 80, () => last);
    dog.start();
    const { reason, at } = await fired;
    expect(reason).toBe('idle');
    expect(at - startedAt).toBeGreaterThanOrEqual(75);
    expect(at - startedAt).toBeLessThan(1000);
    await clock(60);
    expect(calls).toHaveLength(1);
  });

  it("fires 'timeout' on the wall clock", async () => {
    const { dog, fired, startedAt } = watch(100, 0, () => 0);
    dog.start();
    const { reason, at } = await fired;
    expect(reason).toBe('timeout');
    expect(at - startedAt).toBeGreaterThanOrEqual(95);
    expect(at - startedAt).toBeLessThan(1000);
  });

  it("does not fire while output keeps coming, then fires 'idle' once it stops", async () => {
    let last = Date.now();
    const { dog, fired, calls } = watch(0, 150, () => last);
    dog.start();
    // Output every 10 ms for 400 ms (well over two idle limits), then silence.
    let ticks = 0;
    const stoppedAt = await new Promise<number>((resolve) => {
      const producer = setInterval(() => {
        last = Date.now();
        ticks += 1;
        if (ticks === 40) {
          clearInterval(producer);
          resolve(last);
        }
      }, 10);
    });
    expect(calls).toEqual([]);
    const { reason, at } = await fired;
    expect(reason).toBe('idle');
    expect(at - stoppedAt).toBeGreaterThanOrEqual(145);
  });

  it("fires 'timeout' even while output keeps coming", async () => {
    let last = Date.now();
    const { dog, fired, startedAt } = watch(150, 500, () => last);
    const producer = setInterval(() => {
      last = Date.now();
    }, 10);
    dog.start();
    try {
      const { reason, at } = await fired;
      expect(reason).toBe('timeout');
      expect(at - startedAt).toBeGreaterThanOrEqual(145);
    } finally {
      clearInterval(producer);
    }
  });

  it('fires at once when already overdue at start', async () => {
    const { dog, calls } = watch(50, 0, () => 0, Date.now() - 1000);
    dog.start();
    expect(calls.map((c) => c.reason)).toEqual(['timeout']);
    const idle = watch(0, 50, () => Date.now() - 1000);
    idle.dog.start();
    expect(idle.calls.map((c) => c.reason)).toEqual(['idle']);
  });

  it('never fires after stop()', async () => {
    const last = Date.now();
    const { dog, calls } = watch(60, 60, () => last);
    dog.start();
    dog.stop();
    await clock(200);
    expect(calls).toEqual([]);
  });

  it('never fires with both limits off', async () => {
    const { dog, calls } = watch(0, 0, () => 0, 0);
    dog.start();
    await clock(100);
    expect(calls).toEqual([]);
  });
});

import os from 'node:os';

import { expect, it } from 'vitest';

import type { RunningIteration } from '../../../src/executors/executor.js';
import type { ProcessIdentity } from '../../../src/store/process-identity.js';
import { within, until } from '../support/waiting.js';
import { deadPid } from '../support/processes.js';
import type { Kit } from '../kit.js';

/** reap(): removes what dead owners left behind, a live owner's only when asked. */
export function reapChecks(kit: Kit): void {
  it('a pristine executor reaps nothing of an unknown sweep, and throws nothing', async () => {
    const fresh = kit.probe.makeExecutor();
    expect(await within(30_000, fresh.reap({ sweepId: kit.sweepId(), includeLiveOwners: false }), 'reap')).toEqual([]);
    expect(await within(30_000, fresh.reap({ sweepId: kit.sweepId(), includeLiveOwners: true }), 'reap --all')).toEqual([]);
  }, 60_000);

  it('reap() removes the iterations of a dead owner, and a live owner\'s only with includeLiveOwners', async () => {
    const dead = await deadPid();
    const deadOwner: ProcessIdentity = { host: os.hostname(), pid: dead, startTime: null };
    // The owner is in the spec's labels; a back end that keeps it elsewhere is told by the probe.
    const orphan = await kit.start(kit.spec(['python3', kit.program('handle_sigterm.py')], { owner: deadOwner }));
    const owned = await kit.start(kit.spec(['python3', kit.program('handle_sigterm.py')]));
    await orphan.out.waitFor(/^ready$/m, 60_000);
    await owned.out.waitFor(/^ready$/m, 60_000);
    await kit.probe.setOwner(orphan.running, deadOwner);
    const names = (reaped: string, running: RunningIteration) => kit.probe.reapedNames(reaped, running);

    const first = await within(60_000, kit.executor().reap({ sweepId: kit.sweepId(), includeLiveOwners: false }), 'reap of dead owners');
    expect(first, `reaped ${JSON.stringify(first)}`).toHaveLength(1);
    expect(names(first[0]!, orphan.running), `${first[0]} names ${orphan.running.id}`).toBe(true);
    await until(async () => !(await kit.probe.stillRunning(orphan.running)), 10_000, `the reaped ${orphan.running.id} to be gone`);
    await within(30_000, orphan.running.exited, 'exited of the reaped iteration');
    expect(await kit.probe.stillRunning(owned.running), 'the live owner\'s iteration runs on').toBe(true);

    expect(await within(60_000, kit.executor().reap({ sweepId: kit.sweepId(), includeLiveOwners: false }), 'second reap')).toEqual([]);
    expect(await kit.probe.stillRunning(owned.running)).toBe(true);

    // Another sweep's reap never touches this one.
    expect(await within(60_000, kit.executor().reap({ sweepId: `${kit.sweepId()}-other`, includeLiveOwners: true }), 'reap of another sweep')).toEqual([]);
    expect(await kit.probe.stillRunning(owned.running)).toBe(true);

    const all = await within(60_000, kit.executor().reap({ sweepId: kit.sweepId(), includeLiveOwners: true }), 'reap including live owners');
    expect(all).toHaveLength(1);
    expect(names(all[0]!, owned.running)).toBe(true);
    await until(async () => !(await kit.probe.stillRunning(owned.running)), 10_000, `the reaped ${owned.running.id} to be gone`);
    // Cleaning up what was reaped is still fine.
    await within(30_000, Promise.all([orphan.running.cleanup(), owned.running.cleanup()]), 'cleanup after reap');
    await kit.expectNoLeftovers(kit.sweepId());
  }, 120_000);
}

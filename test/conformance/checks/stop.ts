import { expect, it } from 'vitest';

import { within, until } from '../support/waiting.js';
import type { Kit } from '../kit.js';

/** stop(): SIGTERM, then SIGKILL after the grace period; the whole iteration ends. */
export function stopChecks(kit: Kit): void {
  it('stop() kills a process that ignores SIGTERM within graceMs + a few seconds, and `exited` resolves', async () => {
    const graceMs = 2_000;
    const { running, out } = await kit.start(kit.spec(['python3', kit.program('ignore_sigterm.py')]));
    await out.waitFor(/^ready$/m, 60_000);
    const t0 = performance.now();
    await within(graceMs + 30_000, running.stop(graceMs), 'stop()');
    const elapsed = performance.now() - t0;
    kit.measure(`ignores SIGTERM, graceMs ${graceMs}: stop() took ${Math.round(elapsed)} ms`);
    const exit = await kit.finish(running, out, 5_000);
    // It ignored SIGTERM, so only the SIGKILL after the grace period ended it.
    expect(elapsed).toBeGreaterThanOrEqual(graceMs - 100);
    expect(elapsed).toBeLessThan(graceMs + 5_000);
    expect(exit.exitCode === 137 || exit.signal === 'SIGKILL', `killed by SIGKILL: ${JSON.stringify(exit)}`).toBe(true);
    expect(await kit.probe.stillRunning(running)).toBe(false);
    // Safe after stop: cleanup, twice, and stop again.
    await within(30_000, Promise.all([running.cleanup(), running.cleanup()]), 'cleanup after stop');
    await within(30_000, running.stop(graceMs), 'stop after cleanup');
  }, 90_000);

  it('stop() lets a process that handles SIGTERM exit promptly, before the grace period ends', async () => {
    const graceMs = 10_000;
    const { running, out } = await kit.start(kit.spec(['python3', kit.program('handle_sigterm.py')]));
    await out.waitFor(/^ready$/m, 60_000);
    const t0 = performance.now();
    await within(graceMs + 30_000, running.stop(graceMs), 'stop()');
    const elapsed = performance.now() - t0;
    kit.measure(`handles SIGTERM, graceMs ${graceMs}: stop() took ${Math.round(elapsed)} ms`);
    const exit = await kit.finish(running, out, 5_000);
    expect(elapsed).toBeLessThan(graceMs);
    expect(exit).toMatchObject({ exitCode: 0, signal: null });
    expect(exit.oomKilled ?? false).toBe(false);
    expect(out.text).toContain('got SIGTERM, exiting\n');
  }, 90_000);

  it('stop() is safe more than once, concurrently, and after the process exited on its own', async () => {
    const { running, out } = await kit.start(kit.spec(['python3', kit.program('handle_sigterm.py')]));
    await out.waitFor(/^ready$/m, 60_000);
    await within(30_000, Promise.all([running.stop(5_000), running.stop(5_000)]), 'two concurrent stop()s');
    await within(30_000, running.stop(5_000), 'a third stop()');
    const exited = await kit.start(kit.spec(['python3', kit.program('exit_code.py'), '0']));
    await kit.finish(exited.running, exited.out);
    const t0 = performance.now();
    await within(30_000, exited.running.stop(5_000), 'stop() after exit');
    // Nothing to wait for: it must not sit out the grace period.
    expect(performance.now() - t0).toBeLessThan(5_000);
  }, 90_000);

  it('stop() ends the whole iteration: grandchildren are gone within a deadline', async () => {
    const { running, out } = await kit.start(kit.spec(['/bin/sh', kit.program('spawn_children.sh')]));
    await out.waitFor(/^ready$/m, 60_000);
    await until(() => (kit.probe.processCount(running) ?? 3) >= 3, 10_000, 'the grandchildren to start');
    const t0 = performance.now();
    await within(30_000, running.stop(2_000), 'stop()');
    const stopped = performance.now() - t0;
    await kit.finish(running, out, 5_000);
    // Local: orphaned grandchildren count (as zombies) until the host's init reaps them.
    await until(async () => !(await kit.probe.stillRunning(running)), 5_000, `no process of ${running.id} to remain`);
    kit.measure(
      `sh + 2 grandchildren, graceMs 2000: stop() took ${Math.round(stopped)} ms, no process left after ${Math.round(performance.now() - t0)} ms`,
    );
  }, 90_000);

  it('whatever the command left running dies with it when it exits on its own', async () => {
    const { running, out } = await kit.start(kit.spec(['/bin/sh', kit.program('spawn_children.sh'), 'leave']));
    const exit = await kit.finish(running, out);
    expect(exit.exitCode).toBe(0);
    expect(out.text).toBe('ready\n');
    await until(async () => !(await kit.probe.stillRunning(running)), 5_000, `no process of ${running.id} to remain`);
  }, 90_000);
}

import { expect, it } from 'vitest';

import { OutputReader } from '../support/output-reader.js';
import { within, until } from '../support/waiting.js';
import type { Kit } from '../kit.js';

/** cleanup(): idempotent, safe in any state, leaves nothing behind. */
export function cleanupChecks(kit: Kit): void {
  it('cleanup() is idempotent (concurrently and sequentially) and safe right after start, before any output was read', async () => {
    const running = await kit.startUnread(kit.spec(['python3', kit.program('handle_sigterm.py')]));
    await within(30_000, Promise.all([running.cleanup(), running.cleanup()]), 'two concurrent cleanup()s');
    await within(30_000, running.cleanup(), 'a third cleanup()');
    await within(30_000, running.exited, 'exited after cleanup');
    expect(await kit.probe.stillRunning(running)).toBe(false);
    // The output ends (once someone reads it), without an error.
    const out = new OutputReader(running.output);
    await within(10_000, out.ended, 'output ended after cleanup');
    expect(out.errors.map((e) => e.message)).toEqual([]);
  }, 90_000);

  it(
    'cleanup() is safe while the output is backed up because nobody read it',
    async () => {
      const running = await kit.startUnread(kit.spec(['python3', kit.program('endless_no_newline.py'), '120']));
      // Await (without reading) until the executor's output buffer is full: the command is blocked writing.
      await until(() => running.output.readableLength >= running.output.readableHighWaterMark, 60_000, 'the unread output to fill up');
      try {
        await within(20_000, Promise.all([running.cleanup(), running.cleanup()]), 'cleanup() with unread output');
        await within(10_000, running.exited, 'exited after cleanup');
        expect(await kit.probe.stillRunning(running)).toBe(false);
      } finally {
        // Unwedge whatever hung, so the next checks start clean.
        running.output.resume();
        await within(60_000, running.cleanup(), 'cleanup once the output is drained').catch(() => undefined);
      }
    },
    120_000,
  );

  it('leaves nothing behind after cleanup (no container / no registry entry, sandbox or process group)', async () => {
    const quiet = await kit.start(kit.spec(['python3', kit.program('handle_sigterm.py')]));
    const done = await kit.start(kit.spec(['python3', kit.program('write_artifacts.py')]));
    await quiet.out.waitFor(/^ready$/m, 60_000);
    await kit.finish(done.running, done.out);
    expect((await kit.probe.leftovers(kit.sweepId())).length, 'while they exist').toBeGreaterThan(0);
    await within(30_000, quiet.running.cleanup(), 'cleanup of the running one');
    await within(30_000, done.running.cleanup(), 'cleanup of the finished one');
    await kit.expectNoLeftovers(kit.sweepId());
  }, 90_000);
}

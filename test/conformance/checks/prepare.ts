import { expect, it } from 'vitest';

import { OutputReader } from '../support/output-reader.js';
import { within } from '../support/waiting.js';
import type { Kit } from '../kit.js';

/** prepare(): set up now, run later. */
export function prepareChecks(kit: Kit): void {
  it('prepare() runs nothing until start(); start() then runs it as start(spec) does, once', async () => {
    const prepared = await within(60_000, kit.executor().prepare(kit.spec(['python3', kit.program('exit_code.py'), '3'])), 'prepare()');
    try {
      // A created container that never started, or nothing at all yet: the probe says which.
      const states = (await kit.probe.leftovers(kit.sweepId())).map((line) => /\((\w+)\)/.exec(line)?.[1]);
      expect(states).toEqual(kit.probe.preparedStates);
      const running = await within(60_000, prepared.start(), 'start() of the prepared iteration');
      await kit.adopt(running);
      const out = new OutputReader(running.output);
      expect(await kit.finish(running, out)).toMatchObject({ exitCode: 3, signal: null });
      expect(out.text).toBe('exiting with 3\n');
      await expect(prepared.start()).rejects.toThrow(/already started/);
      // Discarding after the start leaves the run alone.
      await prepared.discard();
      expect((await within(30_000, running.exited, 'exited')).exitCode).toBe(3);
    } finally {
      await prepared.discard();
    }
  }, 90_000);

  it('discard() removes a prepared iteration that never ran, is idempotent, and start() refuses afterwards', async () => {
    const prepared = await within(60_000, kit.executor().prepare(kit.spec(['python3', kit.program('exit_code.py'), '0'])), 'prepare()');
    await within(30_000, Promise.all([prepared.discard(), prepared.discard()]), 'two concurrent discard()s');
    await within(30_000, prepared.discard(), 'a third discard()');
    await kit.expectNoLeftovers(kit.sweepId());
    await expect(prepared.start()).rejects.toThrow(/already discarded/);
  }, 90_000);
}

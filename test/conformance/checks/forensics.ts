import { expect } from 'vitest';

import { within } from '../support/waiting.js';
import type { Kit } from '../kit.js';

/** forensics(): a look at what runs inside, without disturbing it. */
export function forensicsChecks(kit: Kit): void {
  kit.unless('forensics-lists-processes', 'forensics() of a running process lists the running command', async () => {
    const { running, out } = await kit.start(kit.spec(['python3', kit.program('handle_sigterm.py')]));
    await out.waitFor(/^ready$/m, 60_000);
    const text = await within(60_000, running.forensics(), 'forensics()');
    expect(text).toContain('handle_sigterm.py');
    // Looking must not disturb it.
    expect(await kit.probe.stillRunning(running)).toBe(true);
    await within(30_000, running.stop(5_000), 'stop()');
    // And after the exit it still answers (with whatever it can), without throwing.
    expect(typeof (await within(60_000, running.forensics(), 'forensics() after exit'))).toBe('string');
  }, 120_000);
}

import os from 'node:os';

import { expect, it } from 'vitest';

import { within } from '../support/waiting.js';
import { ABORT_CODES_WITH_INIT, ABORT_CODES_WITHOUT_INIT, type Kit } from '../kit.js';

/** Endless output and crashes: bounded memory, exit codes of a process that aborted. */
export function crashChecks(kit: Kit): void {
  it('endless output with no newline: the consumer reads it all, memory stays bounded, `exited` resolves', async () => {
    const seconds = 2;
    globalThis.gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 25);
    try {
      const running = await kit.startUnread(kit.spec(['python3', kit.program('endless_no_newline.py'), String(seconds)]));
      let received = 0;
      let firstNewline = -1;
      let tail = Buffer.alloc(0);
      const consumed = (async () => {
        for await (const chunk of running.output as AsyncIterable<Buffer>) {
          const nl = chunk.indexOf(0x0a);
          if (firstNewline < 0 && nl >= 0) firstNewline = received + nl;
          received += chunk.length;
          tail = Buffer.concat([tail, chunk]).subarray(-128);
          peak = Math.max(peak, process.memoryUsage.rss());
        }
      })();
      await within(90_000, consumed, 'reading the endless output to its end');
      const exit = await within(30_000, running.exited, 'exited');
      expect(exit.exitCode).toBe(0);
      const m = /\nEND (\d+)\n$/.exec(tail.toString('latin1'));
      expect(m, `the output ends with "END <bytes>": ${JSON.stringify(tail.toString('latin1').slice(-40))}`).not.toBeNull();
      const written = Number(m![1]);
      // All of it arrived, and the body had no newline.
      expect(received).toBe(written + m![0].length);
      expect(firstNewline).toBe(written);
      expect(written).toBeGreaterThan(1 << 20);
      const growthMb = (peak - baseline) / (1 << 20);
      kit.measure(`endless output: ${(written / (1 << 20)).toFixed(0)} MiB in ${seconds} s, rss growth ${growthMb.toFixed(0)} MiB`);
      expect(growthMb).toBeLessThan(200);
    } finally {
      clearInterval(sampler);
    }
  }, 120_000);

  it(
    'a process calling os.abort() reports a non-zero exit code (134 with init)',
    async () => {
      const { running, out } = await kit.start(kit.spec(['python3', kit.program('abort.py')]));
      const exit = await kit.finish(running, out);
      expect(out.text).toContain('ready\n');
      expect(exit.exitCode, JSON.stringify(exit)).toBeTypeOf('number');
      expect(exit.exitCode).not.toBe(0);
      expect(ABORT_CODES_WITH_INIT).toContain(exit.exitCode);
    },
    90_000,
  );

  if (kit.probe.canRunWithoutInit) {
    it('a process calling os.abort() as PID 1 (no init) reports 134 or 139', async () => {
      const s = kit.spec(['python3', kit.program('abort.py')]);
      s.resources = { ...s.resources, init: false };
      const { running, out } = await kit.start(s);
      const exit = await kit.finish(running, out);
      expect(ABORT_CODES_WITHOUT_INIT).toContain(exit.exitCode);
    }, 90_000);
  }
}

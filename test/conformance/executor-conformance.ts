/**
 * Conformance kit for {@link Executor} back ends.
 *
 * A back end wires itself in with one call from its test file, giving a probe: how to make an
 * executor, where the fixture programs are, and how to see from the outside what an iteration
 * runs and leaves behind (see probe.ts). The kit imports no executor.
 *
 * Every check gets a pristine executor (so one check can call reap() on an executor that never
 * started anything, as the sweep runner does before its first iteration) and a sweep id of its own,
 * so leftovers are attributable. Every check awaits a condition (a "ready" line, an exit, a process
 * that is gone) with a deadline; none sleeps for a fixed time. Every iteration a check starts is
 * cleaned up afterwards.
 *
 * The fixture programs (test/fixtures/programs) are python3 scripts and one /bin/sh script: they run
 * in the image and on the host alike. Those a check signals print "ready" first; the check reads
 * the output until that line appears before it signals.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FORENSICS_SCRIPT } from '../../src/core/container-paths.js';
import type { Executor, IterationSpec, RunningIteration } from '../../src/executors/executor.js';
import { iterationLabels } from '../../src/executors/labels.js';
import { currentProcess } from '../../src/store/process-identity.js';
import { artifactsChecks } from './checks/artifacts.js';
import { cleanupChecks } from './checks/cleanup.js';
import { crashChecks } from './checks/crashes.js';
import { environmentChecks } from './checks/environment.js';
import { forensicsChecks } from './checks/forensics.js';
import { outputChecks } from './checks/output.js';
import { prepareChecks } from './checks/prepare.js';
import { reapChecks } from './checks/reap.js';
import { stopChecks } from './checks/stop.js';
import { ARTIFACTS_DIR, type Kit } from './kit.js';
import type { ExecutorProbe } from './probe.js';
import { OutputReader } from './support/output-reader.js';
import { within } from './support/waiting.js';

/** The fixture programs, on this host. */
export const PROGRAMS_ON_HOST = fileURLToPath(new URL('../fixtures/programs', import.meta.url));
const FORENSICS_ON_HOST = fileURLToPath(new URL('../../templates/pytest-plugin/flakehunt_forensics.py', import.meta.url));

export function describeExecutorConformance(probe: ExecutorProbe): void {
  describe(`executor conformance: ${probe.name}`, () => {
    let executor: Executor;
    let sweepId: string;
    let scratch: string;
    let nextIteration = 1;
    let started: RunningIteration[] = [];
    const sweepsUsed: string[] = [];
    const measurements: string[] = [];

    beforeEach(async () => {
      executor = probe.makeExecutor();
      sweepId = `conf-${randomBytes(4).toString('hex')}`;
      sweepsUsed.push(sweepId);
      scratch = await mkdtemp(path.join(os.tmpdir(), `flakehunt-${sweepId}-`));
      nextIteration = 1;
      started = [];
      probe.reset();
    });

    afterEach(async () => {
      const problems: string[] = [];
      for (const running of started) {
        // Drain whatever nobody read, so a backed-up stream cannot wedge the cleanup.
        running.output.resume();
        await within(60_000, running.cleanup(), `cleanup of ${running.id}`).catch((error: Error) => problems.push(error.message));
      }
      // The backstop: whatever the checks left behind goes, owner alive or not.
      await within(60_000, probe.makeExecutor().reap({ sweepId, includeLiveOwners: true }), `reap of ${sweepId}`).catch((error: Error) =>
        problems.push(error.message),
      );
      await rm(scratch, { recursive: true, force: true });
      if (problems.length > 0) throw new Error(`afterEach could not clean up: ${problems.join('; ')}`);
    });

    afterAll(async () => {
      if (measurements.length > 0) console.info(`[${probe.name}] measurements:\n  ${measurements.join('\n  ')}`);
      // Nothing of any sweep used here may remain.
      for (const id of sweepsUsed) await expectNoLeftovers(id);
    });

    async function expectNoLeftovers(id: string): Promise<void> {
      const end = Date.now() + probe.settleMs;
      let left = await probe.leftovers(id);
      while (left.length > 0 && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = await probe.leftovers(id);
      }
      expect(left).toEqual([]);
    }

    const adopt = async (running: RunningIteration): Promise<void> => {
      started.push(running);
      await probe.started(running);
    };
    const startUnread = async (s: IterationSpec): Promise<RunningIteration> => {
      const running = await within(60_000, executor.start(s), `start of ${s.name}`);
      await adopt(running);
      return running;
    };

    const kit: Kit = {
      probe,
      executor: () => executor,
      sweepId: () => sweepId,
      scratch: () => scratch,
      program: (file) => path.posix.join(probe.programsDir, file),
      spec(argv, overrides = {}) {
        const { owner = currentProcess(), ...rest } = overrides;
        const iteration = nextIteration++;
        return {
          name: `flakehunt-${sweepId}-${String(iteration).padStart(4, '0')}-${randomBytes(3).toString('hex')}`,
          sweepId,
          iteration,
          image: probe.image,
          argv,
          env: { FLAKEHUNT_ITERATION: String(iteration), FLAKEHUNT_SWEEP: sweepId, FLAKEHUNT_ARTIFACTS: ARTIFACTS_DIR },
          envPass: [],
          workdir: null,
          mounts: probe.mounts,
          artifactsDir: ARTIFACTS_DIR,
          inject: { [FORENSICS_SCRIPT]: FORENSICS_ON_HOST },
          labels: iterationLabels(sweepId, iteration, path.join(scratch, 'sweep'), owner),
          resources: { init: true, network: null, shmBytes: null, ulimits: [], gpus: null, cpus: null, memoryBytes: null, cpuset: null },
          perturbation: null,
          ...rest,
        };
      },
      startUnread,
      adopt,
      async start(s) {
        const running = await startUnread(s);
        return { running, out: new OutputReader(running.output) };
      },
      async finish(running, out, ms = 60_000) {
        const exit = await within(ms, running.exited, `${running.id} exited`);
        await within(ms, out.ended, `${running.id} output ended`);
        expect(out.errors.map((e) => e.message)).toEqual([]);
        return exit;
      },
      measure: (line) => void measurements.push(line),
      expectNoLeftovers,
      unless(limit, title, body, timeoutMs) {
        const reason = probe.cannot[limit];
        if (reason === undefined) it(title, body, timeoutMs);
        else it.skip(`${title} — cannot: ${reason}`, body, timeoutMs);
      },
    };

    outputChecks(kit);
    prepareChecks(kit);
    environmentChecks(kit);
    artifactsChecks(kit);
    stopChecks(kit);
    forensicsChecks(kit);
    cleanupChecks(kit);
    crashChecks(kit);
    reapChecks(kit);
  });
}

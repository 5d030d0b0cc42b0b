import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { UsageError } from '../../src/core/errors.js';
import type { RunningIteration } from '../../src/executors/executor.js';
import { LocalExecutor } from '../../src/executors/local/local-executor.js';
import { type LocalEntry, readRegistry, registryDir } from '../../src/executors/local/local-registry.js';
import { describeExecutorConformance, PROGRAMS_ON_HOST } from './executor-conformance.js';
import type { ExecutorProbe } from './probe.js';
import { countGroup, exists, groupAlive } from './support/processes.js';

/** The process group id of a local iteration: its id is "pid N", and the group leader's pid is the pgid. */
function pgidOf(running: RunningIteration): number {
  const m = /^pid (\d+)$/.exec(running.id);
  if (!m) throw new Error(`a local iteration's id should be "pid N", not ${JSON.stringify(running.id)}`);
  return Number(m[1]);
}

/** The local back end seen from outside: its registry entries, sandbox folders and process groups. */
function localProbe(): ExecutorProbe {
  /** The sandbox folder of each iteration, read from the registry right after its start. */
  const sandboxes = new Map<RunningIteration, string>();
  return {
    name: 'local',
    makeExecutor: () => new LocalExecutor(),
    image: null,
    // The fixture programs run straight from the host: no image, no mounts.
    programsDir: PROGRAMS_ON_HOST,
    mounts: [],
    async started(running) {
      const entry = (await readRegistry()).find((e) => e.pgid === pgidOf(running));
      if (entry === undefined) throw new Error(`no registry entry for ${running.id} in ${registryDir()}`);
      sandboxes.set(running, entry.sandbox);
    },
    reset: () => sandboxes.clear(),
    stillRunning: async (running) => groupAlive(pgidOf(running)),
    async leftovers(sweepId) {
      const found = (await readRegistry()).filter((e) => e.sweepId === sweepId).map((e) => `registry entry ${e.pgid} (${e.sandbox})`);
      for (const [running, sandbox] of sandboxes) {
        if (!path.basename(sandbox).includes(sweepId)) continue;
        if (await exists(sandbox)) found.push(`sandbox ${sandbox}`);
        if (groupAlive(pgidOf(running))) found.push(`process group ${pgidOf(running)}`);
      }
      return found;
    },
    preparedStates: [],
    artifactsPathIn: (running, artifactsDir) => `${sandboxes.get(running)}${artifactsDir}`,
    async setOwner(running, owner) {
      const file = path.join(registryDir(), `${pgidOf(running)}.json`);
      const entry = JSON.parse(await readFile(file, 'utf8')) as LocalEntry;
      await writeFile(file, JSON.stringify({ ...entry, owner }));
    },
    // Local says "pid N" for the group of leader N.
    reapedNames: (reaped, running) => reaped.replace(/^\D+/, '') === running.id.replace(/^\D+/, ''),
    processCount: (running) => countGroup(pgidOf(running)),
    canRunWithoutInit: false,
    settleMs: 0,
    cannot: {},
  };
}

describeExecutorConformance(localProbe());

describe('local executor: preflight', () => {
  it('no image is fine; an image is a UsageError', async () => {
    const executor = new LocalExecutor();
    expect(await executor.preflight(null)).toEqual({ imageId: null });
    await expect(executor.preflight('python:3.11')).rejects.toBeInstanceOf(UsageError);
  });
});

/**
 * `flakehunt run --executor swarm` as a user runs it, on a manager of the test swarm: the same
 * results as on one host, in one sweep folder, each result.json naming its node; `doctor` and
 * `clean` know the swarm too.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { cli, E2E_SUITE, expectedClasses, readJson, tempDir } from '../e2e/helpers.js';
import { until } from '../conformance/support/waiting.js';
import { requireSwarm, swarmLeftovers, type TestSwarm } from './swarm-helpers.js';

const swarm = await requireSwarm();

describe.skipIf(swarm === null)('flakehunt on a three-node swarm, from the command line', () => {
  const s = swarm as TestSwarm;
  const env = { DOCKER_HOST: s.manager };

  it('run --executor swarm: the known-failure suite gives the classes it gives on one host, with every result naming its node', async () => {
    const logs = await tempDir('flakehunt-swarm-cli-');
    const run = await cli(['run', '--executor', 'swarm', '-i', s.image, '--mount', `${E2E_SUITE}:/suite:ro`, '--workdir', '/suite', '--pytest-nodeid', 'test_known.py',
      '--pytest-args', '-p no:cacheprovider', '--logs-dir', logs, '-t', 'cli', '-e', '10', '-j', '3', '--no-progress', '--json'], { env });
    expect(run.exitCode, run.stderr).toBe(1);
    const sweep = path.join(logs, 'serial_cli');
    const runs = (await readdir(sweep)).filter((d) => /^run\d+$/.test(d)).sort();
    const results = await Promise.all(runs.map((d) => readJson<IterationResult>(path.join(sweep, d, 'result.json'))));
    expect(results.map((r) => r.iteration)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    for (const r of results) expect(r.classes).toEqual(expectedClasses(r.iteration));
    const nodes = new Set(results.map((r) => r.node?.hostname));
    expect(nodes.has(undefined)).toBe(false);
    expect(nodes.size).toBeGreaterThanOrEqual(2);
    const sweepId = (await readJson<{ sweepId: string }>(path.join(sweep, 'sweep.json'))).sweepId;
    // A node removes a task's container a few seconds after its service is gone.
    await until(async () => (await swarmLeftovers(s, sweepId)).length === 0, 15_000, 'nothing left on any node');
  }, 240_000);

  it('doctor --executor swarm counts the nodes ready for iterations; clean finds nothing left', async () => {
    const doctor = await cli(['doctor', '--executor', 'swarm', '--json'], { env });
    expect(doctor.exitCode, doctor.stdout).toBe(0);
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; detail: string }> }).checks;
    expect(checks.find((c) => c.name === 'swarm nodes')!.detail).toMatch(/^3 of 3 node\(s\) ready/);
    const clean = await cli(['clean', '--executor', 'swarm'], { env });
    expect(clean.exitCode, clean.all).toBe(0);
    expect(clean.stdout).toBe('nothing to clean');
  }, 120_000);

  it('--constraint without --executor swarm is refused', async () => {
    const run = await cli(['run', '-i', s.image, '--pytest-nodeid', 'x', '--constraint', 'node.role==worker']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--constraint places iterations on swarm nodes: add --executor swarm/);
  });
});

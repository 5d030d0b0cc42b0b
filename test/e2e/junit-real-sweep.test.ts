/** The JUnit XML of a real sweep (xdist, plugin reports from two workers): valid against the Jenkins schema, and read back as it ran. */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { parse, type TestSuites } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeSweepJunitFile } from '../../src/report/junit/sweep-junit.js';
import { validateJenkinsJunit } from '../unit/report/junit/jenkins-schema.js';
import { cli, expectedClasses, requireDocker, suiteArgs, tempDir } from './helpers.js';

const SECRET = 'hunter2-in-the-junit-test';
let root = '';
let xml = '';

describe('JUnit XML of a real sweep', () => {
  beforeAll(async () => {
    if (!(await requireDocker())) return;
    root = await tempDir('flakehunt-junit-e2e-');
    const logs = path.join(root, 'logs');
    const run = await cli(suiteArgs(logs, ['-s', '1', '-e', '7', '-p', '2', '-j', '2', '-t', 'junit', '--env-pass', 'FH_SECRET']), { env: { FH_SECRET: SECRET } });
    expect(run.exitCode, run.all).toBe(1);
    await writeSweepJunitFile(path.join(logs, 'n2_junit'), path.join(root, 'junit.xml'));
    xml = await readFile(path.join(root, 'junit.xml'), 'utf8');
    if (process.env.FLAKEHUNT_KEEP_JUNIT) await writeFile(process.env.FLAKEHUNT_KEEP_JUNIT, xml);
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('validates against the Jenkins JUnit schema', async (context) => {
    if (!xml) context.skip();
    const validation = await validateJenkinsJunit(xml);
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it('reads back with every test of every iteration, failing where the suite fails', async (context) => {
    if (!xml) context.skip();
    const parsed = (await parse(xml)) as TestSuites;
    const suites = parsed.testsuite ?? [];
    expect(suites.map((s) => s.name)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `n2_junit@run00${n}`));
    for (const [i, suite] of suites.entries()) {
      const iteration = i + 1;
      const cases = suite.testcase ?? [];
      // Every test of test_known.py, from the plugin's reports of both xdist workers.
      expect(cases.map((c) => c.name).sort(), suite.name).toEqual(
        ['test_fail_at', 'test_gate', 'test_indexers_sync', 'test_leaks_secret', 'test_passes', 'test_router_decisions', 'test_secret', 'test_zz_abort_after_leak'],
      );
      expect(new Set(cases.map((c) => c.classname))).toEqual(new Set(['test_known']));
      const failed = cases.filter((c) => c.failure).map((c) => `${c.name}:${c.failure?.[0]?.type}`);
      const expected = expectedClasses(iteration).map((cls) => (cls === 'A1' ? 'test_router_decisions:A1' : 'test_indexers_sync:A2'));
      expect(failed.sort(), suite.name).toEqual(expected.sort());
      expect(suite.failures).toBe(expected.length);
      const props = Object.fromEntries((suite.properties ?? []).map((p) => [p.name, p.value]));
      expect(props['flakehunt.testsFrom']).toBe('plugin');
      expect(props['flakehunt.log']).toBe(`logs/n2_junit/run00${iteration}/run.log`);
    }
  });

  it('masks a passed secret in failure messages, as everywhere', async (context) => {
    if (!xml) context.skip();
    expect(xml).not.toContain(SECRET);
    // With FH_LEAK=1 a test fails with the secret in its message, then the session aborts.
    const logs = path.join(root, 'logs');
    const leak = await cli(suiteArgs(logs, ['-s', '1', '-e', '1', '-t', 'leak', '--env-pass', 'FH_SECRET', '--env', 'FH_LEAK=1']), { env: { FH_SECRET: SECRET } });
    expect(leak.exitCode, leak.all).toBe(1);
    const file = path.join(root, 'leak.xml');
    await writeSweepJunitFile(path.join(logs, 'serial_leak'), file);
    const leaked = await readFile(file, 'utf8');
    if (process.env.FLAKEHUNT_KEEP_JUNIT) await writeFile(`${process.env.FLAKEHUNT_KEEP_JUNIT}.leak`, leaked);
    expect(leaked).toContain('token was [redacted]');
    expect(leaked).not.toContain(SECRET);
  });
});

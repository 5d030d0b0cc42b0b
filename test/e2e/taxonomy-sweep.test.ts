import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { cli, containersUnder, IMAGE, readJson, requireDocker, ROOT, tempDir } from './helpers.js';

const hasDocker = await requireDocker();
const SUITES = path.join(ROOT, 'test/fixtures/suites');
const CORPUS = path.join(ROOT, 'test/fixtures/corpus');
// Two sweeps, so that no session has two kinds of worker crash at once: when two xdist workers die
// at the same moment their stack dumps can interleave on stderr, and which crash was which is then
// a guess (see the README).
const SWEEPS: Record<string, string[]> = {
  timeouts: ['a1', 'a2', 'a3_signal', 'a3_thread', 'a5', 'unclassified', 'pass'],
  aborts: ['a1', 'abort', 'unclassified', 'pass'],
};

interface Expected { failures: Array<{ test: string; class: string }> }

/** What each fixture file does under `-n 2`, as established by hand for the corpus. */
async function expectedFailures(cases: string[]): Promise<Array<{ test: string; class: string }>> {
  const all = [];
  for (const name of cases) all.push(...(await readJson<Expected>(path.join(CORPUS, `${name}-n2`, 'expected.json'))).failures);
  return all.sort((a, b) => a.test.localeCompare(b.test));
}

describe.runIf(hasDocker)('sweeps whose tests fail in every way of the taxonomy (pytest -n 2)', () => {
  let logs: string;
  beforeAll(async () => {
    logs = await tempDir();
    for (const [tag, cases] of Object.entries(SWEEPS)) {
      const run = await cli(['run', '-i', IMAGE, '--mount', `${SUITES}:/suite:ro`, '--workdir', '/suite', '-p', '2', '-s', '1', '-e', '2', '-t', tag,
        '--pytest-args', '-p no:cacheprovider', '--logs-dir', logs, '--no-progress', ...cases.map((c) => ['--pytest-nodeid', `test_${c}.py`]).flat()]);
      expect(run.exitCode).toBe(1);
    }
  }, 300_000);
  afterAll(async () => { await rm(logs, { recursive: true, force: true }); });

  it('between them, every class of the taxonomy that a test can cause occurs', async () => {
    const classes = new Set<string>();
    for (const cases of Object.values(SWEEPS)) for (const f of await expectedFailures(cases)) classes.add(f.class);
    expect(classes).toEqual(new Set(['A1', 'A2', 'A3', 'A5', 'B1', 'UNCLASSIFIED']));
  });

  for (const [tag, cases] of Object.entries(SWEEPS)) {
    it(`${tag}: records every failure of every iteration with its test and class`, async () => {
      const sweep = path.join(logs, `n2_${tag}`);
      const want = await expectedFailures(cases);
      for (const iteration of [1, 2]) {
        const result = await readJson<IterationResult>(path.join(sweep, `run00${iteration}`, 'result.json'));
        const got = result.failures.map((f) => ({ test: f.test, class: f.class })).sort((a, b) => String(a.test).localeCompare(String(b.test)));
        expect({ iteration, failures: got }).toEqual({ iteration, failures: want });
        for (const failure of result.failures) expect(failure.message.length).toBeGreaterThan(5);
      }
      expect(await containersUnder(sweep)).toEqual([]);
    });

    it(`${tag}: keeps the plugin's per-test reports, and classify reproduces the results from the files alone`, async () => {
      const sweep = path.join(logs, `n2_${tag}`);
      const reportsDir = path.join(sweep, 'run001', 'artifacts', 'flakehunt');
      const reports = (await readdir(reportsDir)).filter((n) => n.startsWith('reports-gw'));
      expect(reports.length).toBeGreaterThan(0);
      expect(await readFile(path.join(reportsDir, reports[0]!), 'utf8')).toContain('"event": "report"');
      const before = await readFile(path.join(sweep, 'results.jsonl'), 'utf8');
      const offline = await cli(['classify', sweep]);
      expect(offline.stdout).toContain('0 changed');
      expect(await readFile(path.join(sweep, 'results.jsonl'), 'utf8')).toEqual(before);
    });
  }
});

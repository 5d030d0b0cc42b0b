import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { cli, readJson, ROOT, tempDir } from './helpers.js';

const CORPUS = path.join(ROOT, 'test/fixtures/corpus');

/** A folder laid out as the seed's reproduce_flaky_test.sh wrote it: runNNN/pytest.log and .exit_code. */
async function seedSweep(dir: string, runs: Array<'a1-serial' | 'a2-serial' | 'pass-serial' | 'abort-serial'>): Promise<void> {
  for (const [index, kind] of runs.entries()) {
    const run = path.join(dir, `run${String(index + 1).padStart(3, '0')}`);
    await mkdir(run, { recursive: true });
    await copyFile(path.join(CORPUS, kind, 'run.log'), path.join(run, 'pytest.log'));
    const expected = await readJson<{ exitCode: number }>(path.join(CORPUS, kind, 'expected.json'));
    await writeFile(path.join(run, '.exit_code'), `${expected.exitCode}\n`);
  }
}

describe('offline commands on folders of the seed script: classify, compare, report, plan', () => {
  let logs: string;
  let before: string;
  let after: string;
  let same: string;

  beforeAll(async () => {
    logs = await tempDir();
    before = path.join(logs, 'serial_fix8');
    after = path.join(logs, 'serial_fix9');
    same = path.join(logs, 'serial_fix10');
    // fix8: 12 of 40 fail (A1 ×8, A2 ×4); fix9: none of 40; fix10: 10 of 40 (A1 ×8, A2 ×2), much like fix8.
    await seedSweep(before, Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? 'a1-serial' : i % 10 === 3 ? 'a2-serial' : 'pass-serial')));
    await seedSweep(after, Array.from({ length: 40 }, () => 'pass-serial'));
    await seedSweep(same, Array.from({ length: 40 }, (_, i) => (i % 5 === 1 ? 'a1-serial' : i % 13 === 3 ? 'a2-serial' : 'pass-serial')));
  });

  afterAll(async () => { await rm(logs, { recursive: true, force: true }); });

  it('classify writes result.json for every run, from pytest.log and .exit_code, parallelism from the folder name', async () => {
    const run = await cli(['classify', before]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('run001: (new) → A1');
    expect(run.stdout).toContain('run004: (new) → A2');
    expect(run.stdout).toContain('40 iteration(s) classified with dynamo-router (seed-script folder, serial)');
    const result = await readJson<IterationResult>(path.join(before, 'run001', 'result.json'));
    expect(result.failures[0]).toMatchObject({ test: 'test_a1.py::test_router_decisions[jetstream-tcp]', class: 'A1' });
    expect((await readFile(path.join(before, 'results.txt'), 'utf8')).split('\n').filter((l) => l.startsWith('run'))).toHaveLength(40);
    // Nothing of the seed's own files was touched.
    expect(existsSync(path.join(before, 'run001', 'pytest.log'))).toBe(true);
    // A second pass changes nothing.
    expect((await cli(['classify', before])).stdout).toContain('0 changed');
    expect((await cli(['classify', after])).exitCode).toBe(0);
    expect((await cli(['classify', same])).exitCode).toBe(0);
  });

  it('a folder whose name does not say the parallelism is refused with how to fix it', async () => {
    const odd = path.join(logs, 'somewhere');
    await seedSweep(odd, ['pass-serial']);
    const run = await cli(['classify', odd]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/has no sweep.json and its name does not say the parallelism \(serial, n4, n4_fix8\)/);
  });

  it('compare says fewer failures with a significant p for clearly different rates', async () => {
    const run = await cli(['compare', before, after]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/all failures\s+12\/40 30\.0%\s+0\/40 0\.0%.*fewer failures with serial_fix9, p < 0\.001/);
    const json = JSON.parse((await cli(['compare', before, after, '--json'])).stdout) as { rows: Array<{ key: string; significant: boolean; pValue: number }> };
    // Two seed-script folders of one parallelism (serial_fix8, serial_fix9): nothing to warn about.
    expect(run.stdout).not.toContain('different parallelism');
    const overall = json.rows[0]!;
    expect(overall.significant).toBe(true);
    expect(overall.pValue).toBeLessThan(0.001);
  });

  it('compare says no significant difference, and how many more iterations would tell, for similar rates', async () => {
    const run = await cli(['compare', before, same]);
    expect(run.stdout).toMatch(/all failures\s+12\/40 30\.0%\s+10\/40 25\.0%.*no significant difference at these counts — run about \d+ more iterations per sweep to tell/);
  });

  it('report writes one self-contained HTML file with both sweeps and their comparison', async () => {
    const output = path.join(logs, 'fix8-vs-fix9.html');
    const run = await cli(['report', before, after, '-o', output]);
    expect(run.exitCode).toBe(0);
    const html = await readFile(output, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('id="comparison"');
    expect(html.match(/data-testid="iteration-cell"/g)).toHaveLength(80);
    expect(html).not.toMatch(/(src|href)="https?:/);
    // Links lead to the logs as the seed script named them.
    expect(html).toContain('href="serial_fix8/run001/pytest.log"');
  });

  it('classify, compare and report read a sweep with the taxonomy its run recorded in sweep.json, unless told otherwise', async () => {
    const mine = path.join(logs, 'serial_mine');
    await seedSweep(mine, ['a1-serial', 'pass-serial', 'a1-serial']);
    const taxonomy = path.join(logs, 'my-rules.json');
    await writeFile(taxonomy, JSON.stringify({ name: 'my-rules', rules: [{ id: 'ROUTING', title: 'my routing bug', kind: 'test-bug', when: { test: "::test_router_decisions(?:\\[|$)" } }] }));
    // A flakehunt folder re-derives only iterations that have a result.json: classify it as the seed's first.
    expect((await cli(['classify', mine])).exitCode).toBe(0);
    expect((await readJson<IterationResult>(path.join(mine, 'run001', 'result.json'))).classes).toEqual(['A1']);
    const record = { version: 1, sweepId: 'serial_mine-abc123', name: 'serial_mine', createdAt: new Date().toISOString(), identity: { parallelism: 'serial' }, imageId: null, settings: {}, taxonomy };
    await writeFile(path.join(mine, 'sweep.json'), JSON.stringify(record));

    const run = await cli(['classify', mine]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('classified with my-rules');
    expect(run.stdout).toContain('run001: A1 → ROUTING');
    expect((await readJson<IterationResult>(path.join(mine, 'run003', 'result.json'))).classes).toEqual(['ROUTING']);
    const markdown = await cli(['report', '--markdown', mine]);
    expect(markdown.stdout).toContain('my routing bug');
    expect(markdown.stdout).not.toContain('not in this taxonomy');
    expect((await cli(['compare', before, mine])).stdout).toMatch(/ROUTING/);

    // The recorded file gone: the bundled rules, and a warning that says so.
    await rm(taxonomy);
    const gone = await cli(['classify', mine]);
    expect(gone.exitCode).toBe(0);
    expect(gone.stderr).toContain(`the taxonomy the sweep ran with, ${taxonomy}, is not there any more; reading it with the bundled rules`);
    expect(gone.stdout).toContain('run001: ROUTING → A1');
  });

  it('plan says how many clean iterations rule out a rate', async () => {
    const run = await cli(['plan', '--rate', '3%', '--confidence', '95%']);
    expect(run.stdout).toContain('99 clean iterations in a row show the failure rate is below 3% with 95% confidence');
    const bad = await cli(['plan', '--rate', '300%']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--rate "300%" must be a rate between 0 and 100%/);
  });
});

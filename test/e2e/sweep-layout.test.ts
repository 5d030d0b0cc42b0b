import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { cli, containersUnder, expectedClasses, readJson, requireDocker, suiteArgs, tempDir } from './helpers.js';

const hasDocker = await requireDocker();

describe.runIf(hasDocker)('flakehunt run: a 20-iteration sweep of a suite with known failures', () => {
  let logs: string;
  let sweep: string;
  let first: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    logs = await tempDir();
    sweep = path.join(logs, 'serial_known');
    first = await cli(suiteArgs(logs, ['-s', '1', '-e', '20', '-t', 'known', '-j', '2', '--env-pass', 'FH_SECRET', '--env', 'API_TOKEN=tok-123456']), {
      env: { FH_SECRET: 's3cr3t-value-42' },
    });
  }, 240_000);

  afterAll(async () => {
    await rm(logs, { recursive: true, force: true });
  });

  it('exits 1 because some iterations failed, and leaves no container behind', async () => {
    expect(first.all).toContain('Iterations: 20 finished');
    expect(first.exitCode).toBe(1);
    expect(await containersUnder(logs)).toEqual([]);
  });

  it('writes the documented layout with one result per iteration', async () => {
    const names = (await readdir(sweep)).sort();
    expect(names).toEqual(expect.arrayContaining(['results.jsonl', 'results.txt', 'summary.txt', 'sweep.json']));
    const runs = names.filter((n) => /^run\d{3}$/.test(n));
    expect(runs).toHaveLength(20);
    for (const run of runs) {
      expect(existsSync(path.join(sweep, run, 'run.log'))).toBe(true);
      expect(existsSync(path.join(sweep, run, 'result.json'))).toBe(true);
      expect(existsSync(path.join(sweep, run, 'artifacts', 'flakehunt'))).toBe(true);
    }
    const record = await readJson<{ identity: { image: string; nodeids: string[] }; imageId: string }>(path.join(sweep, 'sweep.json'));
    expect(record.identity.nodeids).toEqual(['test_known.py']);
    expect(record.imageId).toMatch(/^sha256:/);
  });

  it('classifies every iteration exactly as the suite failed', async () => {
    for (let i = 1; i <= 20; i += 1) {
      const result = await readJson<IterationResult>(path.join(sweep, `run${String(i).padStart(3, '0')}`, 'result.json'));
      const want = expectedClasses(i);
      expect({ i, classes: result.classes }).toEqual({ i, classes: want });
      expect(result.status).toBe(want.length > 0 ? 'failed' : 'passed');
      expect(result.exitCode).toBe(want.length > 0 ? 1 : 0);
      if (want.includes('A1')) {
        const failure = result.failures.find((f) => f.class === 'A1');
        expect(failure?.test).toBe('test_known.py::test_router_decisions');
        expect(failure?.message).toMatch(/^AssertionError: Expected exactly 1 \(worker_id, dp_rank\)/);
      }
    }
  });

  it('keeps results.txt, results.jsonl and summary.txt in agreement with the results', async () => {
    const txt = (await readFile(path.join(sweep, 'results.txt'), 'utf8')).split('\n').filter((l) => l.startsWith('run'));
    expect(txt).toHaveLength(20);
    expect(txt[4]).toMatch(/^run005\s+FAILED\s+A1\s/);
    const jsonl = (await readFile(path.join(sweep, 'results.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as IterationResult);
    expect(jsonl.map((r) => r.iteration)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const summary = await readFile(path.join(sweep, 'summary.txt'), 'utf8');
    // Iterations 5, 7, 10, 14, 15, 20 fail.
    expect(summary).toContain('14 passed, 6 failed');
    expect(summary).toContain('30.0% (6/20)');
  });

  it('never writes a secret: --env-pass values and secret-looking --env values are masked', async () => {
    const log = await readFile(path.join(sweep, 'run001', 'run.log'), 'utf8');
    expect(log).toContain('the secret is [redacted]!');
    const everything = await Promise.all(['sweep.json', 'results.jsonl', 'summary.txt'].map((f) => readFile(path.join(sweep, f), 'utf8')));
    for (const text of [log, ...everything]) {
      expect(text).not.toContain('s3cr3t-value-42');
      expect(text).not.toContain('tok-123456');
    }
  });

  it('re-classifies from the logs alone to the same results', async () => {
    const before = await readFile(path.join(sweep, 'results.jsonl'), 'utf8');
    const offline = await cli(['classify', sweep]);
    expect(offline.exitCode).toBe(0);
    expect(offline.stdout).toContain('20 iteration(s) classified');
    expect(offline.stdout).toContain('0 changed');
    const after = await readFile(path.join(sweep, 'results.jsonl'), 'utf8');
    const strip = (text: string) => text.trim().split('\n').map((l) => { const r = JSON.parse(l) as IterationResult; return [r.iteration, r.status, r.classes, r.failures]; });
    expect(strip(after)).toEqual(strip(before));
  });

  it('resumes by skipping finished iterations, and refuses other settings without --force', async () => {
    const again = await cli(suiteArgs(logs, ['-s', '1', '-e', '20', '-t', 'known']));
    expect(again.stderr).toContain('0 iteration(s) to run, 20 already finished');
    const other = await cli(suiteArgs(logs, ['-s', '1', '-e', '20', '-t', 'known', '--pytest-args', '-x']));
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toMatch(/holds a sweep with other settings \(pytestArgs was .*\): use another --tag/);
  });

  it('--dry-run prints each iteration\'s container spec, with secrets masked, and writes nothing', async () => {
    const fresh = await tempDir();
    const dry = await cli(suiteArgs(fresh, ['-s', '1', '-e', '3', '--dry-run', '--env', 'HF_TOKEN=hf_abcdef', '--env-pass', 'FH_SECRET']), { env: { FH_SECRET: 'xyz-987' } });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout.match(/^run00\d: \{/gm)).toHaveLength(3);
    expect(dry.stdout).toContain('"FLAKEHUNT_ITERATION=2"');
    expect(dry.stdout).toContain('HF_TOKEN=<redacted>');
    expect(dry.stdout).toContain('FH_SECRET=<from host, not shown>');
    expect(dry.stdout).not.toContain('hf_abcdef');
    expect(dry.stdout).not.toContain('xyz-987');
    expect(await readdir(fresh)).toEqual([]);
    await rm(fresh, { recursive: true, force: true });
  });

  it('--dry-run shows the conditions each iteration would be drawn (same seed, same draws), the files copied in, and reads a --baseline', async () => {
    const fresh = await tempDir();
    const args = suiteArgs(fresh, ['-s', '1', '-e', '2', '--dry-run', '--perturb', 'cpu:0.2-0.5+shuffle', '--seed', 'fixed-seed']);
    const dry = await cli(args);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('conditions: drawn from seed fixed-seed');
    expect(dry.stdout).toMatch(/^each container also gets: \/flakehunt\/plugin\/flakehunt_reporter\.py \(from .*\); its artifacts folder \/flakehunt\/artifacts$/m);
    expect(dry.stdout).toMatch(/^limits: --timeout \S+, --idle-timeout \S+, --grace \S+$/m);
    expect(dry.stdout).not.toMatch(/\d{4,}ms/);
    const draws = (text: string) => [...text.matchAll(/"(PYTHONHASHSEED=\d+|FLAKEHUNT_ORDER=shuffle:\d+)"|"NanoCpus":(\d+)/g)].map((m) => m[1] ?? m[2]);
    expect(draws(dry.stdout)).toHaveLength(6);
    expect(draws((await cli(args)).stdout)).toEqual(draws(dry.stdout));
    const baseline = await cli(suiteArgs(fresh, ['-e', '2', '--dry-run', '--until-decided', '--baseline', path.join(fresh, 'nowhere')]));
    expect(baseline.exitCode).toBe(2);
    expect(baseline.stderr).toMatch(/--baseline .*nowhere has no finished iterations/);
    const taxonomy = await cli(suiteArgs(fresh, ['-e', '2', '--dry-run', '--taxonomy', path.join(fresh, 'none.json')]));
    expect(taxonomy.exitCode).toBe(2);
    expect(taxonomy.stderr).toMatch(/cannot read taxonomy .*none\.json/);
    expect(await readdir(fresh)).toEqual([]);
    await rm(fresh, { recursive: true, force: true });
  });
});

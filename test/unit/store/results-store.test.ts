import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Failure, IterationResult, IterationStatus } from '../../../src/core/result.js';
import { SweepLayout } from '../../../src/store/layout.js';
import { readAllResults, recordResult, resultLine, rewriteSweepFiles } from '../../../src/store/results-store.js';

let dir: string;
let layout: SweepLayout;
const compromised: Error[] = [];
const onCompromised = (error: Error) => {
  compromised.push(error);
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-results-'));
  layout = new SweepLayout(path.join(dir, 'serial'));
  await mkdir(layout.dir);
  compromised.length = 0;
});

afterEach(async () => {
  expect(compromised).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

function result(iteration: number, status: IterationStatus, failures: Failure[] = [], extra: Partial<IterationResult> = {}): IterationResult {
  return {
    iteration,
    status,
    exitCode: status === 'passed' ? 0 : 1,
    durationMs: 1234 + iteration,
    classes: [...new Set(failures.map((f) => f.class))].sort(),
    failures,
    killedBy: null,
    exitCodeMismatch: false,
    tests: { passed: 2, failed: failures.length },
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:00:01.234Z',
    attempt: 1,
    host: 'h',
    pid: 1,
    imageId: null,
    note: null,
    ...extra,
  };
}

/** As the sweep does it: the run folder exists (setAsidePreviousAttempt made it) before the result is recorded. */
async function record(r: IterationResult): Promise<IterationResult[]> {
  await mkdir(layout.runDir(r.iteration), { recursive: true });
  return recordResult(layout, r, render, onCompromised);
}

const render = (results: IterationResult[]) => `summary of ${results.map((r) => `${r.iteration}:${r.status}`).join(',')}\n`;

async function dataLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
}

describe('resultLine', () => {
  it('shows run, status, classes and seconds', () => {
    const line = resultLine(result(29, 'failed', [{ test: 't', class: 'A2', message: 'm' }, { test: 'u', class: 'A1', message: 'm' }], { durationMs: 301_249 }));
    expect(line).toMatch(/^run029 {2}FAILED {7}A1,A2 {20}301\.2s$/);
    expect(resultLine(result(1000, 'passed', [], { durationMs: 500 }))).toMatch(/^run1000 {2}PASSED\s+-\s+0\.5s$/);
  });

  it('stars a failure the exit code hid', () => {
    expect(resultLine(result(3, 'failed', [{ test: 't', class: 'A1', message: 'm' }], { exitCode: 0, exitCodeMismatch: true }))).toMatch(/^run003 {2}FAILED\* /);
  });
});

describe('recordResult', () => {
  it('writes result.json and one line per iteration, in iteration order, whatever order they finish in', async () => {
    const a = result(3, 'failed', [{ test: 't.py::test_a', class: 'A1', message: 'boom' }]);
    const b = result(1, 'passed');
    const c = result(2, 'error', [], { note: 'container could not start' });
    const c1 = await record(a);
    expect(c1.map((r) => r.iteration)).toEqual([3]);
    await record(b);
    const all = await record(c);
    expect(all.map((r) => r.iteration)).toEqual([1, 2, 3]);

    expect(JSON.parse(await readFile(layout.resultJson(3), 'utf8'))).toEqual(a);
    const lines = await dataLines(layout.resultsTxt);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^run001 {2}PASSED /);
    expect(lines[1]).toMatch(/^run002 {2}ERROR /);
    expect(lines[2]).toMatch(/^run003 {2}FAILED\s+A1\s/);
    expect((await readFile(layout.resultsTxt, 'utf8')).startsWith('# run ')).toBe(true);

    const jsonl = (await readFile(layout.resultsJsonl, 'utf8')).split('\n');
    expect(jsonl.pop()).toBe('');
    expect(jsonl.map((line) => JSON.parse(line))).toEqual([b, c, a]);

    expect(await readFile(layout.summaryTxt, 'utf8')).toBe('summary of 1:passed,2:error,3:failed\n');
    // Only the sweep files, the run folders and the (released) lock machinery: no temp files.
    const names = (await readdir(layout.dir)).filter((name) => !name.startsWith('.'));
    expect(names.sort()).toEqual(['results.jsonl', 'results.txt', 'run001', 'run002', 'run003', 'summary.txt']);
    expect(await readdir(layout.dir)).not.toContain('.sweep.lock');
  });

  it('replaces the line of an iteration recorded again instead of adding one', async () => {
    await record(result(1, 'passed'));
    await record(result(2, 'error', [], { note: 'daemon lost' }));
    const again = result(2, 'failed', [{ test: 't.py::test_b', class: 'A2', message: 'Router states have different numbers of events' }], { attempt: 2 });
    const all = await record(again);
    expect(all).toHaveLength(2);
    const lines = await dataLines(layout.resultsTxt);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^run002 {2}FAILED\s+A2\s/);
    expect(lines.join('\n')).not.toMatch(/ERROR/);
    const jsonl = await dataLines(layout.resultsJsonl);
    expect(jsonl.map((line) => (JSON.parse(line) as IterationResult).attempt)).toEqual([1, 2]);
    expect(await readFile(layout.summaryTxt, 'utf8')).toBe('summary of 1:passed,2:failed\n');
  });

  it('updates the sweep files from results.jsonl, without re-reading the other result.json files', async () => {
    await record(result(1, 'passed'));
    await record(result(2, 'passed'));
    // Damage run001's result.json: only a full rebuild would read it (and report it unreadable).
    await writeFile(layout.resultJson(1), '{"torn');
    const all = await record(result(3, 'failed', [{ test: 't.py::test_c', class: 'A1', message: 'Timeout' }]));
    expect(all.map((r) => `${r.iteration}:${r.status}`)).toEqual(['1:passed', '2:passed', '3:failed']);
    expect(await readFile(layout.summaryTxt, 'utf8')).toBe('summary of 1:passed,2:passed,3:failed\n');
  });

  it('rebuilds from the result.json files when results.jsonl is missing or damaged', async () => {
    await record(result(1, 'passed'));
    await record(result(2, 'passed'));
    await writeFile(layout.resultsJsonl, '{"iteration": 1}\n{"iter');
    expect((await record(result(3, 'passed'))).map((r) => r.iteration)).toEqual([1, 2, 3]);
    await rm(layout.resultsJsonl);
    const rebuilt = await record(result(4, 'passed'));
    expect(rebuilt.map((r) => r.iteration)).toEqual([1, 2, 3, 4]);
    expect((await dataLines(layout.resultsJsonl)).map((line) => (JSON.parse(line) as IterationResult).iteration)).toEqual([1, 2, 3, 4]);
  });

  it('sorts run1000 after run999 (numeric, not by name)', async () => {
    for (const n of [1000, 999, 10]) await record(result(n, 'passed'));
    const lines = await dataLines(layout.resultsTxt);
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['run010', 'run999', 'run1000']);
  });
});

describe('readAllResults / rewriteSweepFiles', () => {
  it('returns [] for a sweep folder that does not exist', async () => {
    expect(await readAllResults(new SweepLayout(path.join(dir, 'nope')))).toEqual([]);
  });

  it('skips unfinished runs and reports unreadable result.json files without failing', async () => {
    await record(result(1, 'passed'));
    await mkdir(layout.runDir(2)); // started, not finished: no result.json
    await mkdir(layout.runDir(3));
    await writeFile(layout.resultJson(3), '{"iteration": 3, "stat'); // torn by hand
    await mkdir(path.join(layout.dir, 'notes'));
    const unreadable: string[] = [];
    const results = await readAllResults(layout, (file) => unreadable.push(file));
    expect(results.map((r) => r.iteration)).toEqual([1]);
    expect(unreadable).toEqual([layout.resultJson(3)]);
  });

  it('rewrites the sweep files from result.json files alone', async () => {
    await mkdir(layout.runDir(5));
    await mkdir(layout.runDir(4));
    await writeFile(layout.resultJson(5), JSON.stringify(result(5, 'failed', [{ test: null, class: 'A5', message: '429 Client Error: Too Many Requests' }])));
    await writeFile(layout.resultJson(4), JSON.stringify(result(4, 'passed')));
    const results = await rewriteSweepFiles(layout, render);
    expect(results.map((r) => r.iteration)).toEqual([4, 5]);
    expect((await dataLines(layout.resultsTxt)).map((line) => line.slice(0, 6))).toEqual(['run004', 'run005']);
    expect((await dataLines(layout.resultsJsonl)).map((line) => (JSON.parse(line) as IterationResult).iteration)).toEqual([4, 5]);
    expect(await readFile(layout.summaryTxt, 'utf8')).toBe('summary of 4:passed,5:failed\n');
  });
});

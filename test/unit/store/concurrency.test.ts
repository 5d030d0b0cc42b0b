import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { execa } from 'execa';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../../src/core/result.js';
import { SweepLayout } from '../../../src/store/layout.js';
import { readAllResults } from '../../../src/store/results-store.js';

const RECORDER = fileURLToPath(new URL('../../fixtures/programs/record-results.mjs', import.meta.url));
const DIST_STORE = fileURLToPath(new URL('../../../dist/store/results-store.js', import.meta.url));
const WORKERS = 4;
const PER_WORKER = 25;
const TOTAL = WORKERS * PER_WORKER;
/** A well-formed results.txt data line. */
const LINE = /^run\d{3,} {2}(PASSED|FAILED|ERROR)\*? *(-|A[12]) +\d+\.\ds$/;

let dir: string;

beforeAll(() => {
  if (!existsSync(DIST_STORE)) throw new Error(`${DIST_STORE} is missing: run npx tsc -p tsconfig.json first`);
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-concurrent-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function checkLines(text: string, problems: string[]): number {
  const lines = text.split('\n');
  if (lines.pop() !== '') problems.push('results.txt does not end with a newline');
  if (!lines[0]?.startsWith('# run ')) problems.push(`bad header ${JSON.stringify(lines[0])}`);
  const data = lines.slice(1);
  for (const line of data) if (!LINE.test(line)) problems.push(`torn line ${JSON.stringify(line)}`);
  return data.length;
}

describe('several processes recording into one sweep folder', () => {
  it(`${WORKERS} processes × ${PER_WORKER} results: exactly ${TOTAL} whole lines, never a torn file`, async () => {
    const layout = new SweepLayout(dir);
    const workers = Array.from({ length: WORKERS }, (_, w) =>
      execa('node', [RECORDER, dir, String(w), String(WORKERS), String(PER_WORKER)], { reject: false }),
    );
    let running = true;
    const problems: string[] = [];
    let snapshots = 0;
    // Watch results.txt while the workers write: each snapshot must be whole and in order.
    const watcher = (async () => {
      while (running) {
        let text: string;
        try {
          text = await readFile(layout.resultsTxt, 'utf8');
        } catch {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        snapshots += 1;
        checkLines(text, problems);
      }
    })();
    const finished = await Promise.all(workers);
    running = false;
    await watcher;

    for (const worker of finished) {
      expect(worker.stderr).toBe('');
      expect(worker.exitCode).toBe(0);
      expect(worker.stdout).toBe('done');
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(snapshots).toBeGreaterThan(0);

    const text = await readFile(layout.resultsTxt, 'utf8');
    expect(checkLines(text, problems)).toBe(TOTAL);
    expect(problems).toEqual([]);
    const runs = text.split('\n').slice(1, -1).map((line) => Number(line.slice(3, line.indexOf(' '))));
    expect(runs).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));

    const jsonl = (await readFile(layout.resultsJsonl, 'utf8')).split('\n');
    expect(jsonl.pop()).toBe('');
    expect(jsonl).toHaveLength(TOTAL);
    const parsed = jsonl.map((line) => JSON.parse(line) as IterationResult);
    expect(parsed.map((r) => r.iteration)).toEqual(runs);
    expect(new Set(parsed.map((r) => r.pid)).size).toBe(WORKERS);

    expect(await readFile(layout.summaryTxt, 'utf8')).toBe(`${TOTAL} results\n`);
    expect((await readAllResults(layout)).length).toBe(TOTAL);
    // No temp files or stray locks left behind.
    const leftovers = (await readdir(dir)).filter((name) => !/^run\d+$/.test(name));
    expect(leftovers.sort()).toEqual(['results.jsonl', 'results.txt', 'summary.txt']);
  }, 60_000);
});

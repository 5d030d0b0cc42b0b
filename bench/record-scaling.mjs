// How the cost of recording one result grows with the size of the sweep: recordResult (dist/store/
// results-store.js) takes the sweep lock, writes result.json, then re-reads EVERY result.json and
// rewrites results.txt, results.jsonl and summary.txt (each fsync'ed). The time is the sweep-lock
// hold time of every finished iteration, so it bounds how many iterations per second a sweep
// (all its processes together) can record. No Docker: synthetic results in a temp folder.
//   node bench/record-scaling.mjs [sizes=100,1000,5000]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(repo, 'dist', p));
const { recordResult } = await dist('store/results-store.js');
const { SweepLayout } = await dist('store/layout.js');
const { summaryRenderer, sweepInfoOf } = await dist('report/sweep-summary.js');
const { loadTaxonomy } = await dist('classify/taxonomy-loader.js');

const sizes = (process.argv[2] ?? '100,1000,5000').split(',').map(Number);
const taxonomy = await loadTaxonomy();
const tmp = mkdtempSync(path.join(tmpdir(), 'flakehunt-bench-record.'));

function result(i) {
  const failed = i % 7 === 0;
  return {
    iteration: i, status: failed ? 'failed' : 'passed', exitCode: failed ? 1 : 0, durationMs: 300_000 + i,
    classes: failed ? ['A1'] : [], failures: failed ? [{ test: 'tests/router/test_router_e2e_with_mockers.py::test_router_decisions[jetstream-tcp]', class: 'A1', message: 'AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events' }] : [],
    killedBy: null, exitCodeMismatch: false, tests: { passed: 40, failed: failed ? 1 : 0 },
    startedAt: new Date(1.7e12 + i * 1000).toISOString(), finishedAt: new Date(1.7e12 + i * 1000 + 300_000).toISOString(),
    attempt: 1, host: 'bench', pid: 1, imageId: 'sha256:0', note: null,
  };
}

try {
  console.log('recordResult (sweep lock held) per finished iteration, by number of results already in the sweep:');
  const rows = [];
  for (const n of sizes) {
    const dir = path.join(tmp, `serial_n${n}`);
    const layout = new SweepLayout(dir);
    for (let i = 1; i < n; i += 1) {
      mkdirSync(layout.runDir(i), { recursive: true });
      writeFileSync(layout.resultJson(i), `${JSON.stringify(result(i), null, 2)}\n`);
    }
    mkdirSync(layout.runDir(n), { recursive: true });
    const render = summaryRenderer(sweepInfoOf(dir, { sweepId: 'bench', identity: { image: 'img', parallelism: 'serial', nodeids: [] }, settings: { tag: null } }), taxonomy);
    const times = [];
    for (let k = 0; k < 5; k += 1) {
      const t = performance.now();
      await recordResult(layout, result(n), render, () => undefined);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const ms = times[2];
    rows.push([n, ms]);
    console.log(`  ${String(n).padStart(6)} results: ${ms.toFixed(1).padStart(8)} ms  -> at most ${(1000 / ms).toFixed(1)} results recorded per second, sweep-wide`);
  }
  console.log(`RESULT record-scaling ${rows.map(([n, ms]) => `n${n}_ms=${ms.toFixed(1)}`).join(' ')}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

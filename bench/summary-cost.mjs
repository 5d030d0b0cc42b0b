// What the statistics of a summary cost as a sweep grows: the change-point scan (a likelihood-ratio
// scan calibrated by permutation) and the whole summary, against reading the sweep's result.json
// records (JSON.parse of each), which every summary pays first. Ratios are of the same run's baseline.
//   node bench/summary-cost.mjs            (after npm run build; SIZES=100,1000,5000 ROUNDS=5)
import { performance } from 'node:perf_hooks';

import { summarize } from '../dist/report/summarize.js';
import { changePoint } from '../dist/stats/change-point.js';
import { SeededRandom } from '../dist/stats/random.js';

const sizes = (process.env.SIZES ?? '100,1000,5000').split(',').map(Number);
const rounds = Number(process.env.ROUNDS ?? 5);

function resultText(iteration, failed) {
  const failures = failed ? [{ test: 'tests/test_x.py::test_a', class: 'A1', message: `AssertionError: expected 1, got ${iteration}`, signature: 'aaaaaaaaaaaa', signatureText: 'AssertionError | tests/test_x.py::test_a | expected <n>, got <n>', phase: 'call', exception: 'AssertionError' }] : [];
  return JSON.stringify({ iteration, status: failed ? 'failed' : 'passed', exitCode: failed ? 1 : 0, durationMs: 1000 + iteration, classes: failed ? ['A1'] : [], failures, killedBy: null, exitCodeMismatch: false, tests: { passed: 40, failed: failures.length }, startedAt: '2026-12-02T00:00:00.000Z', finishedAt: '2026-12-02T00:00:01.000Z', attempt: 1, host: 'bench', pid: 1, imageId: null, note: null }, null, 2);
}

/** Best of `rounds` of fn(), in ms. */
function best(fn) {
  let min = Infinity;
  for (let i = 0; i < rounds; i += 1) {
    const start = performance.now();
    fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

const info = { dir: '/tmp/bench', name: 'serial_bench', image: 'bench', parallelism: 'serial', tag: null, nodeids: [] };
const rules = [{ id: 'A1', title: 'bench', kind: 'test-bug' }];
console.log(`summary-cost: best of ${rounds}; baseline = JSON.parse of the sweep's result.json texts`);
for (const n of sizes) {
  const random = new SeededRandom(`bench/${n}`);
  // A regime shift at two thirds, as the seed's -n 4 sweep had: 2% before, 30% after.
  const failed = Array.from({ length: n }, (_, i) => random.nextFloat() < (i < (2 * n) / 3 ? 0.02 : 0.3));
  const texts = failed.map((f, i) => resultText(i + 1, f));
  let results = [];
  const parse = best(() => { results = texts.map((t) => JSON.parse(t)); });
  const scan = best(() => changePoint(failed));
  const whole = best(() => summarize(results, info, rules));
  console.log(`  ${String(n).padStart(5)} iterations: parse ${parse.toFixed(1)} ms; change point ${scan.toFixed(1)} ms (${(scan / parse).toFixed(2)}× parse); whole summary ${whole.toFixed(1)} ms (${(whole / parse).toFixed(2)}× parse)`);
  console.log(`RESULT summary-cost n=${n} changepoint_over_parse=${(scan / parse).toFixed(2)} summary_over_parse=${(whole / parse).toFixed(2)}`);
}

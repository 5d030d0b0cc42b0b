// Where `flakehunt classify` spends its time per log, stage by stage (no CLI start-up, no result
// files): each stage adds one layer of the real pipeline from dist/.
//   1 read       1 MiB reads into one reused buffer, as forEachLine does, nothing else
//   2 split      forEachLine (dist/classify/classify-log.js): + LineSplitter with an empty callback
//   3 strip      + stripAnsi on the lines LineSplitter does not mark plain
//   4 classify   classifyLog itself (reading, splitting, RunClassifier.line + finish), one log at a time
//   5 pool       ClassifyPool: the same logs on one worker thread per CPU, as `flakehunt classify` does
// plus one diagnostic stage that is NOT flakehunt code:
//   2' rules     stage 2 + only the rule test (AnyRule) per line
// Stages 1-4 run over every log three times and report the best of the two warm passes; the
// pool's workers classify every log twice and the second pass is reported.
//   node bench/classify-breakdown.mjs <sweep-dir> [max-logs]
import { readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(repo, 'dist', p));
const { stripAnsi } = await dist('classify/line-splitter.js');
const { classifyLog, forEachLine } = await dist('classify/classify-log.js');
const { ClassifyPool } = await dist('classify/classify-pool.js');
const { AnyRule } = await dist('classify/any-rule.js');
const { loadTaxonomy } = await dist('classify/taxonomy-loader.js');

const dir = process.argv[2];
const max = Number(process.argv[3] ?? Infinity);
const logs = readdirSync(dir).filter((n) => /^run\d{3,}$/.test(n)).sort().slice(0, max).map((n) => path.join(dir, n, 'run.log'));
const taxonomy = await loadTaxonomy();
const anyRule = new AnyRule(taxonomy.rules.filter((r) => r.when?.parallelism !== 'xdist'));
const job = (log) => ({ log, artifactsDir: null, parallelism: 'serial', mode: 'pytest', exit: { exitCode: 1, killedBy: null } });

/** Stage 1 only: the reads forEachLine makes, with nothing done to the bytes. */
async function readOnly(file) {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    while ((await handle.read(buffer, 0, buffer.length, null)).bytesRead > 0);
  } finally {
    await handle.close();
  }
}

let sink = 0;
const stages = {
  read: (file) => readOnly(file),
  split: (file) => forEachLine(file, () => { sink += 1; }),
  strip: (file) => forEachLine(file, (l, plain) => { sink += (plain ? l : stripAnsi(l)).length; }),
  classify: async (file) => { sink += (await classifyLog({ ...job(file), taxonomy })).failures.length; },
  'rules only (not flakehunt)': (file) => forEachLine(file, (l) => { if (anyRule.test(l)) sink += 1; }),
};

let lines = 0;
for (const file of logs) await forEachLine(file, () => { lines += 1; });
const mb = logs.reduce((sum, file) => sum + statSync(file).size, 0) / 1e6;
console.log(`classify breakdown over ${logs.length} logs, ${mb.toFixed(1)} MB, ${lines} lines`);
const report = (name, s) =>
  console.log(`  ${name.padEnd(38)} ${s.toFixed(2).padStart(6)} s  ${(mb / s).toFixed(0).padStart(5)} MB/s  ${((s * 1e9) / lines).toFixed(0).padStart(5)} ns/line`);
const results = {};
for (const [name, stage] of Object.entries(stages)) {
  results[name] = Infinity;
  for (let pass = 0; pass < 3; pass += 1) {
    const t = performance.now();
    for (const file of logs) await stage(file);
    if (pass > 0) results[name] = Math.min(results[name], (performance.now() - t) / 1000);
  }
  report(name, results[name]);
}
const workers = new ClassifyPool(taxonomy, { jobs: logs.length });
for (let pass = 0; pass < 2; pass += 1) {
  const t = performance.now();
  for (const c of await Promise.all(logs.map((file) => workers.classify(job(file))))) sink += c.failures.length;
  results.pool = (performance.now() - t) / 1000;
}
report(`pool (${workers.threads} worker threads, ${os.availableParallelism()} CPUs)`, results.pool);
await workers.close();
const { read, split, strip, classify, pool } = results;
// Stages are timed in separate passes, so a stage cheaper than the scatter can come out below zero.
const share = (ms) => `${Math.max(0, (ms / classify) * 100).toFixed(0)}%`;
console.log(`  => of the classify stage: reading ${share(read)}, line splitting ${share(split - read)}, stripAnsi ${share(strip - split)}, parsing + rules ${share(classify - strip)}; the pool is ${(classify / pool).toFixed(2)}x as fast`);
console.log(`RESULT classify-breakdown read_s=${read.toFixed(2)} split_s=${split.toFixed(2)} strip_s=${strip.toFixed(2)} classify_s=${classify.toFixed(2)} pool_s=${pool.toFixed(2)} rules_s=${results['rules only (not flakehunt)'].toFixed(2)} sink=${sink % 7}`);

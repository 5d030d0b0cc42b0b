// Where the post-run classification of a huge --command log goes (the phase after the container
// exited in bench/huge-log-memory.sh): the same 1 KiB lines of 'x', in memory (no I/O), through
// LineSplitter alone, the rule test alone (AnyRule: the literal prefilter, then the combined
// taxonomy regex), and LineSplitter + RunClassifier in command mode, fed as classifyLog feeds it;
// scaled to the given size.
//   node bench/command-mode-breakdown.mjs [GiB=2] [sample-MiB=128]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(repo, 'dist', p));
const { LineSplitter } = await dist('classify/line-splitter.js');
const { lineFeeder } = await dist('classify/classify-log.js');
const { RunClassifier } = await dist('classify/classifier.js');
const { AnyRule } = await dist('classify/any-rule.js');
const { loadTaxonomy } = await dist('classify/taxonomy-loader.js');

const gib = Number(process.argv[2] ?? 2);
const sampleMiB = Number(process.argv[3] ?? 128);
const taxonomy = await loadTaxonomy();
const rules = taxonomy.rules.filter((r) => r.when?.parallelism !== 'xdist');
const anyRule = new AnyRule(rules);
// AnyRule's own combined regex with the prefilter switched off (`literals` is readonly in TypeScript only).
const bareRule = new AnyRule(rules);
bareRule.literals = null;
const chunk = Buffer.from(`${'x'.repeat(1023)}\n`.repeat(1024)); // 1 MiB
const line = 'x'.repeat(1023);
let sink = 0;
const time = (fn) => { const t = performance.now(); fn(); return performance.now() - t; };
time(() => { const s = new LineSplitter(() => { sink += 1; }); for (let i = 0; i < 8; i += 1) s.push(chunk); }); // warm-up
const split = time(() => { const s = new LineSplitter(() => { sink += 1; }); for (let i = 0; i < sampleMiB; i += 1) s.push(chunk); s.end(); });
const rx = time(() => { for (let i = 0; i < sampleMiB * 1024; i += 1) if (anyRule.test(line)) sink += 1; });
// Diagnostic, not flakehunt code: the combined regex alone, on every line, without the prefilter.
const bare = time(() => { for (let i = 0; i < sampleMiB * 1024; i += 1) if (bareRule.test(line)) sink += 1; });
const full = time(() => {
  const c = new RunClassifier(taxonomy, 'serial', 'command');
  const s = new LineSplitter(lineFeeder(c));
  for (let i = 0; i < sampleMiB; i += 1) s.push(chunk);
  s.end();
  sink += c.finish({ exitCode: 0, killedBy: null }, []).failures.length;
});
const scale = (ms) => ((ms * (gib * 1024)) / sampleMiB / 1000).toFixed(1);
console.log(`classification of ${gib} GiB of 1 KiB lines in command mode (from a ${sampleMiB} MiB sample, in memory): ` +
  `total ${scale(full)} s = LineSplitter ${scale(split)} s + rule test (literal prefilter, then regex) ${scale(rx)} s + the rest of RunClassifier.line ${scale(full - split - rx)} s`);
console.log(`  diagnostic (not flakehunt): the combined regex alone, without the prefilter: ${scale(bare)} s instead of ${scale(rx)} s`);
console.log(`RESULT command-mode-breakdown bare_regex_s=${scale(bare)} total_s=${scale(full)} split_s=${scale(split)} regex_s=${scale(rx)} rest_s=${scale(full - split - rx)} sink=${sink % 7}`);

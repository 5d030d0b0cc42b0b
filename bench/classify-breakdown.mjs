// Where `flakehunt classify` spends its time per log, stage by stage, in one process (no CLI
// start-up, no result files): each stage adds one layer of the real pipeline from dist/.
//   1 read       createReadStream(1 MiB chunks), nothing else
//   2 split      + LineSplitter (dist/classify/line-splitter.js) with an empty callback
//   3 strip      + stripAnsi on every line
//   4 classify   + RunClassifier.line + finish (the full classifyLog work)
// plus two diagnostic stages that are NOT flakehunt code:
//   2' split-str a string-based splitter (decode each chunk once, indexOf('\n') on the string)
//   4' rules     stage 2 + only the combined taxonomy regex test per line (the `anyRule` cost)
//   4" classify on split-str: stage 4 with the string-based splitter instead of LineSplitter
// Each stage runs over every log three times; the best of the two warm passes is reported.
//   node bench/classify-breakdown.mjs <sweep-dir> [max-logs]
import { createReadStream, readdirSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(repo, 'dist', p));
const { LineSplitter, stripAnsi } = await dist('classify/line-splitter.js');
const { RunClassifier } = await dist('classify/classifier.js');
const { loadTaxonomy } = await dist('classify/taxonomy-loader.js');

const dir = process.argv[2];
const max = Number(process.argv[3] ?? Infinity);
const logs = readdirSync(dir).filter((n) => /^run\d{3,}$/.test(n)).sort().slice(0, max).map((n) => path.join(dir, n, 'run.log'));
const taxonomy = await loadTaxonomy();
const rules = taxonomy.rules.filter((r) => r.when?.parallelism !== 'xdist');
const anyRule = new RegExp(rules.flatMap((r) => r.regexes.map((x) => `(?:${x.source})`)).join('|'));

class StringSplitter {
  constructor(onLine) { this.onLine = onLine; this.decoder = new StringDecoder('utf8'); this.rest = ''; }
  push(chunk) {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.onLine(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }
  end() { const last = this.rest + this.decoder.end(); if (last.length > 0) this.onLine(last); }
}

async function feed(file, splitter) {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) splitter?.push(chunk);
  splitter?.end();
}

let sink = 0;
const stages = {
  read: (file) => feed(file, null),
  split: (file) => feed(file, new LineSplitter(() => { sink += 1; })),
  strip: (file) => feed(file, new LineSplitter((l) => { sink += stripAnsi(l).length; })),
  classify: async (file) => {
    const c = new RunClassifier(taxonomy, 'serial', 'pytest');
    await feed(file, new LineSplitter((l) => c.line(stripAnsi(l))));
    sink += c.finish({ exitCode: 1, killedBy: null }, []).failures.length;
  },
  "split-str (not flakehunt)": (file) => feed(file, new StringSplitter(() => { sink += 1; })),
  "rules only (not flakehunt)": (file) => feed(file, new LineSplitter((l) => { if (anyRule.test(l)) sink += 1; })),
  "classify on split-str (not flakehunt)": async (file) => {
    const c = new RunClassifier(taxonomy, 'serial', 'pytest');
    await feed(file, new StringSplitter((l) => c.line(stripAnsi(l))));
    sink += c.finish({ exitCode: 1, killedBy: null }, []).failures.length;
  },
};

let bytes = 0;
let lines = 0;
for (const file of logs) await feed(file, new LineSplitter(() => { lines += 1; }));
for (const file of logs) bytes += (await import('node:fs')).statSync(file).size;
const mb = bytes / 1e6;
console.log(`classify breakdown over ${logs.length} logs, ${mb.toFixed(1)} MB, ${lines} lines (best of 2 warm passes per stage)`);
const results = {};
for (const [name, stage] of Object.entries(stages)) {
  results[name] = Infinity;
  for (let pass = 0; pass < 3; pass += 1) {
    const t = performance.now();
    for (const file of logs) await stage(file);
    if (pass > 0) results[name] = Math.min(results[name], (performance.now() - t) / 1000);
  }
  const s = results[name];
  console.log(`  ${name.padEnd(38)} ${s.toFixed(2).padStart(6)} s  ${(mb / s).toFixed(0).padStart(5)} MB/s  ${((s * 1e9) / lines).toFixed(0).padStart(5)} ns/line`);
}
const { read, split, strip, classify } = results;
console.log(`  => of the classify stage: reading ${((read / classify) * 100).toFixed(0)}%, line splitting ${(((split - read) / classify) * 100).toFixed(0)}%, stripAnsi ${(((strip - split) / classify) * 100).toFixed(0)}%, parsing + rules ${(((classify - strip) / classify) * 100).toFixed(0)}%`);
console.log(`RESULT classify-breakdown read_s=${read.toFixed(2)} split_s=${split.toFixed(2)} strip_s=${strip.toFixed(2)} classify_s=${classify.toFixed(2)} splitstr_s=${results['split-str (not flakehunt)'].toFixed(2)} rules_s=${results['rules only (not flakehunt)'].toFixed(2)} classify_splitstr_s=${results['classify on split-str (not flakehunt)'].toFixed(2)} sink=${sink % 7}`);

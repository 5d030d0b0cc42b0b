// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time of the top functions, and
// inclusive time (the function and everything it called) of the top functions of this repository.
//   node bench/profile-summary.mjs <file.cpuprofile> [top=20]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 20);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const short = (url) => url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(dist|src|bench)\//, '$1/');
const nameOf = (n) => {
  const f = n.callFrame;
  if (f.url === '') return f.functionName || '(anonymous)';
  return `${f.functionName || '(anonymous)'} ${short(f.url)}:${f.lineNumber + 1}`;
};
const self = new Map();
const inclusive = new Map();
let total = 0;
for (let i = 0; i < profile.samples.length; i += 1) {
  const dt = profile.timeDeltas[i] / 1000;
  total += dt;
  let n = nodes.get(profile.samples[i]);
  self.set(nameOf(n), (self.get(nameOf(n)) ?? 0) + dt);
  const seen = new Set();
  for (; n !== undefined; n = nodes.get(parent.get(n.id))) {
    const k = nameOf(n);
    if (seen.has(k)) continue; // recursion: count once per sample
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
}
const idle = self.get('(idle)') ?? 0;
const pct = (ms) => `${((ms / (total - idle)) * 100).toFixed(1).padStart(5)}%`;
const label = (k) => (k.length > 110 ? `${k.slice(0, 107)}...` : k);
console.log(`profile ${file}: ${(total / 1000).toFixed(2)} s sampled, ${(idle / 1000).toFixed(2)} s idle; percentages of the busy time`);
console.log('  self time:');
for (const [k, ms] of [...self].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${label(k)}`);
}
console.log('  inclusive time of this repository\'s functions (dist/):');
for (const [k, ms] of [...inclusive].filter(([k]) => / dist\//.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${label(k)}`);
}

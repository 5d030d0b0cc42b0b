// Generates a synthetic seed-script sweep folder for bench/classify-throughput.sh:
//   <out>/serial_bench/runNNN/run.log   ~1 MB of pytest -v console each
//   <out>/serial_bench/runNNN/.exit_code
//   <out>/serial_bench.manifest.json    what each run was built from and the classes it must get
// Each log is a real serial log of test/fixtures/corpus (header, outcome lines, FAILURES section,
// summary, final line, or a crash dump) padded with realistic passing tests before the template's
// own tests: plain `PASSED [ nn%]` lines, tests with pytest live-log blocks (log_cli), SKIPPED and
// XFAIL lines, and a `Captured log call` block in each FAILURES section. Deterministic (seeded).
//   node bench/gen-classify-corpus.mjs <out-dir> [runs=500] [bytes-per-log=1000000]
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = 3;
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.join(repo, 'test/fixtures/corpus');
const outRoot = path.resolve(process.argv[2] ?? path.join(repo, 'bench/out'));
const RUNS = Number(process.argv[3] ?? 500);
const TARGET = Number(process.argv[4] ?? 1_000_000);
const dir = path.join(outRoot, 'serial_bench');
const manifestFile = path.join(outRoot, 'serial_bench.manifest.json');

// Reuse a cached folder made by this generator version with the same parameters.
if (existsSync(manifestFile)) {
  const old = JSON.parse(readFileSync(manifestFile, 'utf8'));
  if (old.version === VERSION && old.runs.length === RUNS && old.target === TARGET && existsSync(path.join(dir, `run${String(RUNS).padStart(3, '0')}`, 'run.log'))) {
    console.log(`cached: ${dir} (${RUNS} runs, generator v${VERSION}); delete ${manifestFile} to regenerate`);
    process.exit(0);
  }
}

let seed = 0x5eed1234;
function random() { // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');

// ---- realistic padding -------------------------------------------------------------------
const MODULES = [
  'tests/router/test_kv_router.py', 'tests/router/test_router_e2e_with_mockers.py', 'tests/router/test_indexer.py',
  'tests/router/test_approx_kv_indexer.py', 'tests/frontend/test_openai_compat.py', 'tests/frontend/test_tokenizer.py',
  'tests/runtime/test_etcd_lease.py', 'tests/runtime/test_nats_transport.py', 'tests/planner/test_scaling.py',
  'tests/kvbm/test_block_manager.py', 'tests/serve/test_disagg.py', 'tests/utils/test_config_parsing.py',
];
const FUNCS = [
  'test_prefix_hit', 'test_block_hash_stable', 'test_route_least_loaded', 'test_overlap_score', 'test_event_ordering',
  'test_lease_renewal', 'test_worker_registration', 'test_stream_cancel', 'test_chat_completion', 'test_tokenize_roundtrip',
  'test_evict_lru', 'test_publish_subscribe', 'test_scale_up_decision', 'test_parse_yaml', 'test_metrics_endpoint',
];
const PARAMS = ['', '[file]', '[nats_core]', '[jetstream-tcp]', '[block-16]', '[block-64-dp2]', '[tp1-dp4]', '[bf16]', '[stream-true]', '[1]', '[2]', '[3]'];
const LOGGERS = ['dynamo.router.kv_router', 'dynamo.runtime.transports.nats', 'dynamo.frontend.http', 'dynamo.kvbm.pool', 'dynamo.planner', 'dynamo.runtime.etcd'];
const MESSAGES = [
  () => `Routing request ${hex(8)}-${hex(4)} to worker ${int(0, 7)} (dp_rank ${int(0, 3)}), overlap ${int(0, 64)} blocks of ${int(1, 128)}`,
  () => `KV event batch applied: ${int(1, 400)} stored, ${int(0, 50)} removed, indexer size ${int(1000, 90000)} blocks`,
  () => `lease ${hex(16)} renewed, ttl=${int(5, 30)}s`,
  () => `POST /v1/chat/completions 200 ${int(3, 900)}ms tokens_in=${int(10, 4000)} tokens_out=${int(1, 512)}`,
  () => `subscribed to namespace.dynamo.component.backend.kv_events.${hex(6)}`,
  () => `worker ${hex(12)} registered at tcp://10.0.${int(0, 9)}.${int(2, 250)}:${int(20000, 40000)}`,
  () => `scheduler tick: active=${int(0, 64)} waiting=${int(0, 16)} kv_usage=${(random()).toFixed(3)}`,
  () => `{"event":"stored","worker_id":${int(0, 7)},"dp_rank":${int(0, 3)},"block_hashes":[${Array.from({ length: int(1, 6) }, () => int(1e8, 9e8)).join(',')}]}`,
];
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARNING'];
let clock = Date.UTC(2026, 4, 12, 5, 17, 27);
function logLine() {
  clock += int(1, 900);
  const t = new Date(clock).toISOString().replace('T', ' ').replace('Z', '');
  return `${t} ${pick(LEVELS).padEnd(8)} ${pick(LOGGERS)}:${pick(['router.py', 'lease.py', 'http.py', 'pool.py'])}:${int(20, 900)} ${pick(MESSAGES)()}`;
}
const percent = (done, total) => `[${String(Math.floor((100 * done) / total)).padStart(3)}%]`;
const withPercent = (text, done, total) => {
  const tail = percent(done, total);
  return `${text}${' '.repeat(Math.max(1, 80 - text.length - tail.length))}${tail}`;
};
const nodeid = () => `${pick(MODULES)}::${pick(FUNCS)}${pick(PARAMS)}`;

/** One padding test as lines; `done`/`total` for the percentage. Returns [lines, outcome]. */
function paddingTest(done, total) {
  const id = nodeid();
  const r = random();
  if (r < 0.72) return [[withPercent(`${id} PASSED`, done, total)], 'passed'];
  if (r < 0.9) {
    const lines = [`${id} `, '-------------------------------- live log call ---------------------------------'];
    for (let k = int(2, 9); k > 0; k -= 1) lines.push(logLine());
    lines.push(withPercent('PASSED', done, total));
    return [lines, 'passed'];
  }
  if (r < 0.97) return [[withPercent(`${id} SKIPPED (${pick(['needs a GPU', 'etcd not available', 'slow test', 'requires vllm'])})`, done, total)], 'skipped'];
  return [[withPercent(`${id} XFAIL (${pick(['known race in indexer', 'flaky upstream'])})`, done, total)], 'xfailed'];
}

function capturedLogBlock() {
  const lines = ['------------------------------ Captured log call -------------------------------'];
  for (let k = int(20, 60); k > 0; k -= 1) lines.push(logLine());
  return lines;
}

// ---- templates ---------------------------------------------------------------------------
function classesOf(expected) {
  return [...new Set(expected.failures.map((f) => f.class))].sort();
}
function loadTemplate(name) {
  const text = readFileSync(path.join(corpus, name, 'run.log'), 'utf8');
  const expected = JSON.parse(readFileSync(path.join(corpus, name, 'expected.json'), 'utf8'));
  return { name, lines: text.replace(/\n$/, '').split('\n'), exitCode: expected.exitCode, classes: classesOf(expected) };
}
const hang = (() => {
  const t = loadTemplate('pass-serial');
  const lines = t.lines.slice(0, 7); // header, blank, 1 passing test
  lines.push('tests/router/test_router_e2e_with_mockers.py::test_router_decisions[jetstream-tcp] ');
  lines.push('-------------------------------- live log call ---------------------------------');
  lines.push('2026-05-12 05:30:01.002 INFO     dynamo.router.kv_router:router.py:88 waiting for 2 workers to register');
  lines.push('[flakehunt] HANG: no output for 15m (--idle-timeout); stopping it. Last output: "2026-05-12 05:30:01.002 INFO     dynamo.router.kv_router:router.py:88 waiting for 2 workers to register"');
  lines.push('[flakehunt] process list and stacks saved to forensics.txt; SIGTERM now, SIGKILL after 10s');
  return { name: 'hang (synthetic A4 marker)', lines, exitCode: 137, classes: ['A4'] };
})();
const T = Object.fromEntries(['pass-serial', 'a1-serial', 'a2-serial', 'a3_signal-serial', 'a3_thread-serial', 'a5-serial', 'abort-serial', 'abort_init-serial', 'unclassified-serial'].map((n) => [n, loadTemplate(n)]));
// One cycle of 20 runs: 30% pass, every failure class of a serial sweep (B1 needs xdist, so a
// serial_ folder cannot show it), crash dumps with no final line, and a harness hang marker.
const CYCLE = [
  'pass-serial', 'a1-serial', 'pass-serial', 'a2-serial', 'a3_signal-serial', 'a5-serial', 'abort-serial', 'unclassified-serial', 'hang', 'a3_thread-serial',
  'pass-serial', 'a1-serial', 'pass-serial', 'a2-serial', 'a3_signal-serial', 'a5-serial', 'abort_init-serial', 'unclassified-serial', 'pass-serial', 'pass-serial',
];

/** Header (through the blank line after "collected"), own test lines, and the rest (sections / crash dump). */
function split(lines) {
  const collected = lines.findIndex((l) => /collected \d+ items/.test(l));
  const bodyStart = collected + 2;
  let rest = lines.findIndex((l, i) => i >= bodyStart && /^={3,}/.test(l));
  if (rest === -1) rest = lines.length;
  // A crash: the body ends in the middle of a test; keep the body as it is.
  return { header: lines.slice(0, bodyStart), body: lines.slice(bodyStart, rest), rest: lines.slice(rest) };
}

function build(template) {
  const { header, body, rest } = split(template.lines);
  const ownTests = body.filter((l) => /\[\s*\d+%\]\s*$/.test(l) || /::\S+ ?$/.test(l) || /::\S+ \S/.test(l)).length;
  // Estimate the number of padding tests from the target size (one test ~ 110 bytes on average).
  const pad = [];
  let bytes = template.lines.join('\n').length + 4000;
  const estimate = Math.round(TARGET / 125);
  const total = estimate + ownTests;
  let counts = { passed: 0, skipped: 0, xfailed: 0 };
  let done = 0;
  while (bytes < TARGET) {
    done += 1;
    const [lines, outcome] = paddingTest(done, total);
    counts[outcome] += 1;
    for (const l of lines) { pad.push(l); bytes += l.length + 1; }
  }
  const collectedTotal = done + ownTests;
  const out = header.map((l) => l.replace(/collected \d+ items/, `collected ${collectedTotal} items`));
  out.push(...pad);
  let own = done;
  for (const l of body) {
    if (/\[\s*\d+%\]\s*$/.test(l)) { own += 1; out.push(l.replace(/\[\s*\d+%\]\s*$/, percent(own, collectedTotal))); } else out.push(l);
  }
  for (const l of rest) {
    if (/^=+ short test summary info =+$/.test(l) && rest.some((x) => /^=+ FAILURES =+$/.test(x))) out.push(...capturedLogBlock());
    const final = /^=+ (.*\b(?:passed|failed)\b.*?) in [\d.]+s =+$/.exec(l);
    if (final) {
      let text = final[1].replace(/(\d+) passed/, (_, n) => `${Number(n) + counts.passed} passed`);
      if (counts.skipped) text += `, ${counts.skipped} skipped`;
      if (counts.xfailed) text += `, ${counts.xfailed} xfailed`;
      const secs = (done * 0.031 + 2).toFixed(2);
      const mid = ` ${text} in ${secs}s (0:${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(Math.floor(secs % 60)).padStart(2, '0')}) `;
      const side = Math.max(3, Math.floor((80 - mid.length) / 2));
      out.push(`${'='.repeat(side)}${mid}${'='.repeat(Math.max(3, 80 - side - mid.length))}`);
      continue;
    }
    out.push(l);
  }
  return `${out.join('\n')}\n`;
}

const t0 = performance.now();
rmSync(dir, { recursive: true, force: true });
rmSync(manifestFile, { force: true });
mkdirSync(dir, { recursive: true });
const runs = [];
let total = 0;
for (let i = 1; i <= RUNS; i += 1) {
  const key = CYCLE[(i - 1) % CYCLE.length];
  const template = key === 'hang' ? hang : T[key];
  const text = build(template);
  const runDir = path.join(dir, `run${String(i).padStart(3, '0')}`);
  mkdirSync(runDir);
  writeFileSync(path.join(runDir, 'run.log'), text);
  writeFileSync(path.join(runDir, '.exit_code'), `${template.exitCode}\n`);
  total += Buffer.byteLength(text);
  runs.push({ iteration: i, template: template.name, exitCode: template.exitCode, classes: template.classes });
}
writeFileSync(manifestFile, `${JSON.stringify({ version: VERSION, target: TARGET, bytes: total, runs }, null, 1)}\n`);
console.log(`generated ${dir}: ${RUNS} runs, ${(total / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

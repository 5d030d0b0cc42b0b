#!/usr/bin/env bash
# Lock contention: 4 flakehunt processes x 25 iterations of a trivial command on ONE sweep folder
# (ranges 1-25, 26-50, 51-75, 76-100; same --tag and --logs-dir; started at once) against one
# process x 100 iterations with --jobs 4. Reports the wall time of each and checks that nothing
# was lost or duplicated: results.txt has exactly 100 `run` lines with 100 distinct run numbers,
# results.jsonl 100 parseable lines (100 distinct iterations), every runNNN/ has exactly one
# result.json, and there is no attempt-* folder. It also reports how long the sweep lock was
# waited for and held (bench/trace-docker.mjs preloaded in a separate, untimed repeat).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROCS=4
PER=25
TOTAL=$((PROCS * PER))
CMD="python3 -c pass"
TAG="lockbench"
ROUNDS="${ROUNDS:-2}"   # best of ROUNDS wall times; every round's folder is verified

require_build
require_image
PIDS=()
scratch_cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
make_scratch lock

echo "== lock contention: $PROCS processes x $PER iterations on one sweep vs 1 process x $TOTAL with --jobs $PROCS"
echo "machine: $(machine_line)"

run_fh() { # logs-dir start end jobs [node options...]
  local logs="$1" s="$2" e="$3" j="$4"; shift 4
  node "$@" "$REPO_DIR/bin/flakehunt.js" run -i "$IMAGE" --command "$CMD" -s "$s" -e "$e" -t "$TAG" \
    --logs-dir "$logs" --no-progress -j "$j" >"$logs.$s.out" 2>"$logs.$s.err"
}

# Four processes at once on one folder. Returns the wall seconds.
four_processes() { # logs-dir [node options...]
  local logs="$1"; shift
  mkdir -p "$logs"
  local t0 t1 k rc=0
  PIDS=()
  t0=$(now_ns)
  for k in $(seq 0 $((PROCS - 1))); do
    run_fh "$logs" $((k * PER + 1)) $(((k + 1) * PER)) 1 "$@" &
    PIDS+=($!)
  done
  for pid in "${PIDS[@]}"; do wait "$pid" || rc=$?; done
  t1=$(now_ns)
  PIDS=()
  [ "$rc" -eq 0 ] || { echo "a flakehunt process exited $rc:" >&2; tail -5 "$logs".*.err >&2; }
  secs "$t0" "$t1"
}

# Checks the sweep folder; prints one line, returns 1 on any loss or duplicate.
verify() { # sweep-dir
  node - "$1" "$TOTAL" <<'EOF'
const fs = require('fs');
const path = require('path');
const [dir, total] = [process.argv[2], Number(process.argv[3])];
const problems = [];
const txt = fs.readFileSync(path.join(dir, 'results.txt'), 'utf8').split('\n').filter((l) => /^run\d+/.test(l));
const txtRuns = new Set(txt.map((l) => Number(/^run(\d+)/.exec(l)[1])));
if (txt.length !== total) problems.push(`results.txt has ${txt.length} run lines`);
if (txtRuns.size !== total) problems.push(`results.txt has ${txtRuns.size} distinct runs`);
const jsonl = fs.readFileSync(path.join(dir, 'results.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
let parsed = 0;
const its = new Set();
for (const l of jsonl) { try { its.add(JSON.parse(l).iteration); parsed++; } catch { problems.push('unparseable results.jsonl line'); } }
if (jsonl.length !== total || parsed !== total) problems.push(`results.jsonl has ${jsonl.length} lines, ${parsed} parseable`);
if (its.size !== total) problems.push(`results.jsonl has ${its.size} distinct iterations`);
const runDirs = fs.readdirSync(dir).filter((n) => /^run\d+$/.test(n));
if (runDirs.length !== total) problems.push(`${runDirs.length} runNNN folders`);
let attempts = 0;
let passed = 0;
for (const r of runDirs) {
  const names = fs.readdirSync(path.join(dir, r));
  const results = names.filter((n) => n === 'result.json').length;
  if (results !== 1) problems.push(`${r} has ${results} result.json`);
  attempts += names.filter((n) => /^attempt-/.test(n)).length;
  try { if (JSON.parse(fs.readFileSync(path.join(dir, r, 'result.json'), 'utf8')).status === 'passed') passed++; } catch { problems.push(`${r}/result.json unreadable`); }
}
if (attempts > 0) problems.push(`${attempts} attempt-* folders`);
for (let i = 1; i <= total; i++) if (!txtRuns.has(i)) { problems.push(`run${String(i).padStart(3, '0')} missing`); break; }
console.log(problems.length === 0
  ? `ok: ${txt.length} run lines / ${txtRuns.size} distinct in results.txt, ${parsed} parseable results.jsonl lines, ${runDirs.length} runNNN with one result.json each (${passed} passed), 0 attempt-*`
  : `PROBLEMS: ${problems.join('; ')}`);
process.exit(problems.length === 0 ? 0 : 1);
EOF
}

# Warm-up.
run_fh "$TMP/warmup" 1 2 2 || true
rm -rf "$TMP"/warmup*

multi_s="" single_s="" multi_ok=yes single_ok=yes
for round in $(seq "$ROUNDS"); do
  s=$(four_processes "$TMP/multi$round"); keep_min multi_s "$s"
  multi_check=$(verify "$TMP/multi$round/serial_$TAG") || multi_ok=NO
  echo "round $round: $PROCS processes ${s}s: $multi_check"

  mkdir -p "$TMP/single$round"
  t0=$(now_ns)
  run_fh "$TMP/single$round" 1 "$TOTAL" "$PROCS" || echo "the --jobs $PROCS process failed: $(tail -3 "$TMP/single$round.1.err")" >&2
  t1=$(now_ns)
  s=$(secs "$t0" "$t1"); keep_min single_s "$s"
  single_check=$(verify "$TMP/single$round/serial_$TAG") || single_ok=NO
  echo "round $round: 1 process --jobs $PROCS ${s}s: $single_check"
  rm -rf "$TMP/multi$round" "$TMP/single$round"
done

# Untimed repeat of the 4-process case with the tracing preload: sweep-lock waits and hold times.
export FLAKEHUNT_TRACE="$TMP/trace.jsonl"
traced_s=$(four_processes "$TMP/traced" --import "$BENCH_DIR/trace-docker.mjs")
unset FLAKEHUNT_TRACE
lockstats=$(node -e '
  const fs = require("fs");
  const rows = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const pick = (kind, lock) => rows.filter((r) => r.kind === kind && lock.test(r.lock)).map((r) => r.ms).sort((a, b) => a - b);
  const q = (xs, p) => xs.length ? xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] : 0;
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const wait = pick("lock", /^\.sweep\.lock$/), held = pick("held", /^\.sweep\.lock$/);
  console.log(`sweep lock taken ${wait.length} times: wait median ${q(wait, 0.5).toFixed(1)} ms, p95 ${q(wait, 0.95).toFixed(1)} ms, max ${q(wait, 1).toFixed(0)} ms, total ${(sum(wait) / 1000).toFixed(2)} s; held median ${q(held, 0.5).toFixed(1)} ms, p95 ${q(held, 0.95).toFixed(1)} ms, total ${(sum(held) / 1000).toFixed(2)} s`);
' "$TMP/trace.jsonl" 2>/dev/null || echo "no trace")

echo
printf '%-44s %9s %12s  %s\n' "what (best of $ROUNDS)" "wall s" "s/iteration" "files (every round)"
printf '%-44s %9s %12s  %s\n' "$PROCS processes x $PER iterations, one folder" "$multi_s" "$(calc "$multi_s / $TOTAL")" "$([ "$multi_ok" = yes ] && echo "all checks ok" || echo "PROBLEMS, see above")"
printf '%-44s %9s %12s  %s\n' "1 process x $TOTAL, --jobs $PROCS" "$single_s" "$(calc "$single_s / $TOTAL")" "$([ "$single_ok" = yes ] && echo "all checks ok" || echo "PROBLEMS, see above")"
echo
echo "4 processes / 1 process --jobs 4 = $(ratio "$multi_s" "$single_s")"
echo "traced 4-process repeat (${traced_s} s): $lockstats"
echo "zero lost or duplicated lines: 4 processes $multi_ok, --jobs 4 $single_ok"
echo
# What the sweep lock's hold time grows with: every recorded result re-reads all result.json files.
node "$BENCH_DIR/record-scaling.mjs" "${RECORD_SIZES:-100,1000,5000}"
echo "RESULT lock-contention multi_s=$multi_s single_s=$single_s ratio=$(ratio "$multi_s" "$single_s") multi_ok=$multi_ok single_ok=$single_ok"

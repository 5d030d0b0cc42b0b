#!/usr/bin/env bash
# Classification throughput: `flakehunt classify` over a 500-run seed-script sweep folder of ~1 MB
# pytest -v logs (bench/gen-classify-corpus.mjs, cached in bench/out/) against
# `grep -E -c -f <taxonomy patterns as ERE>` over the same files.
# The page cache cannot be dropped here, so each tool runs twice and the warm second run counts.
# Before each flakehunt run its outputs (result.json, results.*, summary.txt) are removed, so both
# runs do the whole job (classify + write 500 result.json + the sweep files).
# Goal: flakehunt's time within 3x of grep's (the faster of LC_ALL=C and C.UTF-8 grep).
# PROFILE=1 adds an untimed run under `node --cpu-prof` and prints where the CPU time went.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS="${RUNS:-500}"
BYTES_PER_LOG="${BYTES_PER_LOG:-1000000}"
OUT="$BENCH_DIR/out"
SWEEP="$OUT/serial_bench"
require_build
mkdir -p "$OUT"
clear_outputs() { rm -f "$SWEEP"/run*/result.json "$SWEEP"/results.txt "$SWEEP"/results.jsonl "$SWEEP"/summary.txt; rm -rf "$SWEEP"/.sweep.lock; }
scratch_cleanup() { clear_outputs 2>/dev/null || true; }
make_scratch classify

echo "== classify throughput: $RUNS runs x ~$BYTES_PER_LOG bytes of pytest -v output"
echo "machine: $(machine_line)"
node "$BENCH_DIR/gen-classify-corpus.mjs" "$OUT" "$RUNS" "$BYTES_PER_LOG"
node "$BENCH_DIR/taxonomy-to-ere.mjs" "$REPO_DIR/templates/taxonomy/dynamo-router.json" "$TMP/taxonomy.ere"
LOGS=("$SWEEP"/run*/run.log)
BYTES=$(cat "${LOGS[@]}" | wc -c)
LINES=$(cat "${LOGS[@]}" | wc -l)
MB=$(calc "$BYTES / 1000000")
echo "input: ${#LOGS[@]} logs, $MB MB, $LINES lines"

time_fh() {
  clear_outputs
  local t0 t1
  t0=$(now_ns)
  "${FLAKEHUNT[@]}" classify "$SWEEP" >"$TMP/classify.out" 2>"$TMP/classify.err" || { cat "$TMP/classify.err" >&2; exit 1; }
  t1=$(now_ns)
  secs "$t0" "$t1"
}
time_grep() { # locale
  local t0 t1
  t0=$(now_ns)
  LC_ALL="$1" grep -E -c -f "$TMP/taxonomy.ere" "${LOGS[@]}" >"$TMP/grep.$1.out" || true
  t1=$(now_ns)
  secs "$t0" "$t1"
}

grep_c1=$(time_grep C); grep_c=$(time_grep C)
grep_u1=$(time_grep C.UTF-8); grep_u=$(time_grep C.UTF-8)
fh1=$(time_fh); fh=$(time_fh)
matches=$(awk -F: '{ s += $NF } END { print s }' "$TMP/grep.C.out")

# flakehunt must also be right: every run gets the classes its template has.
check=$(node -e '
  const fs = require("fs");
  const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const got = new Map(fs.readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse).map((r) => [r.iteration, r]));
  let ok = 0; const bad = [];
  for (const e of m.runs) { const r = got.get(e.iteration); if (r && r.classes.join() === e.classes.join()) ok++; else bad.push(`run${e.iteration}: want ${e.classes} got ${r ? r.classes : "none"}`); }
  const classes = new Set(m.runs.flatMap((e) => e.classes));
  console.log(`${ok}/${m.runs.length} runs classified as expected (classes present: ${[...classes].sort().join(" ")})${bad.length ? "; e.g. " + bad.slice(0, 3).join("; ") : ""}`);
' "$OUT/serial_bench.manifest.json" "$SWEEP/results.jsonl")

best_grep=$(awk -v a="$grep_c" -v b="$grep_u" 'BEGIN { print (a < b) ? a : b }')
mbs() { calc "$MB / $1"; }
echo
printf '%-44s %9s %9s %9s\n' "what" "run 1 s" "run 2 s" "MB/s (2)"
printf '%-44s %9s %9s %9s\n' "grep -E -c -f taxonomy.ere (LC_ALL=C)" "$grep_c1" "$grep_c" "$(mbs "$grep_c")"
printf '%-44s %9s %9s %9s\n' "grep -E -c -f taxonomy.ere (LC_ALL=C.UTF-8)" "$grep_u1" "$grep_u" "$(mbs "$grep_u")"
printf '%-44s %9s %9s %9s\n' "flakehunt classify serial_bench" "$fh1" "$fh" "$(mbs "$fh")"
echo
r=$(ratio "$fh" "$best_grep")
echo "grep matched $matches lines; flakehunt: $check"
echo "flakehunt / grep time = $r  (goal <= 3.00: $(met "$r" '<=' 3.00))"
echo "flakehunt CLI start-up alone: $(t0=$(now_ns); "${FLAKEHUNT[@]}" --version >/dev/null; t1=$(now_ns); secs "$t0" "$t1") s"
echo
# Where the time goes, stage by stage, on a subset of the same logs (in one process).
node "$BENCH_DIR/classify-breakdown.mjs" "$SWEEP" "${BREAKDOWN_LOGS:-60}"
if [ "${PROFILE:-0}" = 1 ]; then
  # One more (untimed) run under the V8 profiler, summarised.
  clear_outputs
  node --cpu-prof --cpu-prof-dir="$TMP/prof" "$REPO_DIR/bin/flakehunt.js" classify "$SWEEP" >/dev/null
  node "$BENCH_DIR/profile-summary.mjs" "$TMP"/prof/*.cpuprofile 20
fi
echo "RESULT classify-throughput mb=$MB grep_s=$best_grep grep_mbs=$(mbs "$best_grep") flakehunt_s=$fh flakehunt_mbs=$(mbs "$fh") ratio=$r"

#!/usr/bin/env bash
# Huge console output: one flakehunt iteration whose container prints 2 GiB of 1 KiB lines to
# stdout (1 MiB writes) and then a sentinel line, run under /usr/bin/time -v.
# Reports flakehunt's peak RSS (goal < 200 MB), throughput, and checks that run.log is complete
# (its size equals the bytes printed and its last line is the sentinel). For reference it also
# times `docker run --rm --init` writing the same output to a file (what the daemon delivers),
# and flakehunt's peak RSS for a trivial iteration (its floor).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GIB="${GIB:-2}"
CHUNKS=$((GIB * 1024))
SENTINEL="FLAKEHUNT-BENCH-SENTINEL end of $GIB GiB"
EXPECTED=$((CHUNKS * 1024 * 1024 + ${#SENTINEL} + 1))
PY="import sys; line=b\"x\"*1023+b\"\\n\"; chunk=line*1024; w=sys.stdout.buffer.write; [w(chunk) for _ in range($CHUNKS)]; w(b\"$SENTINEL\\n\"); sys.stdout.flush()"
TAG="bench$$"

require_build
require_image
if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (apt-get install -y time)"
  apt-get install -y time >/dev/null
fi
make_scratch hugelog "$TAG"

echo "== huge log: one iteration printing $GIB GiB ($EXPECTED bytes) to stdout"
echo "machine: $(machine_line)"
free_gb=$(df -P "$TMP" | awk 'NR == 2 { printf "%d", $4 / 1048576 }')
[ "$free_gb" -ge $((GIB * 3 + 1)) ] || { echo "need $((GIB * 3 + 1)) GB free under $TMP (and the daemon's json-file log), have $free_gb" >&2; exit 3; }

peak_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

# Floor: flakehunt's own peak RSS for a trivial iteration.
/usr/bin/time -v "${FLAKEHUNT[@]}" run -i "$IMAGE" --command "python3 -c pass" -s 1 -e 1 --logs-dir "$TMP/floor" --no-progress >/dev/null 2>"$TMP/floor.time"
floor_mb=$(calc "$(peak_kb "$TMP/floor.time") / 1024")

# Reference: the docker CLI writing the same output to a file.
t0=$(now_ns)
docker run --rm --init --label "flakehunt-bench=$TAG" "$IMAGE" python3 -c "$PY" >"$TMP/docker-cli.log"
t1=$(now_ns)
cli_s=$(secs "$t0" "$t1")
cli_bytes=$(stat -c %s "$TMP/docker-cli.log")
rm -f "$TMP/docker-cli.log"

# flakehunt.
t0=$(now_ns)
set +e
/usr/bin/time -v "${FLAKEHUNT[@]}" run -i "$IMAGE" --command "python3 -c '$PY'" -s 1 -e 1 --logs-dir "$TMP/logs" --no-progress \
  >"$TMP/flakehunt.out" 2>"$TMP/flakehunt.time" &
time_pid=$!
# Sample the node process's RSS every 0.2 s, to tell in which phase the peak happens.
( node_pid=""
  for _ in $(seq 50); do node_pid=$(pgrep -P "$time_pid" node || true); [ -n "$node_pid" ] && break; sleep 0.1; done
  while [ -n "$node_pid" ] && [ -r "/proc/$node_pid/status" ]; do
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$node_pid/status" 2>/dev/null || true)
    [ -n "$rss" ] && echo "$(now_ns) $rss"
    sleep 0.2
  done ) >"$TMP/rss.samples" 2>/dev/null &
sampler_pid=$!
wait "$time_pid"
rc=$?
wait "$sampler_pid" 2>/dev/null
set -e
t1=$(now_ns)
fh_s=$(secs "$t0" "$t1")
LOG="$TMP/logs/serial/run001/run.log"
[ "$rc" -eq 0 ] || { echo "flakehunt exited $rc:" >&2; tail -20 "$TMP/flakehunt.time" >&2; }
size=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
last=$(tail -n 1 "$LOG" 2>/dev/null || true)
lines=$(wc -l <"$LOG")
# Phases: run.log's last write ends the streaming; classification of the log comes after.
log_done_ns=$(stat -c '%.9Y' "$LOG" | tr -d '.')
stream_s=$(secs "$t0" "$log_done_ns")
after_s=$(secs "$log_done_ns" "$t1")
peak_mb=$(calc "$(peak_kb "$TMP/flakehunt.time") / 1024")
read -r stream_peak after_peak < <(awk -v cut="$log_done_ns" '{ if ($1 <= cut) { if ($2 > a) a = $2 } else { if ($2 > b) b = $2 } } END { printf "%.0f %.0f\n", a / 1024, b / 1024 }' "$TMP/rss.samples")
cpu_s=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", u + s }' "$TMP/flakehunt.time")
status=$(node -e 'const r = require(process.argv[1]); console.log(`${r.status} exit ${r.exitCode}`)' "$TMP/logs/serial/run001/result.json" 2>/dev/null || echo "no result.json")

complete="NO"
[ "$size" -eq "$EXPECTED" ] && [ "$last" = "$SENTINEL" ] && [ "$lines" -eq $((CHUNKS * 1024 + 1)) ] && complete="yes"
MB=$(calc "$EXPECTED / 1000000")
echo
printf '%-52s %s\n' "flakehunt peak RSS ($GIB GiB iteration)" "$peak_mb MB   (trivial iteration: $floor_mb MB)"
printf '%-52s %s\n' "  sampled peak while streaming / while classifying" "$stream_peak MB / $after_peak MB"
printf '%-52s %s\n' "flakehunt wall time / CPU (user+sys)" "${fh_s} s / ${cpu_s} s  -> $(calc "$MB / $fh_s") MB/s end to end"
printf '%-52s %s\n' "  streaming phase (start -> run.log complete)" "${stream_s} s -> $(calc "$MB / $stream_s") MB/s"
printf '%-52s %s\n' "  after the log: exit, result files, container removal" "${after_s} s"
printf '%-52s %s\n' "docker run --rm --init > file (reference)" "${cli_s} s -> $(calc "$MB / $cli_s") MB/s ($cli_bytes bytes)"
printf '%-52s %s\n' "run.log" "$size bytes (expected $EXPECTED), $lines lines, last line \"$last\""
printf '%-52s %s\n' "iteration result" "$status"
echo
echo "peak RSS < 200 MB: $(met "$peak_mb" '<' 200)   log complete: $complete   streaming vs docker CLI: $(ratio "$stream_s" "$cli_s")x the time"
node "$BENCH_DIR/command-mode-breakdown.mjs" "$GIB"
echo "RESULT huge-log-memory peak_rss_mb=$peak_mb floor_rss_mb=$floor_mb stream_peak_mb=$stream_peak classify_peak_mb=$after_peak total_s=$fh_s total_mbs=$(calc "$MB / $fh_s") stream_s=$stream_s stream_mbs=$(calc "$MB / $stream_s") classify_after_s=$after_s cli_s=$cli_s cli_mbs=$(calc "$MB / $cli_s") complete=$complete"

#!/usr/bin/env bash
# Runs every flakehunt benchmark in order (build first: `npm run bench` does both).
# Output goes to the terminal and to bench/out/run-all-<date>.log; the RESULT lines of the last
# run are also gathered in bench/out/latest-results.txt (bench/out/ is git-ignored).
# Needs: Docker with the image flakehunt-pytest:bookworm, ~6 GB free disk, a few minutes.
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"
mkdir -p "$BENCH_DIR/out"
LOG="$BENCH_DIR/out/run-all-$(date -u +%Y%m%dT%H%M%SZ).log"
MARK="$(mktemp "$BENCH_DIR/out/.start.XXXXXX")"
trap 'rm -f "$MARK"' EXIT
{
  echo "flakehunt benchmarks — $(machine_line)"
  echo "kernel $(uname -sr); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "code: commit $(git -C "$REPO_DIR" log -1 --format='%h (%ad) %s' --date=iso 2>/dev/null || echo '?'); uncommitted files under src/: $(git -C "$REPO_DIR" status --porcelain -- src 2>/dev/null | wc -l); dist/ built $(date -u -r "$REPO_DIR/dist/bundle/main.js" '+%Y-%m-%d %H:%M:%S UTC' 2>/dev/null || echo never)"
  for bench in harness-overhead.sh classify-throughput.sh huge-log-memory.sh lock-contention.sh summary-cost.mjs hunt-power.mjs; do
    echo
    echo "################ $bench ($(date -u +%H:%M:%S) UTC)"
    t0=$(now_ns)
    case "$bench" in
      *.mjs) node "$BENCH_DIR/$bench" ;;
      *) bash "$BENCH_DIR/$bench" ;;
    esac || echo "!! $bench failed with exit code $?"
    echo "################ $bench took $(secs "$t0" "$(now_ns)") s"
  done
  echo
  changed=$(find "$REPO_DIR/dist" -newer "$MARK" -type f 2>/dev/null | wc -l)
  [ "$changed" -eq 0 ] && echo "dist/ unchanged during the run" ||
    echo "WARNING: $changed file(s) of dist/ were rebuilt during the run (someone else built): figures may mix code versions"
} 2>&1 | tee "$LOG"
status=0
grep -q '^!! ' "$LOG" && status=1
{ echo "# $(machine_line)"; grep '^RESULT ' "$LOG"; } >"$BENCH_DIR/out/latest-results.txt"
echo
echo "log: $LOG; figures: $BENCH_DIR/out/latest-results.txt"
exit "$status"

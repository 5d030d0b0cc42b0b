#!/usr/bin/env bash
# Harness overhead: N iterations of a trivial command, each in a fresh container.
#   flakehunt --jobs 1 / --jobs 2   vs   a plain shell loop of `docker run --rm --init`   vs
#   `seq N | xargs -P 2 docker run --rm --init`.
# The baselines use --init because flakehunt runs every container with HostConfig.Init=true by
# default; without it the baselines would skip starting docker-init and look slightly cheaper.
# Goals: flakehunt -j1 no slower than the shell loop; flakehunt -j2 at least as fast as xargs -P 2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-40}"
ROUNDS="${ROUNDS:-6}"   # best of; median, geometric mean and 95 % interval of paired ratios over ROUNDS
CMD=(python3 -c pass)
TAG="bench$$"

require_build
require_image
make_scratch overhead "$TAG"

docker_one() { docker run --rm --init --label "flakehunt-bench=$TAG" "$IMAGE" "${CMD[@]}" >/dev/null; }
export -f docker_one
export IMAGE TAG

flakehunt_sweep() { # jobs logs-dir
  "${FLAKEHUNT[@]}" run -i "$IMAGE" --command "${CMD[*]}" -s 1 -e "$N" --logs-dir "$2" --no-progress -j "$1" >/dev/null 2>"$2.stderr" || {
    echo "flakehunt run -j $1 failed:" >&2; cat "$2.stderr" >&2; exit 1; }
  local passed
  passed="$(grep -c 'PASSED' "$2/serial/results.txt" || true)"
  [ "$passed" -eq "$N" ] || { echo "flakehunt -j $1: only $passed/$N iterations passed" >&2; exit 1; }
}

echo "== harness overhead: $N iterations of \`${CMD[*]}\` in fresh containers ($IMAGE)"
echo "machine: $(machine_line)"
echo "baselines run \`docker run --rm --init\`: flakehunt starts every container with HostConfig.Init=true (docker-init as PID 1) unless --no-init, so the baselines pay for the same init process"

others=$(docker ps -q | wc -l)
[ "$others" -eq 0 ] || echo "note: $others other container(s) running on this daemon: figures may be noisy"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# Warm-up: image layers, docker-init, node's module cache, the daemon's first-container costs.
docker_one
seq 2 | xargs -P 2 -I{} bash -c docker_one
N_SAVE="$N"; N=2; flakehunt_sweep 1 "$TMP/warmup1"; flakehunt_sweep 2 "$TMP/warmup2"; N="$N_SAVE"
rm -rf "$TMP"/warmup*

best_loop="" best_xargs="" best_fh1="" best_fh2=""

ratios1=() ratios2=()
docker_loop() { for _ in $(seq "$N"); do docker_one; done; }
docker_xargs() { seq "$N" | xargs -P 2 -I{} bash -c docker_one; }
run_loop() { settle; timed loop best_loop docker_loop; }
run_xargs() { settle; timed xargs_s best_xargs docker_xargs; }
run_fh1() { settle; timed fh1 best_fh1 flakehunt_sweep 1 "$TMP/j1-$round"; }
run_fh2() { settle; timed fh2 best_fh2 flakehunt_sweep 2 "$TMP/j2-$round"; }

for round in $(seq "$ROUNDS"); do
  # Each ratio compares two runs made one right after the other, and the one that goes first
  # alternates: odd rounds run the baseline first, even rounds flakehunt first.
  if [ $((round % 2)) -eq 1 ]; then order="loop, -j1, xargs, -j2"; run_loop; run_fh1; run_xargs; run_fh2
  else order="-j2, xargs, -j1, loop"; run_fh2; run_xargs; run_fh1; run_loop; fi
  ratios1+=("$(ratio "$fh1" "$loop")"); ratios2+=("$(ratio "$fh2" "$xargs_s")")
  echo "round $round ($order): shell loop ${loop}s, xargs -P2 ${xargs_s}s, flakehunt -j1 ${fh1}s, flakehunt -j2 ${fh2}s; -j1/loop ${ratios1[-1]}, -j2/xargs ${ratios2[-1]}"
done

# Where flakehunt's time goes inside an iteration: durationMs (container started -> exited and
# classified) against the wall time per iteration.
inner_ms() { node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const ms = lines.map((r) => r.durationMs);
  console.log((ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(0));' "$1"; }
fh1_inner=$(inner_ms "$TMP/j1-1/serial/results.jsonl")
fh2_inner=$(inner_ms "$TMP/j2-1/serial/results.jsonl")

per() { calc "$1 / $N"; }
echo
printf '%-34s %10s %14s\n' "what" "total s" "s / iteration"
printf '%-34s %10s %14s\n' "shell loop: docker run --rm --init" "$best_loop" "$(per "$best_loop")"
printf '%-34s %10s %14s\n' "xargs -P 2: docker run --rm --init" "$best_xargs" "$(per "$best_xargs")"
printf '%-34s %10s %14s\n' "flakehunt run -j 1" "$best_fh1" "$(per "$best_fh1")"
printf '%-34s %10s %14s\n' "flakehunt run -j 2" "$best_fh2" "$(per "$best_fh2")"
echo
r1=$(ratio "$best_fh1" "$best_loop")
r2=$(ratio "$best_fh2" "$best_xargs")
m1=$(median "${ratios1[@]}")
m2=$(median "${ratios2[@]}")
read -r g1 lo1 hi1 v1 < <(ratio_ci "${ratios1[@]}")
read -r g2 lo2 hi2 v2 < <(ratio_ci "${ratios2[@]}")
echo "flakehunt -j1 / shell loop = $r1 best of $ROUNDS, $m1 median of the rounds' ratios  (goal <= 1.00: best $(met "$r1" '<=' 1.00), median $(met "$m1" '<=' 1.00))"
echo "   paired rounds: geometric mean $g1, 95 % interval $lo1-$hi1: $v1"
echo "flakehunt -j2 / xargs -P 2 = $r2 best of $ROUNDS, $m2 median of the rounds' ratios  (goal <= 1.00: best $(met "$r2" '<=' 1.00), median $(met "$m2" '<=' 1.00))"
echo "   paired rounds: geometric mean $g2, 95 % interval $lo2-$hi2: $v2"
echo "flakehunt -j2 speed-up over -j1 = $(ratio "$best_fh1" "$best_fh2"); xargs -P2 over loop = $(ratio "$best_loop" "$best_xargs")"
echo "mean durationMs recorded per iteration (start->exit, inside the wall time): -j1 ${fh1_inner} ms, -j2 ${fh2_inner} ms"
[ "$ROUNDS" -gt 1 ] && echo "(totals are the best of $ROUNDS rounds; odd rounds run loop, -j1, xargs, -j2, even rounds the reverse; each run waits for idle CPUs first)"
echo "flakehunt -j1 against the shell loop: $(calc "($best_fh1 - $best_loop) * 1000 / $N") ms per iteration (negative: faster); where a Docker iteration's time goes:"
echo
node "$BENCH_DIR/docker-api-probe.mjs" "${PROBE_N:-8}" "$IMAGE"
echo
echo "what limits -j 2 (flakehunt and xargs alike): can the daemon start two containers at once?"
node "$BENCH_DIR/start-concurrency-probe.mjs" "${PROBE_N:-8}" "$IMAGE"
echo "RESULT harness-overhead loop_s_per_it=$(per "$best_loop") xargs_s_per_it=$(per "$best_xargs") fh_j1_s_per_it=$(per "$best_fh1") fh_j2_s_per_it=$(per "$best_fh2") j1_vs_loop=$r1 j2_vs_xargs=$r2 j1_vs_loop_median=$m1 j2_vs_xargs_median=$m2 j1_vs_loop_ci=$lo1-$hi1 j2_vs_xargs_ci=$lo2-$hi2 j1_verdict=$v1 j2_verdict=$v2"

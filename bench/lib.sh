# Shared helpers for the flakehunt benchmarks (sourced, not run).
# shellcheck shell=bash

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
FLAKEHUNT=(node "$REPO_DIR/bin/flakehunt.js")
IMAGE="${FLAKEHUNT_BENCH_IMAGE:-flakehunt-pytest:bookworm}"

# Nanoseconds since the epoch.
now_ns() { date +%s%N; }

# Seconds (3 decimals) between two now_ns readings.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# keep_min VAR VALUE: sets VAR to VALUE when VAR is empty or VALUE is smaller (best-of rounds).
keep_min() { if [ -z "${!1}" ] || awk -v a="$2" -v b="${!1}" 'BEGIN { exit !(a < b) }'; then printf -v "$1" '%s' "$2"; fi; }

# timed VAR BEST command…: runs the command, sets VAR to its seconds and keeps BEST at the minimum.
timed() {
  local var="$1" best="$2" t0; shift 2
  t0=$(now_ns)
  "$@"
  printf -v "$var" '%s' "$(secs "$t0" "$(now_ns)")"
  keep_min "$best" "${!var}"
}

# The median of the numbers given (2 decimals when it falls between two).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : sprintf("%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# The geometric mean of paired ratios and its 95 % confidence interval (Student's t on their logs),
# then a verdict on a "<= 1.00" goal: "faster" when the whole interval is under 1, "slower" when it
# is over 1, otherwise "level" (this run cannot tell the two apart). Prints: mean low high verdict.
ratio_ci() {
  printf '%s\n' "$@" | awk '
    { x[NR] = log($1); sum += x[NR] }
    END {
      n = NR; m = sum / n
      for (i = 1; i <= n; i++) ss += (x[i] - m) ^ 2
      split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131", t, " ")
      h = (n > 1) ? ((n - 1 <= 15) ? t[n - 1] : 2.0) * sqrt(ss / (n - 1) / n) : 0
      lo = exp(m - h); hi = exp(m + h)
      printf "%.3f %.3f %.3f %s\n", exp(m), lo, hi, (hi < 1) ? "faster" : (lo > 1) ? "slower" : "level"
    }'
}

# a / b with 2 decimals (or "n/a" when b is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

# Float arithmetic: calc "1.5 * 2".
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }

# yes/no: is "$1 $2 $3" (e.g. "1.2 <= 1.5") true?
met() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
  r = (op == "<=") ? a <= b : (op == "<") ? a < b : (op == ">=") ? a >= b : (op == ">") ? a > b : (a == b);
  print r ? "yes" : "NO" }'; }

# Waits until the CPUs are nearly idle (under 10 % busy over a quarter second), at most 5 s, so a
# run does not pay for the daemon and kernel still tearing down the previous run's containers
# (network namespaces are destroyed asynchronously after a container has gone).
cpu_ticks() { awk '/^cpu / { print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8 }' /proc/stat; } # busy, all
settle() {
  local deadline=$(( $(date +%s) + 5 )) a b
  while [ "$(date +%s)" -lt "$deadline" ]; do
    a=$(cpu_ticks)
    sleep 0.25
    b=$(cpu_ticks)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; exit !(t > 0 && (y[1] - x[1]) / t < 0.10) }' && return 0
  done
}

# One line naming the machine the figures come from.
machine_line() {
  local cpu mem dockerv
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  mem="$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  dockerv="$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
  echo "nproc $(nproc), $mem RAM, CPU \"$cpu\", docker server $dockerv, node $(node --version), $(date -u '+%Y-%m-%d %H:%M UTC')"
}

require_image() {
  if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "image $IMAGE is missing: build it with templates/image/build-pytest-image.sh" >&2
    exit 3
  fi
}

require_build() {
  if [ ! -f "$REPO_DIR/dist/bundle/main.js" ]; then
    echo "dist/ is missing: run npm run build (or npm run bench)" >&2
    exit 2
  fi
}

# Removes the containers flakehunt created for sweep folders under $1 (found by their
# dev.flakehunt.dir label, so nobody else's containers are touched).
remove_flakehunt_containers_under() {
  local root="$1" id dir
  for id in $(docker ps -aq --filter label=dev.flakehunt 2>/dev/null); do
    dir="$(docker inspect --format '{{ index .Config.Labels "dev.flakehunt.dir" }}' "$id" 2>/dev/null || true)"
    case "$dir" in "$root"/*) docker rm -f "$id" >/dev/null 2>&1 || true ;; esac
  done
}

# Removes baseline containers started with --label "flakehunt-bench=$1".
remove_labelled_containers() {
  local ids
  ids="$(docker ps -aq --filter "label=flakehunt-bench=$1" 2>/dev/null || true)"
  [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1 || true
}

# Makes the scratch folder $TMP (/tmp/flakehunt-bench-<name>.*) and, on exit or interrupt, removes
# it with every container started for it: flakehunt's (by their dev.flakehunt.dir label) and the
# baselines labelled flakehunt-bench=<label>, when a label is given.
make_scratch() { # name [baseline-label]
  TMP="$(mktemp -d "/tmp/flakehunt-bench-$1.XXXXXX")"
  SCRATCH_LABEL="${2:-}"
  trap remove_scratch EXIT
  trap 'exit 130' INT TERM
}
remove_scratch() {
  # A script's own clean-up (stop its background processes, …), if it defines one.
  if declare -F scratch_cleanup >/dev/null; then scratch_cleanup; fi
  remove_flakehunt_containers_under "$TMP"
  if [ -n "$SCRATCH_LABEL" ]; then remove_labelled_containers "$SCRATCH_LABEL"; fi
  rm -rf "$TMP"
}

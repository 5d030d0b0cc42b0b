#!/usr/bin/env bash
# The README's demo: a real hunt on the bundled demo suite's flaky tests (flaky/: an order-dependent
# pair, a producer/consumer race with a 50 ms deadline, a client with a 50 ms socket timeout), in
# fresh containers two at a time. The hunt spends its iterations where the failures show (CPU
# starvation, stalls, test order…) until it has three reproductions, then names the conditions that
# reproduce them best and how to replay them; then an HTML report. Extra arguments go to
# `flakehunt hunt` (e.g. --budget 60, --target A1, --matrix …).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash bin/setup-machine.sh
[ -f dist/bundle/main.js ] || npm run build
suite="$PWD/templates/demo-suite"
set +e
node bin/flakehunt.js hunt -i flakehunt-pytest:bookworm \
  --mount "$suite/flaky:/suite:ro" --workdir /suite --pytest-nodeid . --pytest-args '-p no:cacheprovider' \
  --budget 40 -j 2 -t demo --timeout 5m --idle-timeout 1m "$@"
status=$?
set -e
# Exit 1 only means the flake was reproduced, which is what the demo is for.
if [ "$status" -gt 1 ]; then exit "$status"; fi
sweep=$(ls -td logs/hunt_demo* | head -n 1)
node bin/flakehunt.js report "$sweep"
echo "Next: node bin/flakehunt.js replay $sweep/runNNN -n 10 · status $sweep · report --junit demo.xml $sweep"

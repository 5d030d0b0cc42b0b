#!/usr/bin/env bash
# The README's demo: a real stress sweep of the bundled demo suite, 20 iterations in fresh
# containers two at a time, then its summary and an HTML report. Extra arguments go to
# `flakehunt run` (e.g. -e 100, -p 2 for pytest-xdist, --until-fail).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash bin/setup-machine.sh
[ -f dist/cli/main.js ] || npm run build
suite="$PWD/templates/demo-suite"
set +e
node bin/flakehunt.js run -i flakehunt-pytest:bookworm \
  --mount "$suite:/suite:ro" --workdir /suite --pytest-nodeid tests \
  -s 1 -e 20 -j 2 -t demo --timeout 5m --idle-timeout 1m "$@"
status=$?
set -e
# Exit 1 only means some iterations failed, which the demo suite does on purpose.
if [ "$status" -gt 1 ]; then exit "$status"; fi
# The newest *_demo folder: serial_demo, or n2_demo with -p 2.
sweep=$(ls -td logs/*_demo | head -n 1)
node bin/flakehunt.js report "$sweep"
echo "Next: node bin/flakehunt.js status $sweep · classify $sweep · compare $sweep <another sweep>"

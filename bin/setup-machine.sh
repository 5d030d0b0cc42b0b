#!/usr/bin/env bash
# Makes this machine ready for flakehunt's demo and tests: installs a Docker engine (Debian's
# docker.io) and debootstrap if missing, starts dockerd if no daemon answers, and builds the
# offline test image flakehunt-pytest:bookworm if it is absent. With --with-browser it also
# installs Chromium, which the HTML report tests render in. Safe to run again: it skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=()
command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || packages+=(debootstrap)
if [ "${1:-}" = "--with-browser" ] && ! command -v chromium >/dev/null 2>&1; then packages+=(chromium); fi
if [ "${#packages[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${packages[*]} and no apt-get here: install them with your package manager, then run this again"
    exit 3
  fi
  log "installing ${packages[*]} (Debian packages)"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# As root, or through sudo: a user outside the docker group could not tell a stopped daemon from
# one it may not talk to.
if ! $SUDO docker info >/dev/null 2>&1; then
  log "no Docker daemon answers: starting dockerd in the background (log: /tmp/flakehunt-dockerd.log)"
  $SUDO sh -c 'nohup dockerd >/tmp/flakehunt-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    if $SUDO docker info >/dev/null 2>&1; then break; fi
    sleep 1
  done
  if ! $SUDO docker info >/dev/null 2>&1; then
    log "dockerd did not come up; the end of its log:"
    tail -n 40 /tmp/flakehunt-dockerd.log >&2 || true
    exit 3
  fi
fi
log "Docker daemon $($SUDO docker info --format '{{.ServerVersion}}') is up"
if [ -n "$SUDO" ] && ! docker info >/dev/null 2>&1; then
  log "note: $(id -un) cannot talk to the daemon without sudo; add it to the docker group (sudo usermod -aG docker $(id -un), then log in again)"
fi

$SUDO bash templates/image/build-pytest-image.sh flakehunt-pytest:bookworm

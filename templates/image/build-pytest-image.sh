#!/usr/bin/env bash
# Build the flakehunt pytest image offline (no image registry needed).
#
#   templates/image/build-pytest-image.sh [--force] [IMAGE_NAME]
#
# IMAGE_NAME defaults to flakehunt-pytest:bookworm. The root filesystem is
# created with debootstrap from a Debian mirror (override with DEBIAN_MIRROR)
# and imported with `docker import`. Needs root, debootstrap and a docker CLI.
set -euo pipefail

FORCE=0
NAME=""
for arg in "$@"; do
  case "$arg" in
    --force|-f) FORCE=1 ;;
    -h|--help)
      sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    -*) echo "error: unknown option: $arg" >&2; exit 2 ;;
    *)
      if [[ -n "$NAME" ]]; then echo "error: more than one image name given" >&2; exit 2; fi
      NAME="$arg" ;;
  esac
done
NAME="${NAME:-flakehunt-pytest:bookworm}"
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="python3,python3-pytest,python3-pytest-xdist,python3-pytest-timeout,procps"

log() { printf '[build-pytest-image] %s\n' "$*"; }

for tool in docker debootstrap tar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' not found in PATH" >&2; exit 1; }
done

if [[ "$FORCE" -eq 0 ]] && docker image inspect "$NAME" >/dev/null 2>&1; then
  log "image $NAME already exists; skipping build (use --force to rebuild)"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "error: debootstrap needs root; re-run with sudo" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
ROOTFS="$(mktemp -d "${TMPDIR:-/tmp}/flakehunt-rootfs.XXXXXX")"
cleanup() { rm -rf --one-file-system "$ROOTFS"; }
trap cleanup EXIT

log "image:  $NAME"
log "suite:  $SUITE"
log "mirror: $MIRROR"
log "rootfs: $ROOTFS"
log "step 1/3: debootstrap --variant=minbase (this takes a few minutes)"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR"

log "step 2/3: trimming apt caches"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

log "step 3/3: docker import"
tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' \
  - "$NAME" >/dev/null

log "checking: python3 -m pytest --version"
docker run --rm "$NAME" python3 -m pytest --version
docker run --rm "$NAME" python3 -c 'import xdist, pytest_timeout' \
  || { echo "error: xdist / pytest_timeout plugins do not import in $NAME" >&2; exit 1; }
log "done: $NAME"

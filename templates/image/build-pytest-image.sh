#!/usr/bin/env bash
# Build the flakehunt pytest image offline (no image registry needed).
#
#   templates/image/build-pytest-image.sh [--force] [IMAGE_NAME]
#
# IMAGE_NAME defaults to flakehunt-pytest:bookworm. The root filesystem is
# created with debootstrap and imported with `docker import`. Needs root,
# debootstrap and a docker CLI. The Debian mirror is DEBIAN_MIRROR if set,
# else the one this machine's apt uses, else http://deb.debian.org/debian.
set -euo pipefail

# Debian's release names (and the aliases apt accepts): a source with another suite (an Ubuntu
# mirror, a vendor's repository) cannot serve debootstrap a Debian release.
DEBIAN_SUITES=" buzz rex bo hamm slink potato woody sarge etch lenny squeeze wheezy jessie stretch buster bullseye bookworm trixie forky duke sid experimental oldoldstable oldstable stable testing unstable "

# Prints `URI SUITE COMPONENT...` for every enabled `deb` entry of the apt sources under APT_DIR
# (default /etc/apt), in apt's order: sources.list, then sources.list.d/*.list and *.sources by
# name. One-line entries may carry [options]; deb822 stanzas may list several URIs and suites,
# continue fields on indented lines and be turned off with `Enabled: no`.
apt_deb_entries() {
  local dir="${1:-/etc/apt}"
  local files=()
  [[ -f "$dir/sources.list" ]] && files+=("$dir/sources.list")
  local f
  for f in "$dir"/sources.list.d/*; do
    case "$f" in *.list | *.sources) [[ -f "$f" ]] && files+=("$f") ;; esac
  done
  [[ ${#files[@]} -gt 0 ]] || return 0
  awk '
    function flush(   i, j, nu, ns, u, s) {
      if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no") {
        nu = split(uris, u, " "); ns = split(suites, s, " ")
        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j], components
      }
      types = uris = suites = components = enabled = ""; field = ""
    }
    FNR == 1 { if (deb822) flush(); deb822 = (FILENAME ~ /\.sources$/) }
    !deb822 {
      sub(/#.*/, "")
      if ($1 != "deb") next
      line = $0; sub(/^[ \t]*deb[ \t]+/, "", line)
      if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
      print line
      next
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { value = $0; sub(/^[ \t]+/, "", value); append(field, value); next }
    {
      name = tolower($0); sub(/:.*/, "", name)
      value = $0; sub(/^[^:]*:[ \t]*/, "", value); sub(/[ \t]+$/, "", value)
      field = name; append(field, value)
    }
    function append(name, value) {
      if (name == "types") types = types " " value
      else if (name == "uris") uris = uris " " value
      else if (name == "suites") suites = suites " " value
      else if (name == "components") components = components " " value
      else if (name == "enabled") enabled = value
    }
    END { if (deb822) flush() }
  ' "${files[@]}" | sed 's/[ \t][ \t]*/ /g; s/^ //; s/ $//'
}

# Prints the first Debian mirror in the apt sources under APT_DIR that debootstrap can use: an
# http, https or file URI with the `main` component and a Debian suite (not a -security one,
# whose archive holds only the security updates). Prints nothing when there is none.
apt_mirror() {
  local uri suite components base
  while read -r uri suite components; do
    case "$uri" in http://* | https://* | file:/*) ;; *) continue ;; esac
    case "$suite" in *-security | */*) continue ;; esac
    base="${suite%%-*}"
    [[ "$DEBIAN_SUITES" == *" $base "* ]] || continue
    [[ " $components " == *" main "* ]] || continue
    printf '%s\n' "${uri%/}"
    return 0
  done < <(apt_deb_entries "${1:-/etc/apt}")
}

# Prints the mirror to use, then on a second line where it came from: DEBIAN_MIRROR, else the apt
# sources under APT_DIR, else Debian's redirector.
choose_mirror() {
  local dir="${1:-/etc/apt}" found
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then
    printf '%s\n%s\n' "$DEBIAN_MIRROR" "DEBIAN_MIRROR"
  elif found="$(apt_mirror "$dir")" && [[ -n "$found" ]]; then
    printf '%s\n%s\n' "$found" "the apt sources in $dir"
  else
    printf '%s\n%s\n' "http://deb.debian.org/debian" "no Debian mirror in the apt sources in $dir: Debian's redirector; set DEBIAN_MIRROR for another"
  fi
}

log() { printf '[build-pytest-image] %s\n' "$*"; }

main() {
  local force=0 name="" arg
  for arg in "$@"; do
    case "$arg" in
      --force|-f) force=1 ;;
      -h|--help)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
        exit 0 ;;
      -*) echo "error: unknown option: $arg" >&2; exit 2 ;;
      *)
        if [[ -n "$name" ]]; then echo "error: more than one image name given" >&2; exit 2; fi
        name="$arg" ;;
    esac
  done
  name="${name:-flakehunt-pytest:bookworm}"
  local suite="${DEBIAN_SUITE:-bookworm}"
  local packages="python3,python3-pytest,python3-pytest-xdist,python3-pytest-timeout,procps"
  local mirror origin
  { read -r mirror; read -r origin; } < <(choose_mirror /etc/apt)

  local tool
  for tool in docker debootstrap tar; do
    command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' not found in PATH" >&2; exit 1; }
  done

  if [[ "$force" -eq 0 ]] && docker image inspect "$name" >/dev/null 2>&1; then
    log "image $name already exists; skipping build (use --force to rebuild)"
    exit 0
  fi

  if [[ "$(id -u)" -ne 0 ]]; then
    echo "error: debootstrap needs root; re-run with sudo" >&2
    exit 1
  fi

  export DEBIAN_FRONTEND=noninteractive
  ROOTFS="$(mktemp -d "${TMPDIR:-/tmp}/flakehunt-rootfs.XXXXXX")"
  trap 'rm -rf --one-file-system "$ROOTFS"' EXIT

  log "image:  $name"
  log "suite:  $suite"
  log "mirror: $mirror ($origin)"
  log "rootfs: $ROOTFS"
  log "step 1/3: debootstrap --variant=minbase (this takes a few minutes)"
  debootstrap --variant=minbase --include="$packages" "$suite" "$ROOTFS" "$mirror"

  log "step 2/3: trimming apt caches"
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

  log "step 3/3: docker import"
  tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' \
    - "$name" >/dev/null

  log "checking: python3 -m pytest --version"
  docker run --rm "$name" python3 -m pytest --version
  docker run --rm "$name" python3 -c 'import xdist, pytest_timeout' \
    || { echo "error: xdist / pytest_timeout plugins do not import in $name" >&2; exit 1; }
  log "done: $name"
}

# Run when executed; when sourced (as the tests do), only define the functions.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi

#!/usr/bin/env bash
# A Docker Swarm of three engines on this one machine, for flakehunt's swarm tests.
#
#   bin/test-swarm.sh up                 start it (or check the running one); prints DOCKER_HOST=… of the manager
#   bin/test-swarm.sh down               remove all of it; safe to run twice, or after a half-done `up`
#   bin/test-swarm.sh status             one line per node (exit 1 when no swarm is up)
#   bin/test-swarm.sh kill-node NODE     SIGKILL that node's dockerd (its containers keep running), for fault tests
#   bin/test-swarm.sh start-node NODE    start that node's dockerd again, in the same namespaces
#   bin/test-swarm.sh exec NODE CMD…     run a command in that node's namespaces (network, host name, mounts)
#   bin/test-swarm.sh run CMD…           up, run the command, down on every exit path; exits with its status
#
# Nodes: manager, worker1, worker2 (host names flakehunt-manager, …). Each node is a namespace
# holder process (`sleep`, renamed flakehunt-swarm-holder-NODE) owning a network, UTS and mount
# namespace, and a dockerd entered into them with nsenter. Its own data root, exec root, pid file,
# socket and config live under /var/lib/flakehunt-swarm/NODE and /run/flakehunt-swarm/NODE; its
# containers' cgroups under /flakehunt-swarm-NODE. The nodes are joined by a bridge that lives in a
# namespace of its own (the hub), so no interface, route, netfilter rule or mount is added to the
# host's: with br_netfilter loaded, a bridge in the host namespace would send the nodes' traffic
# through the host's FORWARD chain, whose policy the host's dockerd sets to DROP.
#
# The test image (FLAKEHUNT_SWARM_IMAGE, default flakehunt-pytest:bookworm) is saved once from the
# host's daemon and loaded into each node. /run/flakehunt-swarm/swarm.json describes the swarm for
# the tests. Needs root, dockerd/containerd/runc (Debian's docker.io), iproute2 and util-linux.
set -euo pipefail

readonly STATE=/run/flakehunt-swarm
readonly DATA=/var/lib/flakehunt-swarm
readonly NODES=(manager worker1 worker2)
readonly SUBNET_PREFIX=10.213.47
readonly IMAGE="${FLAKEHUNT_SWARM_IMAGE:-flakehunt-pytest:bookworm}"
readonly HOST_DOCKER=(docker -H unix:///var/run/docker.sock)
readonly HOLDER_PREFIX=flakehunt-swarm-holder-
readonly DEADLINE_S=60

log() { printf '[test-swarm %ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[test-swarm] error: %s\n' "$*" >&2; exit 1; }

node_address() {
  case "$1" in
    manager) echo "$SUBNET_PREFIX.11" ;;
    worker1) echo "$SUBNET_PREFIX.12" ;;
    worker2) echo "$SUBNET_PREFIX.13" ;;
    *) die "unknown node ${1@Q}: the nodes are ${NODES[*]}" ;;
  esac
}
node_socket() { echo "$STATE/$1/docker.sock"; }
node_docker() { local node=$1; shift; docker -H "unix://$(node_socket "$node")" "$@"; }

# The pid of the holder process of a node (or of the hub), or nothing.
# The first word of a process's command line (read without a fork), or nothing.
argv0() { local first=''; { IFS= read -r -d '' first <"/proc/$1/cmdline"; } 2>/dev/null || true; printf '%s' "$first"; }

# The pid of the holder process of a node (or of the hub), or nothing.
holder_pid() {
  local want="$HOLDER_PREFIX$1" dir
  for dir in /proc/[0-9]*; do
    if [ "$(argv0 "${dir#/proc/}")" = "$want" ]; then echo "${dir#/proc/}"; return 0; fi
  done
  return 0
}

holder_running() { [ -n "$(holder_pid "$1")" ]; }

# Polls `$@` until it succeeds, for up to DEADLINE_S seconds; fails with `what` otherwise.
await() {
  local what=$1; shift
  local end=$((SECONDS + DEADLINE_S))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$end" ]; then return 1; fi
    sleep 0.2
  done
  log "$what"
}

dockerd_tail() { tail -n 25 "$STATE/$1/dockerd.log" 2>/dev/null | sed "s/^/[test-swarm]   $1: /" >&2 || true; }

# --------------------------------------------------------------------------------------------
# up
# --------------------------------------------------------------------------------------------

require_tools() {
  [ "$(id -u)" -eq 0 ] || die "run me as root (I create namespaces and start dockerd)"
  local tool missing=()
  for tool in dockerd containerd runc docker ip nsenter unshare setsid; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ "${#missing[@]}" -eq 0 ] || die "missing ${missing[*]}: run bin/setup-machine.sh first (it installs Debian's docker.io)"
  "${HOST_DOCKER[@]}" image inspect "$IMAGE" >/dev/null 2>&1 \
    || die "the host's Docker daemon (/var/run/docker.sock) has no image $IMAGE: run bin/setup-machine.sh first"
}

start_holder() {
  local name=$1
  shift
  # setsid: the holder outlives this script and its process group. It is the namespaces' anchor:
  # dockerd can be killed and started again in the same namespaces (the fault tests do).
  setsid "$@" </dev/null >/dev/null 2>&1 &
  await "holder of $name started" holder_running "$name" || die "the namespace holder of $name did not start"
}

start_hub() {
  [ -z "$(holder_pid hub)" ] || return 0
  start_holder hub unshare --net -- bash -c 'exec -a "$0" sleep infinity' "${HOLDER_PREFIX}hub"
  local hub
  hub=$(holder_pid hub)
  nsenter --net="/proc/$hub/ns/net" ip link set lo up
  nsenter --net="/proc/$hub/ns/net" ip link add br0 type bridge
  nsenter --net="/proc/$hub/ns/net" ip link set br0 up
}

# Inside the node's new mount namespace, before the holder sleeps: drop its copies of the host
# engine's mounts (a private copy of another container's network namespace would keep it alive),
# and give the node its own /run/containerd, where containerd's shims put their sockets.
readonly HOLDER_SCRIPT='
set -eu
hostname "$1"
awk '\''{ print $5 }'\'' /proc/self/mountinfo | grep -E "^(/run/docker/|/var/lib/docker(/|\$))" | sort -r | while read -r m; do umount -l "$m"; done
mkdir -p /run/containerd
mount -t tmpfs -o mode=0700 flakehunt-swarm /run/containerd
exec -a "$2" sleep infinity
'

start_node_namespaces() {
  local node=$1 hub holder
  [ -z "$(holder_pid "$node")" ] || return 0
  start_holder "$node" unshare --net --uts --mount --propagation slave -- bash -c "$HOLDER_SCRIPT" holder "flakehunt-$node" "$HOLDER_PREFIX$node"
  hub=$(holder_pid hub)
  holder=$(holder_pid "$node")
  nsenter --net="/proc/$hub/ns/net" ip link add "$node" type veth peer name eth0 netns "$holder"
  nsenter --net="/proc/$hub/ns/net" ip link set "$node" master br0 up
  nsenter --net="/proc/$holder/ns/net" ip link set lo up
  nsenter --net="/proc/$holder/ns/net" ip addr add "$(node_address "$node")/24" dev eth0
  nsenter --net="/proc/$holder/ns/net" ip link set eth0 up
}

write_daemon_config() {
  local node=$1
  mkdir -p "$STATE/$node/exec" "$DATA/$node"
  cat >"$STATE/$node/daemon.json" <<EOF
{
  "data-root": "$DATA/$node/docker",
  "exec-root": "$STATE/$node/exec",
  "pidfile": "$STATE/$node/dockerd.pid",
  "hosts": ["unix://$(node_socket "$node")"],
  "deprecated-key-path": "$DATA/$node/key.json",
  "storage-driver": "overlay2",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "/flakehunt-swarm-$node",
  "log-driver": "json-file"
}
EOF
}

dockerd_pid() {
  local pid
  pid=$(cat "$STATE/$1/dockerd.pid" 2>/dev/null) || return 0
  if [ -n "$pid" ] && { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q "^dockerd --config-file $STATE/$1/"; then echo "$pid"; fi
  return 0
}

# dockerd's own containerd dies with it (parent-death signal), leaving its pid file. If the pid
# has been reused meanwhile, a restarted dockerd takes that process for its containerd, never
# starts one, and waits for its socket forever: drop the file unless it names our containerd.
forget_dead_containerd() {
  local file="$STATE/$1/exec/containerd/containerd.pid" pid args=()
  pid=$(cat "$file" 2>/dev/null) || return 0
  { mapfile -d '' args <"/proc/$pid/cmdline"; } 2>/dev/null || true
  [[ "${args[*]:-}" == *"$STATE/$1/exec/containerd/"* ]] || rm -f "$file"
}

start_dockerd() {
  local node=$1 holder
  holder=$(holder_pid "$node")
  [ -n "$holder" ] || die "node $node has no namespaces (no holder process): run bin/test-swarm.sh up"
  if [ -z "$(dockerd_pid "$node")" ]; then
    forget_dead_containerd "$node"
    write_daemon_config "$node"
    # nsenter, not `ip netns exec`: that one remounts /sys and makes a mount namespace of its own.
    setsid nsenter --target "$holder" --net --uts --mount -- dockerd --config-file "$STATE/$node/daemon.json" \
      </dev/null >>"$STATE/$node/dockerd.log" 2>&1 &
  fi
  if ! await "dockerd of $node answers" node_docker "$node" version; then
    dockerd_tail "$node"
    die "dockerd of $node did not answer on $(node_socket "$node") within ${DEADLINE_S}s (its log: $STATE/$node/dockerd.log)"
  fi
}

swarm_state() { node_docker "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unreachable; }

form_swarm() {
  local manager_addr token node
  manager_addr=$(node_address manager)
  if [ "$(swarm_state manager)" != active ]; then
    node_docker manager swarm init --advertise-addr "$manager_addr" --listen-addr "$manager_addr:2377" >/dev/null
    log "swarm initialised on manager ($manager_addr)"
  fi
  token=$(node_docker manager swarm join-token -q worker)
  for node in worker1 worker2; do
    [ "$(swarm_state "$node")" != active ] || continue
    node_docker "$node" swarm join --token "$token" --advertise-addr "$(node_address "$node")" \
      --listen-addr "$(node_address "$node"):2377" "$manager_addr:2377" >/dev/null
    log "$node joined"
  done
}

load_image() {
  local want node pids=() failed=() i
  want=$("${HOST_DOCKER[@]}" image inspect --format '{{.Id}}' "$IMAGE")
  local missing=()
  for node in "${NODES[@]}"; do
    [ "$(node_docker "$node" image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null)" = "$want" ] || missing+=("$node")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  local tar="$DATA/image.tar"
  "${HOST_DOCKER[@]}" save -o "$tar" "$IMAGE"
  for node in "${missing[@]}"; do
    node_docker "$node" load -q -i "$tar" >/dev/null &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed+=("${missing[$i]}")
  done
  rm -f "$tar"
  [ "${#failed[@]}" -eq 0 ] || die "docker load of $IMAGE failed on ${failed[*]}"
  log "loaded $IMAGE into ${missing[*]}"
}

nodes_ready() {
  [ "$(node_docker manager node ls --format '{{.Status}} {{.Availability}}' | grep -c '^Ready Active$')" -eq "${#NODES[@]}" ]
}

write_description() {
  local node first=1
  {
    printf '{\n  "manager": "unix://%s",\n  "image": "%s",\n  "nodes": [\n' "$(node_socket manager)" "$IMAGE"
    for node in "${NODES[@]}"; do
      [ "$first" -eq 1 ] || printf ',\n'
      first=0
      printf '    {"name": "%s", "hostname": "flakehunt-%s", "socket": "unix://%s", "address": "%s"}' \
        "$node" "$node" "$(node_socket "$node")" "$(node_address "$node")"
    done
    printf '\n  ]\n}\n'
  } >"$STATE/swarm.json.tmp"
  mv "$STATE/swarm.json.tmp" "$STATE/swarm.json"
}

healthy() {
  local node
  [ -f "$STATE/swarm.json" ] || return 1
  [ -n "$(holder_pid hub)" ] || return 1
  for node in "${NODES[@]}"; do
    [ -n "$(holder_pid "$node")" ] && [ -n "$(dockerd_pid "$node")" ] || return 1
    [ "$(swarm_state "$node")" = active ] || return 1
  done
  nodes_ready
}

up() {
  require_tools
  if healthy; then
    log "the test swarm is already up"
  else
    if [ -d "$STATE" ] || [ -d "$DATA" ] || [ -n "$(holder_pid hub)" ]; then
      log "a broken or half-made test swarm is here: removing it first"
      down
    fi
    mkdir -p "$STATE" "$DATA"
    start_hub
    local node
    for node in "${NODES[@]}"; do start_node_namespaces "$node"; done
    for node in "${NODES[@]}"; do start_dockerd "$node"; done
    form_swarm
    await "all ${#NODES[@]} nodes are Ready" nodes_ready || {
      node_docker manager node ls >&2 || true
      die "the swarm's nodes did not all become Ready within ${DEADLINE_S}s"
    }
  fi
  load_image
  write_description
  echo "DOCKER_HOST=unix://$(node_socket manager)"
}

# --------------------------------------------------------------------------------------------
# down
# --------------------------------------------------------------------------------------------

# Every process of the test swarm: the holders, whatever runs in their network namespaces
# (dockerd, containerd, shims, host-network containers), dockerd/containerd/shims that name our
# folders, and every process in our cgroups (containers). Builtins only: /proc holds hundreds.
swarm_pids() {
  local holders=() name holder dir pid comm line args
  for name in hub "${NODES[@]}"; do
    holder=$(holder_pid "$name")
    [ -z "$holder" ] || holders+=("$holder")
  done
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] || continue
    { read -r comm <"$dir/comm"; } 2>/dev/null || continue
    if ours_by_namespace "$dir" "${holders[@]}" || ours_by_cgroup "$dir"; then echo "$pid"; continue; fi
    [[ "$comm" =~ ^(dockerd|containerd|containerd-shim.*|docker-proxy|runc|sleep)$ ]] || continue
    { mapfile -d '' args <"$dir/cmdline"; } 2>/dev/null || continue
    line="${args[*]}"
    if [[ "$line" == "$HOLDER_PREFIX"* || "$line" == *"$STATE/"* || "$line" == *"$DATA/"* ]]; then echo "$pid"; fi
  done
}

ours_by_namespace() {
  local dir=$1 holder
  shift
  for holder in "$@"; do
    if [ "$dir/ns/net" -ef "/proc/$holder/ns/net" ]; then return 0; fi
  done
  return 1
}

ours_by_cgroup() {
  local line
  { while read -r line; do [[ "$line" != *:/flakehunt-swarm-* ]] || return 0; done <"$1/cgroup"; } 2>/dev/null
  return 1
}

down() {
  [ "$(id -u)" -eq 0 ] || die "run me as root"
  # The holders and daemons `up` started in this shell are killed below: without this, bash
  # reports each as "Killed" when it reaps it, which reads like a failure.
  disown -a 2>/dev/null || true
  local pids end=$((SECONDS + DEADLINE_S))
  pids=$(swarm_pids)
  while [ -n "$pids" ]; do
    # shellcheck disable=SC2086 # a list of pids
    kill -KILL $pids 2>/dev/null || true
    [ "$SECONDS" -lt "$end" ] || die "processes of the test swarm would not die: $(echo $pids)"
    sleep 0.1
    pids=$(swarm_pids)
  done
  # The namespaces (and with them the bridge, the veths and every mount the engines made) went
  # with their last process. Nothing of ours is mounted in the host's namespace; make sure.
  local mounts m
  mounts=$(awk '{ print $5 }' /proc/self/mountinfo | grep -E "^($STATE|$DATA)(/|$)" | sort -r) || true
  for m in $mounts; do umount -l "$m"; done
  # The three data roots hold the image each: removing them side by side is about twice as fast.
  local root removals=()
  for root in "$DATA"/*; do
    [ -e "$root" ] || continue
    rm -rf "$root" &
    removals+=("$!")
  done
  for m in "${removals[@]}"; do wait "$m"; done
  rm -rf "$STATE" "$DATA"
  # Killed containers leave their (empty) cgroups behind.
  find /sys/fs/cgroup -depth -type d -path '*/flakehunt-swarm-*' -exec rmdir {} + 2>/dev/null || true
  if find /sys/fs/cgroup -type d -path '*/flakehunt-swarm-*' -print -quit 2>/dev/null | grep -q .; then
    die "cgroups of the test swarm remain under /sys/fs/cgroup/*/flakehunt-swarm-*"
  fi
  log "the test swarm is gone"
}

# --------------------------------------------------------------------------------------------

status() {
  [ -f "$STATE/swarm.json" ] || { log "no test swarm is up"; return 1; }
  node_docker manager node ls --format '{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}'
}

kill_node() {
  local node=$1 pid
  node_address "$node" >/dev/null
  pid=$(dockerd_pid "$node")
  [ -n "$pid" ] || die "dockerd of $node is not running"
  kill -KILL "$pid"
  await "dockerd of $node killed" test ! -d "/proc/$pid" || die "dockerd of $node (pid $pid) did not die"
}

exec_in_node() {
  local node=$1 holder
  shift
  node_address "$node" >/dev/null
  holder=$(holder_pid "$node")
  [ -n "$holder" ] || die "node $node has no namespaces: run bin/test-swarm.sh up"
  nsenter --target "$holder" --net --uts --mount -- "$@"
}

# up, then the command; down however it ends (its status, a failure of up, Ctrl-C, SIGTERM).
run_with_swarm() {
  trap 'down' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  up >/dev/null
  # Tests kill and restart the daemons `up` started here: no "Killed" report from bash for those.
  disown -a 2>/dev/null || true
  local status=0
  "$@" || status=$?
  exit "$status"
}

main() {
  case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    kill-node) [ $# -eq 2 ] || die "usage: $0 kill-node NODE"; kill_node "$2" ;;
    start-node) [ $# -eq 2 ] || die "usage: $0 start-node NODE"; node_address "$2" >/dev/null; start_dockerd "$2" ;;
    exec) [ $# -ge 3 ] || die "usage: $0 exec NODE CMD..."; shift; exec_in_node "$@" ;;
    run) [ $# -ge 2 ] || die "usage: $0 run CMD..."; shift; run_with_swarm "$@" ;;
    *) die "usage: $0 up|down|status|kill-node NODE|start-node NODE|exec NODE CMD...|run CMD..." ;;
  esac
}

main "$@"

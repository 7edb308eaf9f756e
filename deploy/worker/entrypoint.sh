#!/bin/sh
# Entrypoint of the worker image, run by tini (PID 1), ending in `exec "$@"` so node is tini's
# direct child and receives SIGTERM itself.
#
# Started as root (docker compose), it does two things only root can, then drops privileges:
#
# 1. WORKER_JOIN_KIND_NETWORK=true: joins this container to the Docker network Kind uses
#    (KIND_EXPERIMENTAL_DOCKER_NETWORK, default "kind"), creating it with Kind's own options when
#    it does not exist yet. With the host's Docker socket, Kind's nodes run beside this container
#    on the host's engine; an --internal kubeconfig (https://<cluster>-control-plane:6443) only
#    resolves from that network. docker compose cannot declare the network itself: as `external`
#    it must exist before `up`, and a compose-managed network of that name clashes with Kind's.
# 2. Runs node as the unprivileged user aiopslab (uid 10001) with the Docker socket's group
#    added, whatever its gid is on this host (setpriv, no group database needed).
#
# Why this is a weak boundary, and why the worker cannot be "non-root" in the usual sense: the
# worker creates and deletes Kind clusters, i.e. privileged containers, through the Docker API.
# Whoever can use that socket is root on the Docker host, and so is any process the worker
# starts (the AIOpsLab runner, and the agent's exec_shell commands, which run locally with
# k8s_host: localhost). Dropping to uid 10001 only keeps a compromised process from touching the
# container's own files directly. Run workers on hosts dedicated to them, or use the k8s
# deployment, where each worker has its own Docker-in-Docker daemon inside its pod.
#
# Started as non-root (k8s sets runAsUser), it does neither and just runs the command.
set -eu

SERVICE_UID=10001
SERVICE_GID=10001

log() { printf '{"level":"info","service":"worker-entrypoint","message":"%s"}\n' "$*" >&2; }
fail() { printf '{"level":"error","service":"worker-entrypoint","message":"%s"}\n' "$*" >&2; exit 1; }

docker_socket() {
  case "${DOCKER_HOST:-unix:///var/run/docker.sock}" in
    unix://*) echo "${DOCKER_HOST#unix://}" ;;
    "") echo /var/run/docker.sock ;;
    *) echo "" ;;
  esac
}

create_kind_network() {
  # The options Kind itself uses (pkg/cluster/internal/providers/docker/network.go); IPv6 first,
  # plain IPv4 where the engine has IPv6 disabled.
  docker network create -d=bridge -o com.docker.network.bridge.enable_ip_masquerade=true \
    -o com.docker.network.driver.mtu=1500 --ipv6 --subnet fc00:f853:ccd:e793::/64 "$1" >/dev/null 2>&1 ||
    docker network create -d=bridge -o com.docker.network.bridge.enable_ip_masquerade=true \
      -o com.docker.network.driver.mtu=1500 "$1" >/dev/null 2>&1
}

join_kind_network() {
  network="${KIND_EXPERIMENTAL_DOCKER_NETWORK:-kind}"
  self="$(hostname)"
  if ! docker network inspect "$network" >/dev/null 2>&1; then
    # Several workers start at once: whoever loses the race finds the winner's network.
    create_kind_network "$network" || docker network inspect "$network" >/dev/null 2>&1 ||
      fail "cannot create the Docker network $network; is the Docker socket mounted?"
    log "created Docker network $network"
  fi
  if docker inspect -f '{{json .NetworkSettings.Networks}}' "$self" 2>/dev/null | grep -q "\"$network\""; then
    return 0
  fi
  docker network connect "$network" "$self" ||
    fail "cannot connect container $self to Docker network $network"
  log "joined Docker network $network as $self"
}

if [ "$(id -u)" = "0" ]; then
  if [ "${WORKER_JOIN_KIND_NETWORK:-false}" = "true" ]; then
    join_kind_network
  fi
  if [ "${WORKER_RUN_AS_ROOT:-false}" != "true" ]; then
    groups="$SERVICE_GID"
    socket="$(docker_socket)"
    if [ -n "$socket" ] && [ -S "$socket" ]; then
      groups="$groups,$(stat -c %g "$socket")"
    fi
    export HOME=/home/aiopslab USER=aiopslab
    exec setpriv --reuid="$SERVICE_UID" --regid="$SERVICE_GID" --groups="$groups" -- "$@"
  fi
fi
exec "$@"

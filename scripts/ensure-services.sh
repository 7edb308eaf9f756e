#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ (with the management plugin) answer on loopback, and a Docker
# engine answers on its socket, before the tests run. Starts each only when it is down and this
# machine has it installed locally; then builds the local test images (ensure-test-images.sh).
set -euo pipefail

PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
amqp_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
mgmt_up() { (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null; }

wait_for() {
  local what=$1 check=$2 seconds=$3
  for _ in $(seq 1 "$seconds"); do
    if $check; then return 0; fi
    sleep 1
  done
  echo "ensure-services: $what did not come up within ${seconds}s" >&2
  return 1
}

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "ensure-services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  wait_for PostgreSQL pg_up 60 || { echo "Start PostgreSQL on $PG_HOST:$PG_PORT (or set PGHOST/PGPORT) and run the tests again." >&2; exit 1; }
fi

# PgBouncer in transaction mode in front of it (the suites that run the services through it).
bash "$(dirname "$0")/ensure-pgbouncer.sh"

if command -v rabbitmq-plugins >/dev/null; then
  rabbitmq-plugins enable --offline rabbitmq_management >/dev/null 2>&1 || true
fi
if ! amqp_up; then
  if command -v rabbitmq-server >/dev/null; then
    echo "ensure-services: starting RabbitMQ"
    rabbitmq-server -detached || true
  fi
  wait_for RabbitMQ amqp_up 90 || { echo "Start RabbitMQ on 127.0.0.1:5672 and run the tests again." >&2; exit 1; }
fi
if ! mgmt_up && command -v rabbitmq-plugins >/dev/null; then
  rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || true
fi
wait_for "RabbitMQ management API" mgmt_up 60 || { echo "Enable the management plugin: rabbitmq-plugins enable rabbitmq_management" >&2; exit 1; }

# Docker: Debian's dockerd (20.10, API 1.41). The docker CLI may be newer (e.g. 28 at
# /usr/local/bin/docker); it negotiates the API version with the daemon, and so does dockerode,
# so DOCKER_API_VERSION is not needed. Started as root in the background, outside this script's
# process group, logging to DOCKERD_LOG; its data root (DOCKERD_DATA_ROOT) must be on a file
# system overlay2 accepts (ext4 or xfs, not an overlay itself).
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/aiopslab-dockerd.log}
DOCKERD_DATA_ROOT=${DOCKERD_DATA_ROOT:-/var/lib/docker}
docker_up() { docker info >/dev/null 2>&1; }
if ! docker_up; then
  if [ -n "${DOCKER_HOST:-}" ]; then
    echo "ensure-services: DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST" >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ] || ! command -v dockerd >/dev/null; then
    echo "ensure-services: no Docker engine answers on /var/run/docker.sock; as root: apt-get install -y docker.io, then start dockerd (or run this script as root)" >&2
    exit 1
  fi
  echo "ensure-services: starting dockerd (data root $DOCKERD_DATA_ROOT, log $DOCKERD_LOG)"
  mkdir -p "$(dirname "$DOCKERD_LOG")" "$DOCKERD_DATA_ROOT"
  setsid nohup dockerd --data-root "$DOCKERD_DATA_ROOT" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  if ! wait_for "the Docker engine" docker_up 60; then
    echo "dockerd did not answer; its last log lines ($DOCKERD_LOG):" >&2
    tail -n 15 "$DOCKERD_LOG" >&2 || true
    echo "Fix what the log names (storage driver: --data-root on ext4/xfs; iptables; cgroups) or start dockerd yourself, and run the tests again." >&2
    exit 1
  fi
fi
bash "$(dirname "$0")/ensure-test-images.sh"
echo "ensure-services: PostgreSQL, PgBouncer, RabbitMQ and Docker are up"

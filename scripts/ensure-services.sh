#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ (with the management plugin) answer on loopback before the
# tests run. Starts them only when they are down and this machine has them installed locally.
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
echo "ensure-services: PostgreSQL and RabbitMQ are up"

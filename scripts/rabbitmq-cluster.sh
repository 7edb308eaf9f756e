#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, for the tests that lose a broker node:
#
#   scripts/rabbitmq-cluster.sh start            start (or join) every node; idempotent
#   scripts/rabbitmq-cluster.sh status           one line per node: running or down, and its PID
#   scripts/rabbitmq-cluster.sh stop-node b      stop one node (rabbitmqctl stop, then its PID)
#   scripts/rabbitmq-cluster.sh start-node b     start that node again; it rejoins the cluster
#   scripts/rabbitmq-cluster.sh urls             the AMQP_URL list of the three nodes
#   scripts/rabbitmq-cluster.sh stop             stop every node and remove the data directory
#
# Nodes rabbit-a@localhost, rabbit-b@localhost, rabbit-c@localhost; AMQP on 5701-5703, management
# on 15701-15703, Erlang distribution on 25701-25703, their own epmd on 4371, all on 127.0.0.1.
# Data, logs, configs, the shared Erlang cookie and the PID files live under RABBITMQ_CLUSTER_DIR.
# The machine's own node (rabbit@localhost, 5672/15672, epmd 4369) is never touched: every
# command here names one of these nodes, and every process it ends is one whose PID it recorded.
set -euo pipefail

BASE=${RABBITMQ_CLUSTER_DIR:-${TMPDIR:-/tmp}/aiopslab-rabbitmq-cluster}
NODES=(a b c)
EPMD_PORT=${RABBITMQ_CLUSTER_EPMD_PORT:-4371}
RABBIT_BIN=${RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}

port_of() { case $1 in a) echo 1 ;; b) echo 2 ;; c) echo 3 ;; *) echo "rabbitmq-cluster: no node '$1' (a, b or c)" >&2; exit 2 ;; esac; }
amqp_port() { echo $((5700 + $(port_of "$1"))); }
mgmt_port() { echo $((15700 + $(port_of "$1"))); }
dist_port() { echo $((25700 + $(port_of "$1"))); }
node_name() { echo "rabbit-$1@localhost"; }
pid_file() { echo "$BASE/$1/pid"; }

# The environment of one node (and of the CLI calls that talk to it).
node_env() {
  local n=$1
  echo HOME="$BASE" RABBITMQ_CONF_ENV_FILE="$BASE/rabbitmq-env.conf" ERL_EPMD_PORT="$EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_NODENAME="$(node_name "$n")" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$(amqp_port "$n")" \
    RABBITMQ_DIST_PORT="$(dist_port "$n")" RABBITMQ_MNESIA_BASE="$BASE/$n/mnesia" RABBITMQ_LOG_BASE="$BASE/$n/log" \
    RABBITMQ_CONFIG_FILE="$BASE/$n/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/$n/enabled_plugins" \
    RABBITMQ_PID_FILE="$BASE/$n/beam.pid" RABBITMQ_PLUGINS_EXPAND_DIR="$BASE/$n/plugins-expand"
}

ctl() {
  local n=$1
  shift
  env $(node_env "$n") "$RABBIT_BIN/rabbitmqctl" -n "$(node_name "$n")" "$@"
}

running() {
  local n=$1 pid
  [ -f "$(pid_file "$n")" ] || return 1
  pid=$(cat "$(pid_file "$n")")
  kill -0 "$pid" 2>/dev/null || return 1
  ctl "$n" -q await_startup --timeout 1 >/dev/null 2>&1
}

prepare() {
  mkdir -p "$BASE"
  if [ ! -f "$BASE/.erlang.cookie" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$BASE/.erlang.cookie"
    chmod 400 "$BASE/.erlang.cookie"
  fi
  # An empty environment file of our own, so /etc/rabbitmq/rabbitmq-env.conf (the machine's node
  # name) does not apply; loopback only.
  printf 'ERL_EPMD_ADDRESS=127.0.0.1\n' >"$BASE/rabbitmq-env.conf"
  for n in "${NODES[@]}"; do
    mkdir -p "$BASE/$n/mnesia" "$BASE/$n/log"
    echo '[rabbitmq_management].' >"$BASE/$n/enabled_plugins"
    cat >"$BASE/$n/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$(amqp_port "$n")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(mgmt_port "$n")
loopback_users = none
cluster_partition_handling = pause_minority
collect_statistics_interval = 1000
EOF
  done
  if ! epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; then
    ERL_EPMD_ADDRESS=127.0.0.1 epmd -port "$EPMD_PORT" -daemon 9>&-
  fi
}

start_node() {
  local n=$1
  if running "$n"; then return 0; fi
  echo "rabbitmq-cluster: starting $(node_name "$n") (AMQP $(amqp_port "$n"), management $(mgmt_port "$n"))"
  # One scheduler per node: three nodes share a small machine with the tests.
  env $(node_env "$n") RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+S 1:1 -kernel inet_dist_use_interface {127,0,0,1}" \
    setsid "$RABBIT_BIN/rabbitmq-server" >>"$BASE/$n/log/startup.log" 2>&1 </dev/null 9>&- &
  echo $! >"$(pid_file "$n")"
}

await_node() {
  local n=$1
  if ! ctl "$n" -q wait --timeout 120 "$BASE/$n/beam.pid" >/dev/null 2>&1; then
    echo "rabbitmq-cluster: $(node_name "$n") did not start; last lines of $BASE/$n/log/startup.log:" >&2
    tail -n 20 "$BASE/$n/log/startup.log" >&2 || true
    exit 1
  fi
}

# b and c join a once; a node that was a member before rejoins by itself when it starts.
join() {
  local n=$1 seed
  seed=$(node_name a)
  if ctl "$n" -q cluster_status --formatter json 2>/dev/null | grep -q "\"$seed\""; then return 0; fi
  echo "rabbitmq-cluster: $(node_name "$n") joins $seed"
  # join_cluster prints harmless errors about tables of the stopped app; they go to the node's log.
  ctl "$n" -q stop_app >>"$BASE/$n/log/cli.log" 2>&1
  ctl "$n" -q join_cluster "$seed" >>"$BASE/$n/log/cli.log" 2>&1 || { tail -n 20 "$BASE/$n/log/cli.log" >&2; exit 1; }
  ctl "$n" -q start_app >>"$BASE/$n/log/cli.log" 2>&1
}

# pid: the rabbitmq-server script this started; beam.pid: the Erlang VM it runs (written by it).
stop_node() {
  local n=$1 pid beam=
  [ -f "$(pid_file "$n")" ] || return 0
  pid=$(cat "$(pid_file "$n")")
  [ -f "$BASE/$n/beam.pid" ] && beam=$(cat "$BASE/$n/beam.pid")
  if kill -0 "$pid" 2>/dev/null; then
    echo "rabbitmq-cluster: stopping $(node_name "$n") (PID $pid)"
    ctl "$n" -q stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  for p in $pid $beam; do
    if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  rm -f "$(pid_file "$n")" "$BASE/$n/beam.pid"
}

status() {
  for n in "${NODES[@]}"; do
    if running "$n"; then echo "$(node_name "$n") running PID $(cat "$(pid_file "$n")") amqp $(amqp_port "$n") management $(mgmt_port "$n")"; else echo "$(node_name "$n") down"; fi
  done
}

urls() {
  local list=()
  for n in "${NODES[@]}"; do list+=("amqp://guest:guest@127.0.0.1:$(amqp_port "$n")"); done
  (IFS=,; echo "${list[*]}")
}

# One command at a time changes the cluster: a test's `start` waits for the one the test runner
# began in the background (scripts/run-tests.js), then finds every node up. The lock file sits
# beside BASE, which `stop` removes; the daemons started here do not inherit it (9>&-).
case ${1:-} in
  start | start-node | stop-node | stop)
    exec 9>"$BASE.lock"
    flock 9
    ;;
esac

case ${1:-} in
  start)
    prepare
    for n in "${NODES[@]}"; do start_node "$n"; done
    for n in "${NODES[@]}"; do await_node "$n"; done
    join b
    join c
    ctl a -q await_online_nodes 3 --timeout 120 2>/dev/null || ctl a -q await_online_nodes 3
    echo "rabbitmq-cluster: up: $(urls)"
    ;;
  start-node) port_of "${2:?node}" >/dev/null; prepare; start_node "$2"; await_node "$2" ;;
  stop-node) port_of "${2:?node}" >/dev/null; stop_node "$2" ;;
  status) status ;;
  urls) urls ;;
  stop)
    for n in "${NODES[@]}"; do stop_node "$n" & done
    wait
    if epmd -port "$EPMD_PORT" -names 2>/dev/null | grep -q '^name '; then
      echo "rabbitmq-cluster: epmd on $EPMD_PORT still lists nodes; leaving it running" >&2
    else
      epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
    fi
    rm -rf "$BASE"
    ;;
  *) echo "usage: $0 start|stop|status|urls|stop-node <a|b|c>|start-node <a|b|c>" >&2; exit 2 ;;
esac

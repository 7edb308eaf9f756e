#!/usr/bin/env bash
# Makes sure PgBouncer (Debian's pgbouncer, transaction pooling, scripts/pgbouncer/pgbouncer.ini)
# answers on 127.0.0.1:${PGBOUNCER_PORT:-6432} in front of the local PostgreSQL. Installs the
# package when missing and this runs as root; starts it as the postgres user (PgBouncer refuses
# to run as root), its pid file and log under PGBOUNCER_RUNDIR. Called by ensure-services.sh.
# PGBOUNCER_BIN runs another build instead, and PGBOUNCER_MAX_PREPARED sets its
# max_prepared_statements (1.21+): scripts/bench/pgbouncer-prepared.sh starts a second PgBouncer so.
set -euo pipefail

DIR=$(cd "$(dirname "$0")/pgbouncer" && pwd)
RUNDIR=${PGBOUNCER_RUNDIR:-/tmp/aiopslab-pgbouncer}
PORT=${PGBOUNCER_PORT:-6432}

up() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
if up; then
  echo "ensure-pgbouncer: PgBouncer answers on 127.0.0.1:$PORT"
  exit 0
fi
if ! command -v pgbouncer >/dev/null && [ -x /usr/sbin/pgbouncer ]; then PATH=$PATH:/usr/sbin; fi
if [ -z "${PGBOUNCER_BIN:-}" ] && ! command -v pgbouncer >/dev/null; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "ensure-pgbouncer: no pgbouncer; as root: apt-get install -y pgbouncer" >&2
    exit 1
  fi
  echo "ensure-pgbouncer: installing pgbouncer"
  # A fresh machine may have no package lists yet.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
  PATH=$PATH:/usr/sbin
fi
mkdir -p "$RUNDIR"
sed -e "s#@DIR@#$DIR#g" -e "s#@RUNDIR@#$RUNDIR#g" -e "s#^listen_port = .*#listen_port = $PORT#" "$DIR/pgbouncer.ini" > "$RUNDIR/pgbouncer.ini"
cp "$DIR/userlist.txt" "$RUNDIR/userlist.txt"
sed -i "s#^auth_file = .*#auth_file = $RUNDIR/userlist.txt#" "$RUNDIR/pgbouncer.ini"
if [ -n "${PGBOUNCER_MAX_PREPARED:-}" ]; then sed -i "s#^\[pgbouncer\]\$#[pgbouncer]\nmax_prepared_statements = $PGBOUNCER_MAX_PREPARED#" "$RUNDIR/pgbouncer.ini"; fi
USER_FLAG=()
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$RUNDIR"
  USER_FLAG=(-u postgres)
fi
echo "ensure-pgbouncer: starting PgBouncer on 127.0.0.1:$PORT (log $RUNDIR/pgbouncer.log)"
${PGBOUNCER_BIN:-pgbouncer} -d "${USER_FLAG[@]}" "$RUNDIR/pgbouncer.ini"
for _ in $(seq 1 20); do
  if up; then exit 0; fi
  sleep 0.5
done
echo "ensure-pgbouncer: PgBouncer did not answer on 127.0.0.1:$PORT; its log:" >&2
tail -n 15 "$RUNDIR/pgbouncer.log" >&2 || true
exit 1

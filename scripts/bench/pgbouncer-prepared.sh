#!/usr/bin/env bash
# A second PgBouncer, 1.24 with max_prepared_statements = 500, on 127.0.0.1:${PGBOUNCER_PORT:-6433}:
# what the Kubernetes overlay's CloudNativePG Pooler runs (k8s/base/postgres-pooler.yaml), so that
# `PGBOUNCER_PORT=6433 npm run bench:fleet -- --prepared true` measures workers keeping their named
# prepared statements through transaction pooling. Debian 12's own PgBouncer (1.18, the test
# step's, on 6432) cannot carry them. Built once from Debian 13's source tarball (checked against
# its sha256) into PGBOUNCER_BUILD_DIR; needs root for apt-get (gcc, make, libevent-dev,
# libssl-dev, pkg-config). Stop it with: kill "$(cat "$PGBOUNCER_RUNDIR/pgbouncer.pid")".
set -euo pipefail

VERSION=1.24.1
SHA256=da72a3aba13072876d055a3e58dd4aba4a5de4ed6148e73033185245598fd3e0
URL=http://deb.debian.org/debian/pool/main/p/pgbouncer/pgbouncer_${VERSION}.orig.tar.gz
BUILD=${PGBOUNCER_BUILD_DIR:-/tmp/aiopslab-pgbouncer-$VERSION}
BIN=$BUILD/inst/bin/pgbouncer
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -x "$BIN" ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc make libevent-dev libssl-dev pkg-config >/dev/null
  fi
  mkdir -p "$BUILD"
  echo "pgbouncer-prepared: building PgBouncer $VERSION in $BUILD"
  curl -fsS -o "$BUILD/src.tar.gz" "$URL" || {
    echo "pgbouncer-prepared: could not download $URL (Debian 13 may have moved past $VERSION: set VERSION and SHA256 from its Sources index)" >&2
    exit 1
  }
  echo "$SHA256  $BUILD/src.tar.gz" | sha256sum -c --quiet
  tar -xzf "$BUILD/src.tar.gz" -C "$BUILD"
  (cd "$BUILD/pgbouncer-$VERSION" && ./configure --prefix="$BUILD/inst" --without-cares --without-pam --without-systemd >"$BUILD/build.log" 2>&1 && make -j"$(nproc)" >>"$BUILD/build.log" 2>&1 && make install >>"$BUILD/build.log" 2>&1) || {
    echo "pgbouncer-prepared: the build failed; its log: $BUILD/build.log" >&2
    exit 1
  }
fi
PGBOUNCER_BIN=$BIN PGBOUNCER_MAX_PREPARED=500 PGBOUNCER_PORT=${PGBOUNCER_PORT:-6433} PGBOUNCER_RUNDIR=${PGBOUNCER_RUNDIR:-/tmp/aiopslab-pgbouncer-prepared} \
  exec bash "$ROOT/scripts/ensure-pgbouncer.sh"

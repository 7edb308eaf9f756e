#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's chromium through playwright-core (which cannot
# download a browser here). Installs it when missing; CHROMIUM_PATH overrides where it is.
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-chromium: installing chromium (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[ -x "$CHROMIUM" ] || { echo "ensure-chromium: no browser at $CHROMIUM; apt-get install -y chromium (or set CHROMIUM_PATH)" >&2; exit 1; }

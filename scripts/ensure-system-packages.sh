#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: Debian's python3 packages
# that the real AIOpsLab source imports (the real-source runner suite), chromium (the
# dashboard's browser tests), and Debian's Docker engine with a static busybox (the worker's
# Docker code and the Kind-network isolation tests run against a real dockerd; their images are
# built locally from busybox by ensure-test-images.sh, since nothing can be pulled here).
# Needs root and apt-get; otherwise it says what to install.
set -euo pipefail

PYTHON=${AIOPSLAB_PYTHON:-/usr/bin/python3}
PYTHON_PACKAGES="python3-kubernetes python3-pandas python3-yaml python3-rich python3-tz python3-requests python3-elasticsearch python3-paramiko python3-docker python3-colorama python3-pydantic"
PYTHON_MODULES="kubernetes, pandas, yaml, rich, pytz, requests, elasticsearch, paramiko, docker, colorama, pydantic"

missing=()
if ! "$PYTHON" -c "import $PYTHON_MODULES" >/dev/null 2>&1; then missing+=($PYTHON_PACKAGES); fi
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then missing+=(chromium); fi
# dockerd, not the docker CLI: a newer CLI may already be installed without any engine.
if ! command -v dockerd >/dev/null; then missing+=(docker.io); fi
# The static build: the test images are a root filesystem holding busybox alone.
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed"; then missing+=(busybox-static); fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "ensure-system-packages: Debian python3 packages, chromium, dockerd and busybox are present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-system-packages: missing; install as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "ensure-system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
"$PYTHON" -c "import $PYTHON_MODULES"
[ -x "$CHROMIUM" ] || { echo "ensure-system-packages: no browser at $CHROMIUM after the install; set CHROMIUM_PATH" >&2; exit 1; }
command -v dockerd >/dev/null || { echo "ensure-system-packages: no dockerd after installing docker.io" >&2; exit 1; }
echo "ensure-system-packages: installed"

#!/usr/bin/env bash
# Builds the local images the Docker-engine tests run, when they are absent. Nothing can be
# pulled on the development machines, so each image is a root filesystem holding Debian's static
# busybox alone (busybox-static, installed by ensure-system-packages.sh), made with `docker import`:
#   aiopslab-test/kind-node:busybox  what the kind stand-in starts as a Kind node (`sleep`, `sh`,
#                                    `hostname`), and the isolation test's listeners and probes (`nc`)
# Idempotent: an image that exists is left alone. Needs a Docker engine that answers.
set -euo pipefail

IMAGE=${AIOPSLAB_TEST_NODE_IMAGE:-aiopslab-test/kind-node:busybox}
BUSYBOX=${BUSYBOX:-/bin/busybox}

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "ensure-test-images: $IMAGE is present"
  exit 0
fi
if [ ! -x "$BUSYBOX" ]; then
  echo "ensure-test-images: no busybox at $BUSYBOX: apt-get install -y busybox-static (or set BUSYBOX)" >&2
  exit 1
fi
# ldd succeeds only on a dynamically linked program, which could not run alone in the image.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "ensure-test-images: $BUSYBOX is dynamically linked; the image needs Debian's busybox-static" >&2
  exit 1
fi

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/run" "$rootfs/var"
chmod 1777 "$rootfs/tmp"
cp "$BUSYBOX" "$rootfs/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/bin' \
  --change 'CMD ["/bin/sleep", "1d"]' \
  --change 'LABEL org.opencontainers.image.description="aiopslab test image: static busybox (scripts/ensure-test-images.sh)"' \
  - "$IMAGE" >/dev/null
echo "ensure-test-images: built $IMAGE from $BUSYBOX"

#!/bin/sh
# Pulls an image list (AIOpsLab's kind/images.txt format: one image per line, `//` or `#`
# comments) into the Docker engine, so the workers' `kind load docker-image` finds the images
# there when they create a cluster (KIND_PRELOAD_IMAGES). Images already present are skipped, a
# failed pull is reported and skipped (some listed images live in registries only upstream can
# reach), so the script can be re-run at any time. AIOpsLab's kind/pull_images.sh does the same
# but stops with an error on the first unreachable image.
#   usage: pull-images.sh [image-list]     (default: /images.txt)
set -u
list="${1:-/images.txt}"
[ -r "$list" ] || { echo "pull-images: cannot read the image list $list" >&2; exit 1; }
pulled=0; present=0; failed=0
while IFS= read -r line || [ -n "$line" ]; do
  image="$(printf '%s' "$line" | tr -d '\r' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
  case "$image" in ''|//*|'#'*) continue ;; esac
  if docker image inspect "$image" >/dev/null 2>&1; then
    present=$((present + 1)); continue
  fi
  if docker pull --quiet "$image" >/dev/null 2>&1; then
    pulled=$((pulled + 1)); echo "pulled $image"
  else
    failed=$((failed + 1)); echo "could not pull $image (skipped)" >&2
  fi
done < "$list"
echo "pull-images: $pulled pulled, $present already present, $failed failed"

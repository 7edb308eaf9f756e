# The Kind node image the workers pin (KIND_NODE_IMAGE default: aiopslab/kind-node:v1.32.1).
# It is AIOpsLab's kind/Dockerfile (kindest/node:v1.32.1 + udev + socat: OpenEBS NDM needs udev)
# at the commit the worker image pins, built here with a version tag instead of upstream's
# published jacksonarthurclark/aiopslab-kind-x86:latest, so every worker boots the same nodes.
#   docker compose --profile kind build kind-node-image
#   (or: docker build -f services/worker/kind/node.Dockerfile -t aiopslab/kind-node:v1.32.1 services/worker/kind)
# kind v0.27.0 (the worker image's) boots it, as it does in AIOpsLab's CI. To pin by digest, pass
# --build-arg KIND_NODE_BASE=kindest/node:v1.32.1@sha256:<digest>.
ARG KIND_NODE_BASE=kindest/node:v1.32.1
FROM ${KIND_NODE_BASE}
RUN apt-get update \
 && apt-get install -y udev socat \
 && rm -rf /var/lib/apt/lists/*

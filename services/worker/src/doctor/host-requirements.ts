/**
 * Every threshold the doctor checks against, in one place, each with where it comes from.
 * Upstream paths are AIOpsLab's at the pinned commit (shared/upstream/aiopslab).
 */

const GiB = 1024 ** 3;

/** Minimum versions of the tools a Kind worker drives. */
export const TOOL_MINIMA = {
  /** `.github/workflows/integration-test.yml` and `kind/README.md` install kind v0.27.0. */
  kind: { minimum: '0.27.0', source: "AIOpsLab's CI workflow and kind/README.md install kind v0.27.0" },
  /**
   * The nodes run Kubernetes v1.32.1 (`kind/Dockerfile`: kindest/node:v1.32.1), `kind/README.md`
   * installs kubectl from the v1.32 channel, and Kubernetes supports kubectl within one minor
   * version of the API server.
   */
  kubectl: { minimum: '1.31.0', source: 'the Kind nodes run Kubernetes v1.32.1 (kind/Dockerfile); kubectl is supported within one minor version of it' },
  /** The Prometheus chart is `apiVersion: v2` (Helm 3 only); the CI installs the latest Helm 3 (get-helm-3). */
  helm: { minimum: '3.0.0', source: "AIOpsLab's Prometheus chart needs Helm 3 (Chart apiVersion v2); its CI installs Helm 3 with get-helm-3" },
} as const;

/** The major Helm version AIOpsLab's CI runs; a newer major is reported as untested. */
export const HELM_TESTED_MAJOR = 3;

/**
 * fs.inotify limits for one Kind cluster, from kind's known issues ("Pod errors due to too many
 * open files"). The limits are per user and not namespaced: every node container's processes run
 * as the same host user (root), so all the clusters on a host share one budget; the doctor asks for
 * this much per planned worker.
 */
export const INOTIFY_PER_WORKER = { maxUserInstances: 512, maxUserWatches: 524_288 } as const;

/** Where the doctor's sysctl fix writes the persistent setting. */
export const SYSCTL_FILE = '/etc/sysctl.d/99-aiopslab-kind.conf';

/**
 * Memory per worker (one Kind cluster with OpenEBS, Prometheus and one application).
 * Minimum: upstream verified its Kind setup on a 4 vCPU / 8 GB machine (kind/README.md, "System
 * Compatibility"). Recommended: the GitHub-hosted ubuntu-latest runner its CI runs on (4 CPUs,
 * 16 GB RAM, 14 GB SSD for public repositories).
 */
export const MEMORY_PER_WORKER = { minimumBytes: 8 * GiB, recommendedBytes: 16 * GiB } as const;

/**
 * CPUs per worker. Minimum: kubeadm's 2 CPUs for a control-plane node (every Kind cluster has one).
 * Recommended: the 4 CPUs of upstream's verified machine and of its CI runner.
 */
export const CPUS_PER_WORKER = { minimum: 2, recommended: 4 } as const;

/**
 * Free disk per worker. Docker's data root holds each cluster's node containers and their
 * containerd image stores (two nodes, each with its own copy): the CI runner does one cluster's
 * whole job in its 14 GB SSD, so 15 GiB per worker is the minimum and twice that leaves room for
 * `kind load` and application images. WORK_DIR holds each attempt's working directory, sessions
 * (up to SESSION_MAX_BYTES) and metric and trace output: 2 GiB per worker is our estimate.
 */
export const DISK_PER_WORKER = {
  dockerRoot: { minimumBytes: 15 * GiB, recommendedBytes: 30 * GiB },
  workDir: { minimumBytes: 2 * GiB, recommendedBytes: 4 * GiB },
} as const;

/** At most this many missing images are named in the report. */
export const MISSING_IMAGES_SHOWN = 5;

export function formatBytes(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

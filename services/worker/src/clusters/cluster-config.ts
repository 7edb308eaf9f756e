import type { ClusterProviderName } from './cluster-provider';

/** The pinned Kind node image: upstream's kind/Dockerfile (kindest/node:v1.32.1 + udev + socat), built locally. */
export const DEFAULT_KIND_NODE_IMAGE = 'aiopslab/kind-node:v1.32.1';

/** What AIOpsLab's init_problem applies (and its teardown deletes), and its CI pre-installs. */
export const DEFAULT_OPENEBS_MANIFEST = 'https://openebs.github.io/charts/openebs-operator.yaml';

/**
 * The worker's cluster settings, as JSON-Schema properties of its environment (merged into the
 * worker's config schema, in the style of `commonEnvProperties`). Every property is one variable.
 */
export const clusterEnvProperties = {
  CLUSTER_PROVIDER: {
    type: 'string',
    enum: ['kind', 'existing', 'none'],
    default: 'none',
    description: 'kind (a dedicated Kind cluster per worker), existing (EXISTING_KUBECONFIG) or none (no cluster)',
  },
  KIND_CONFIG: {
    type: 'string',
    minLength: 1,
    description: 'Kind cluster config file; default: services/worker/kind/kind-config-x86.yaml (AIOpsLab kind config)',
  },
  KIND_NODE_IMAGE: {
    type: 'string',
    minLength: 1,
    default: DEFAULT_KIND_NODE_IMAGE,
    description: `node image for every Kind node (kind --image), overriding the config file; default ${DEFAULT_KIND_NODE_IMAGE}, built from services/worker/kind/node.Dockerfile (docs/real-aiopslab.md); on arm64 e.g. jacksonarthurclark/aiopslab-kind-arm:latest`,
  },
  CLUSTER_SETUP_TIMEOUT_SECONDS: {
    type: 'integer',
    minimum: 60,
    default: 3600,
    description:
      "seconds one cluster preparation may take between tasks (create, image preload, reset after a dirty run, recreate, warm-up); a preparation that fails or overruns makes the worker unhealthy with the reason and it retries after a backoff. No task's timeout covers it",
  },
  KIND_KEEP_CLUSTER: { type: 'boolean', default: false, description: 'true to keep the Kind cluster when the worker shuts down' },
  KIND_INTERNAL_KUBECONFIG: {
    type: 'boolean',
    default: false,
    description: "true when the worker runs in a container on the kind network: the kubeconfig then names the control plane's container address (kind export kubeconfig --internal), not a host port",
  },
  KIND_RECREATE_AFTER_TASKS: {
    type: 'integer',
    minimum: 0,
    default: 0,
    description: 'recreate the Kind cluster after this many tasks (0 = only when it is unhealthy, or when a reset after a dirty run or the warm-up keeps failing)',
  },
  KIND_CREATE_TIMEOUT_SECONDS: { type: 'integer', minimum: 30, default: 900, description: 'seconds `kind create cluster` may take' },
  KIND_WAIT_SECONDS: { type: 'integer', minimum: 0, default: 300, description: 'seconds kind waits for the control plane (kind --wait)' },
  CLUSTER_HEALTH_TIMEOUT_SECONDS: { type: 'integer', minimum: 1, default: 20, description: 'seconds each kubectl health probe may take' },
  KIND_PRELOAD_IMAGES: {
    type: 'boolean',
    default: true,
    description: 'true loads the images of KIND_PRELOAD_APPS (or KIND_PRELOAD_IMAGES_FILE) that the Docker engine already holds into each new Kind cluster (kind load docker-image)',
  },
  KIND_PRELOAD_APPS: {
    type: 'string',
    pattern: '^\\s*[a-z_]+(\\s*,\\s*[a-z_]+)*\\s*$',
    default: 'all',
    description:
      'apps whose images are loaded into each new Kind cluster besides Prometheus, OpenEBS and the wrk2 workload (Chaos Mesh comes with hotel_reservation): all, or a comma-separated list of hotel_reservation, social_network, astronomy_shop, tidb_with_operator, train_ticket, flight_ticket, flower (services/worker/kind/images-by-app.json); ignored when KIND_PRELOAD_IMAGES_FILE is set',
  },
  KIND_PRELOAD_IMAGES_FILE: {
    type: 'string',
    minLength: 1,
    description: "an explicit image list to preload instead of KIND_PRELOAD_APPS' images, one per line ('//' or '#' comments), e.g. AIOpsLab's kind/images.txt (services/worker/kind/images.txt)",
  },
  KIND_PRELOAD_TIMEOUT_SECONDS: { type: 'integer', minimum: 30, default: 1800, description: 'seconds loading the whole list may take (one `kind load docker-image` per image)' },
  KIND_WARM: {
    type: 'boolean',
    default: true,
    description: "true pre-installs what AIOpsLab's CI pre-installs (OpenEBS as the default storage class, Prometheus) into each new Kind cluster, and re-installs them after each task that removed them, before the worker consumes again",
  },
  KIND_WARM_TIMEOUT_SECONDS: { type: 'integer', minimum: 30, default: 600, description: "seconds each warm-up readiness wait may take (AIOpsLab's CI: 600; AIOpsLab itself waits 300)" },
  KIND_WARM_OPENEBS_MANIFEST: {
    type: 'string',
    minLength: 1,
    default: DEFAULT_OPENEBS_MANIFEST,
    description: 'OpenEBS operator manifest (URL or file) applied by the warm-up; the same URL AIOpsLab applies and deletes',
  },
  KIND_WARM_AIOPSLAB_DIR: {
    type: 'string',
    minLength: 1,
    default: '/opt/aiopslab',
    description: "AIOpsLab checkout whose Prometheus chart (aiopslab/observer/prometheus/prometheus) and PVC the warm-up installs; the worker image's is /opt/aiopslab",
  },
  EXISTING_KUBECONFIG: { type: 'string', minLength: 1, description: 'kubeconfig file of the cluster to use with CLUSTER_PROVIDER=existing' },
  EXISTING_CONTEXT: { type: 'string', minLength: 1, description: 'context in EXISTING_KUBECONFIG; default: its current context' },
  EXISTING_AGENT_SHELL: {
    type: 'string',
    enum: ['localhost', 'ssh'],
    default: 'localhost',
    description: "where the agent's exec_shell runs with CLUSTER_PROVIDER=existing, as upstream offers: localhost (in the runner's environment, with an allowlisted set of variables and no credentials) or ssh (EXISTING_SSH_HOST)",
  },
  EXISTING_LOCALHOST_SHELL_ALLOW_CREDENTIALS: {
    type: 'boolean',
    default: false,
    description: "true lets a worker with EXISTING_AGENT_SHELL=localhost start while credentials (…KEY, …TOKEN) reach its runner; the agent's commands can read them from the runner's environment",
  },
  EXISTING_SSH_HOST: { type: 'string', minLength: 1, description: 'host the agent shell reaches over ssh (EXISTING_AGENT_SHELL=ssh)' },
  EXISTING_SSH_USER: { type: 'string', minLength: 1, description: 'ssh user for the agent shell (default root)' },
  EXISTING_SSH_KEY: { type: 'string', minLength: 1, description: 'ssh private key file for the agent shell (default ~/.ssh/id_rsa of the run)' },
} as const;

export interface ClusterConfig {
  CLUSTER_PROVIDER: ClusterProviderName;
  KIND_CONFIG?: string;
  KIND_NODE_IMAGE: string;
  CLUSTER_SETUP_TIMEOUT_SECONDS: number;
  KIND_KEEP_CLUSTER: boolean;
  KIND_INTERNAL_KUBECONFIG: boolean;
  KIND_RECREATE_AFTER_TASKS: number;
  KIND_CREATE_TIMEOUT_SECONDS: number;
  KIND_WAIT_SECONDS: number;
  CLUSTER_HEALTH_TIMEOUT_SECONDS: number;
  KIND_PRELOAD_IMAGES: boolean;
  KIND_PRELOAD_APPS: string;
  KIND_PRELOAD_IMAGES_FILE?: string;
  KIND_PRELOAD_TIMEOUT_SECONDS: number;
  KIND_WARM: boolean;
  KIND_WARM_TIMEOUT_SECONDS: number;
  KIND_WARM_OPENEBS_MANIFEST: string;
  KIND_WARM_AIOPSLAB_DIR: string;
  EXISTING_KUBECONFIG?: string;
  EXISTING_CONTEXT?: string;
  EXISTING_AGENT_SHELL: 'localhost' | 'ssh';
  EXISTING_LOCALHOST_SHELL_ALLOW_CREDENTIALS: boolean;
  EXISTING_SSH_HOST?: string;
  EXISTING_SSH_USER?: string;
  EXISTING_SSH_KEY?: string;
}

/** The defaults above, for callers (tests, dry runs) that build a config without loadConfig. */
export const DEFAULT_CLUSTER_CONFIG: Readonly<ClusterConfig> = Object.freeze({
  CLUSTER_PROVIDER: 'none',
  CLUSTER_SETUP_TIMEOUT_SECONDS: 3600,
  KIND_KEEP_CLUSTER: false,
  KIND_INTERNAL_KUBECONFIG: false,
  KIND_RECREATE_AFTER_TASKS: 0,
  KIND_CREATE_TIMEOUT_SECONDS: 900,
  KIND_WAIT_SECONDS: 300,
  CLUSTER_HEALTH_TIMEOUT_SECONDS: 20,
  EXISTING_AGENT_SHELL: 'localhost',
  EXISTING_LOCALHOST_SHELL_ALLOW_CREDENTIALS: false,
  KIND_NODE_IMAGE: DEFAULT_KIND_NODE_IMAGE,
  KIND_PRELOAD_IMAGES: true,
  KIND_PRELOAD_APPS: 'all',
  KIND_PRELOAD_TIMEOUT_SECONDS: 1800,
  KIND_WARM: true,
  KIND_WARM_TIMEOUT_SECONDS: 600,
  KIND_WARM_OPENEBS_MANIFEST: DEFAULT_OPENEBS_MANIFEST,
  KIND_WARM_AIOPSLAB_DIR: '/opt/aiopslab',
});

/**
 * Rules that span variables (JSON Schema here stays one property per variable). The worker's config
 * loader may report these with the schema errors; checkPrerequisites enforces them anyway.
 */
export function clusterConfigProblems(config: Partial<ClusterConfig>): string[] {
  const problems: string[] = [];
  if (config.CLUSTER_PROVIDER === 'existing' && !config.EXISTING_KUBECONFIG) {
    problems.push('EXISTING_KUBECONFIG is required with CLUSTER_PROVIDER=existing (path of the kubeconfig of the cluster to use)');
  }
  if (config.EXISTING_AGENT_SHELL === 'ssh' && !config.EXISTING_SSH_HOST) {
    problems.push('EXISTING_SSH_HOST is required with EXISTING_AGENT_SHELL=ssh (the host the agent shell reaches)');
  }
  return problems;
}

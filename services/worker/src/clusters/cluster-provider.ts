/**
 * Where a task's problem runs. One provider per worker, chosen by CLUSTER_PROVIDER:
 * `kind` (a dedicated Kind cluster per worker), `existing` (a given kubeconfig/context),
 * `none` (no cluster: stand-in runners and dry runs).
 */
export type ClusterProviderName = 'kind' | 'existing' | 'none';

/** What the runner is told about its cluster (docs/runner-protocol.md, `cluster` in the spec). */
export interface ClusterHandle {
  provider: ClusterProviderName;
  /** Kind cluster name (AIOPSLAB_CLUSTER), or null. */
  name: string | null;
  /** Path of the kubeconfig whose current context is this cluster, or null. */
  kubeconfig: string | null;
  context: string | null;
  /** How this acquisition got the cluster ready (kind only): stored in the task's result as `cluster`. */
  timing?: ClusterTiming;
}

/**
 * What the last prepare() did, between the previous task and this one, in seconds: none of it
 * counted against the task's timeout. `created`: a new cluster (first use or `recreate_reason`);
 * `reused`: the previous task's cluster. `reset_s`: the problem's own cleanup and the namespace
 * sweep after a dirty run. `warm_s` covers the warm-up check and any (re-)install; `warm_installed`
 * names what was (re-)installed (AIOpsLab's teardown removes Prometheus and OpenEBS after every
 * problem, so a reused cluster usually needs both again). `setup_s`: all of prepare().
 */
export interface ClusterTiming {
  provider: ClusterProviderName;
  name: string | null;
  created: boolean;
  reused: boolean;
  recreate_reason: string | null;
  create_s: number | null;
  preload_s: number | null;
  images_loaded: number;
  reset: ClusterReset | null;
  warm_s: number | null;
  warm_installed: string[];
  setup_s: number;
  prepared_at: string;
}

/** What the reset after a dirty run did (cluster-reset.ts). */
export interface ClusterReset {
  reset_s: number;
  /** null: the problem's cleanup succeeded (or there was no spec to clean up after); else why not. */
  cleanup_error: string | null;
  swept_namespaces: string[];
}

/**
 * How an attempt left the cluster. `untouched`: the runner never reached it (no runner, a bad
 * spec or agent config, an unsupported problem); `clean`: the problem ran and its teardown
 * succeeded; `dirty`: faults may remain (a failed, stopped or killed run).
 */
export type ClusterUsage = 'untouched' | 'clean' | 'dirty';

/**
 * The worker's cluster, whose lifecycle is the worker's, not the task's: prepare() runs between
 * tasks while the worker consumes nothing, on the cluster-setup budget; acquire() at a task's
 * start only hands out what prepare() made ready.
 */
export interface ClusterProvider {
  readonly name: ClusterProviderName;
  /** Checks prerequisites (binaries, sockets); throws with what to install or which provider to choose. */
  checkPrerequisites(): Promise<void>;
  /** At worker start: e.g. remove orphaned clusters of offline workers. Creates nothing. */
  start(): Promise<void>;
  /** False until prepare() succeeds, and again after a task that used the cluster. */
  readonly isReady: boolean;
  /**
   * Makes the cluster ready for the next task: create, reset after a dirty run, recreate when
   * unhealthy or due, warm. Throws a ClusterError; `signal` aborts it (setup budget, shutdown).
   */
  prepare(signal: AbortSignal): Promise<ClusterTiming | null>;
  /** At a task's start: the prepared cluster, after a quick probe. Throws cluster_unavailable (the task is handed back, not charged). */
  acquire(): Promise<ClusterHandle>;
  /** After each task: how it left the cluster, and its spec file (for the problem's own cleanup). */
  release(usage: ClusterUsage, specFile: string | null): Promise<void>;
  /** On worker shutdown: delete unless configured to keep it. */
  shutdown(): Promise<void>;
}

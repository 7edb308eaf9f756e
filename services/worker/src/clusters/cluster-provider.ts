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
 * What acquire() did before this task, in seconds. `created`: a new cluster (first use or
 * `recreate_reason`); `reused`: the previous task's cluster. `warm_s` covers the warm-up check and
 * any (re-)install; `warm_installed` names what was (re-)installed (AIOpsLab's teardown removes
 * Prometheus and OpenEBS after every problem, so a reused cluster usually needs both again).
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
  warm_s: number | null;
  warm_installed: string[];
}

/** How the last run left the cluster: a failed or killed run may leave faults injected. */
export type RunOutcome = 'clean' | 'dirty';

export interface ClusterProvider {
  readonly name: ClusterProviderName;
  /** Checks prerequisites (binaries, sockets); throws with what to install or which provider to choose. */
  checkPrerequisites(): Promise<void>;
  /** At worker start: e.g. remove orphaned clusters of offline workers. */
  start(): Promise<void>;
  /** Before each task: create on first use, health-check, recreate when unhealthy or due. */
  acquire(): Promise<ClusterHandle>;
  /** After each task. */
  release(outcome: RunOutcome): Promise<void>;
  /** On worker shutdown: delete unless configured to keep it. */
  shutdown(): Promise<void>;
}

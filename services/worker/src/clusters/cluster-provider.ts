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

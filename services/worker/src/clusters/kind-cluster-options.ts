import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterMetrics } from './cluster-metrics';
import type { ProblemCleanup } from './cluster-reset';
import type { CommandRunner } from './command-runner';
import type { KindWarmupOptions } from './kind-warmup';

export interface KindClusterOptions {
  workerId: string;
  /** Per-worker directory: the kubeconfig and the cluster state file live here. */
  workDir: string;
  configFile: string;
  nodeImage?: string;
  keepCluster: boolean;
  /** 0 = never recreate because of the task count. */
  recreateAfterTasks: number;
  createTimeoutMs: number;
  waitSeconds: number;
  healthTimeoutMs: number;
  /** How long a fresh cluster may take to become healthy, and an existing one to recover. */
  readyGraceMs: { created: number; existing: number };
  pollIntervalMs: number;
  /** Host directory AIOpsLab's kind config mounts (OpenEBS NDM needs it). */
  udevDir: string;
  /** The worker runs on the kind network (docker compose): use the control plane's internal address. */
  internalKubeconfig?: boolean;
  /** Image preload after creation and warm components before each task (KIND_PRELOAD_*, KIND_WARM_*). */
  warmup: KindWarmupOptions;
}

export interface KindClusterDeps {
  run: CommandRunner;
  /** PATH the runner uses, to check prerequisites. */
  pathVariable: string | undefined;
  docker: Docker;
  logger: Logger;
  metrics: ClusterMetrics;
  isWorkerActive: (workerId: string) => Promise<boolean>;
  /** The problem's own cleanup after a dirty run (RUNNER_COMMAND --cleanup-problem); null: sweep only. */
  cleanupProblem: ProblemCleanup | null;
}

import path from 'node:path';
import type Docker from 'dockerode';
import type { Registry } from 'prom-client';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterProvider, ClusterProviderName } from './cluster-provider';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from './cluster-config';
import { createCommandRunner, type CommandRunner } from './command-runner';
import { createClusterMetrics } from './cluster-metrics';
import { NoneClusterProvider } from './none-cluster';
import { DEFAULT_KIND_CONFIG, KindClusterProvider } from './kind-cluster';
import { parsePreloadApps } from './preload-selection';
import { ExistingClusterProvider } from './existing-cluster';
import type { ProblemCleanup } from './cluster-reset';

export interface ClusterProviderDeps {
  logger: Logger;
  metricsRegistry: Registry;
  workerId: string;
  /** Per-worker directory for the kubeconfig and cluster state (not shared with other workers). */
  workDir: string;
  /** Reads the workers table: false for an offline or unknown worker (its cluster is an orphan). */
  isWorkerActive: (workerId: string) => Promise<boolean>;
  /** Docker Engine client; default: dockerode's default (DOCKER_HOST or /var/run/docker.sock). */
  docker?: Docker;
  /** Environment of the kind/kubectl child processes (its PATH picks the binaries): the worker's (settings.toolEnv). */
  commandEnv: Readonly<Record<string, string | undefined>>;
  /** Replaces the execFile runner (tests). */
  runCommand?: CommandRunner;
  /** Host directory the kind nodes mount; default /run/udev. */
  udevDir?: string;
  /** Health polling while a cluster comes up; default 2 s. */
  pollIntervalMs?: number;
  /** How long a new kind cluster may take to turn healthy (default max(KIND_WAIT_SECONDS, 60) s) and an existing one to recover (default 3 polls). */
  readyGraceMs?: { created: number; existing: number };
  /** The problem's own cleanup after a dirty run (RUNNER_COMMAND --cleanup-problem); default: none. */
  cleanupProblem?: ProblemCleanup;
}

/**
 * The provider named by CLUSTER_PROVIDER. `createClusterProvider('none')` needs nothing else;
 * `kind` and `existing` need the worker's settings (clusterEnvProperties) and dependencies, e.g.
 * `createClusterProvider(settings.env, { logger, metricsRegistry, workerId, workDir, isWorkerActive })`.
 */
export function createClusterProvider(config: ClusterProviderName | Partial<ClusterConfig>, deps?: ClusterProviderDeps): ClusterProvider {
  const settings: ClusterConfig = { ...DEFAULT_CLUSTER_CONFIG, ...(typeof config === 'string' ? { CLUSTER_PROVIDER: config } : config) };
  const provider = settings.CLUSTER_PROVIDER;
  if (provider === 'none') return new NoneClusterProvider();
  if (provider !== 'kind' && provider !== 'existing') throw new Error(`CLUSTER_PROVIDER=${String(provider)} is unknown; use kind, existing or none`);
  if (!deps) throw new Error(`CLUSTER_PROVIDER=${provider} needs the worker's dependencies (logger, metricsRegistry, workerId, workDir, isWorkerActive)`);

  const commandEnv = deps.commandEnv;
  const run = deps.runCommand ?? createCommandRunner(commandEnv);
  const metrics = createClusterMetrics(deps.metricsRegistry);
  const healthTimeoutMs = settings.CLUSTER_HEALTH_TIMEOUT_SECONDS * 1000;
  const pollIntervalMs = deps.pollIntervalMs ?? 2000;

  if (provider === 'existing') {
    return new ExistingClusterProvider(
      {
        kubeconfig: settings.EXISTING_KUBECONFIG,
        context: settings.EXISTING_CONTEXT,
        workDir: deps.workDir,
        healthTimeoutMs,
        sshKey: settings.EXISTING_AGENT_SHELL === 'ssh' ? (settings.EXISTING_SSH_KEY ?? path.join(commandEnv.HOME ?? '/root', '.ssh', 'id_rsa')) : undefined,
      },
      { run, pathVariable: commandEnv.PATH, logger: deps.logger, metrics, cleanupProblem: deps.cleanupProblem ?? null },
    );
  }
  return new KindClusterProvider(
    {
      workerId: deps.workerId,
      workDir: deps.workDir,
      configFile: settings.KIND_CONFIG ? path.resolve(settings.KIND_CONFIG) : DEFAULT_KIND_CONFIG,
      nodeImage: settings.KIND_NODE_IMAGE,
      keepCluster: settings.KIND_KEEP_CLUSTER,
      internalKubeconfig: settings.KIND_INTERNAL_KUBECONFIG,
      recreateAfterTasks: settings.KIND_RECREATE_AFTER_TASKS,
      createTimeoutMs: settings.KIND_CREATE_TIMEOUT_SECONDS * 1000,
      waitSeconds: settings.KIND_WAIT_SECONDS,
      healthTimeoutMs,
      readyGraceMs: deps.readyGraceMs ?? { created: Math.max(settings.KIND_WAIT_SECONDS, 60) * 1000, existing: 3 * pollIntervalMs },
      pollIntervalMs,
      udevDir: deps.udevDir ?? '/run/udev',
      warmup: {
        preload: {
          enabled: settings.KIND_PRELOAD_IMAGES,
          listFile: settings.KIND_PRELOAD_IMAGES_FILE ? path.resolve(settings.KIND_PRELOAD_IMAGES_FILE) : undefined,
          apps: parsePreloadApps(settings.KIND_PRELOAD_APPS),
          timeoutMs: settings.KIND_PRELOAD_TIMEOUT_SECONDS * 1000,
        },
        warm: {
          enabled: settings.KIND_WARM,
          openebsManifest: settings.KIND_WARM_OPENEBS_MANIFEST,
          aiopslabDir: path.resolve(settings.KIND_WARM_AIOPSLAB_DIR),
          timeoutMs: settings.KIND_WARM_TIMEOUT_SECONDS * 1000,
          pollIntervalMs,
        },
      },
    },
    { run, pathVariable: commandEnv.PATH, docker: deps.docker ?? newDockerClient(), logger: deps.logger, metrics, isWorkerActive: deps.isWorkerActive, cleanupProblem: deps.cleanupProblem ?? null },
  );
}

/** dockerode (about 20 MB resident) is loaded only by workers that use Kind. */
export function newDockerClient(): Docker {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const DockerClient = require('dockerode') as typeof Docker;
  return new DockerClient();
}

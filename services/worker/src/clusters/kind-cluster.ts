import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterHandle, ClusterProvider, ClusterTiming, ClusterUsage } from './cluster-provider';
import { abortableRunner, type CommandRunner } from './command-runner';
import type { KindClusterDeps, KindClusterOptions } from './kind-cluster-options';
import { ClusterError } from './cluster-errors';
import { PrerequisiteReport } from './cluster-prerequisites';
import { probeClusterHealth, waitUntilHealthy, type ClusterHealth } from './cluster-health';
import { removeOrphanedKindClusters } from './orphaned-kind-clusters';
import { KindClusterState, type RecreateReason } from './kind-cluster-state';
import { KindCli } from './kind-cli';
import { createKindCluster } from './kind-creation';
import { KindWarmup } from './kind-warmup';
import { ensureUdevDir, warnIfNodeImageAbsent } from './kind-host';
import { resetCluster } from './cluster-reset';
import { throwIfAborted } from './abortable';
import { ResetSpec } from './reset-spec';

/** AIOpsLab's kind config (one control-plane + one worker node, /run/udev mounted), checked in. */
export const DEFAULT_KIND_CONFIG = path.resolve(__dirname, '../../kind/kind-config-x86.yaml');

/**
 * kind accepts cluster names of [a-z0-9.-], at most 50 characters (the control-plane container's
 * hostname, `<name>-control-plane`, must fit in 64): `worker-<id>-kind` leaves 38 for the id.
 */
const WORKER_ID_FOR_KIND = /^[a-z0-9][a-z0-9.-]{0,37}$/;

/**
 * One dedicated Kind cluster per worker, `worker-<id>-kind`, with its own kubeconfig file. Between
 * tasks prepare() creates it (first use), resets it after a dirty run (the problem's cleanup and a
 * namespace sweep), recreates it when unhealthy, when a reset or warm-up keeps failing, or after N
 * tasks, and warms it; acquire() only probes what prepare() made ready. Deleted on shutdown unless
 * kept. Operations are serialized.
 */
export class KindClusterProvider implements ClusterProvider {
  readonly name = 'kind' as const;
  readonly clusterName: string;
  readonly kubeconfig: string;
  readonly context: string;
  private readonly kind: KindCli;
  private readonly state: KindClusterState;
  private readonly warmup: KindWarmup;
  private readonly labels: { provider: string; cluster: string };
  private readonly resetSpec: ResetSpec;
  private readonly run: CommandRunner;
  private queue: Promise<unknown> = Promise.resolve();
  private preparation: AbortSignal | null = null;
  private ready = false;
  private recreateNext: RecreateReason | null = null;
  private lastTiming: ClusterTiming | null = null;

  constructor(
    private readonly options: KindClusterOptions,
    private readonly deps: KindClusterDeps,
  ) {
    if (!WORKER_ID_FOR_KIND.test(options.workerId)) {
      throw new ClusterError(
        'cluster_prerequisite_missing',
        `WORKER_ID=${options.workerId} cannot name a Kind cluster: use 1-38 lowercase letters, digits, '.' or '-' (the cluster is worker-<WORKER_ID>-kind)`,
      );
    }
    this.clusterName = `worker-${options.workerId}-kind`;
    this.kubeconfig = path.join(options.workDir, 'kubeconfig');
    this.context = `kind-${this.clusterName}`;
    this.resetSpec = new ResetSpec(path.join(options.workDir, 'reset-task-spec.json'), deps.logger);
    // Every command of a preparation dies with it (setup budget, shutdown).
    this.run = abortableRunner(deps.run, () => this.preparation);
    this.kind = new KindCli(this.run, this.clusterName, this.kubeconfig, options.internalKubeconfig ?? false);
    this.state = new KindClusterState(path.join(options.workDir, 'kind-cluster-state.json'), this.clusterName);
    this.labels = { provider: 'kind', cluster: this.clusterName };
    this.warmup = new KindWarmup({ ...deps, run: this.run }, { clusterName: this.clusterName, kubeconfig: this.kubeconfig, context: this.context, workDir: options.workDir }, options.warmup);
  }

  get isReady(): boolean {
    return this.ready;
  }

  async checkPrerequisites(): Promise<void> {
    const report = new PrerequisiteReport('kind');
    await report.requireExecutables(['kind', 'kubectl', 'docker'], this.deps.pathVariable);
    await report.requireReadableFile(this.options.configFile, 'KIND_CONFIG');
    await this.warmup.checkPrerequisites(report, this.deps.pathVariable);
    await report.requireDocker(this.deps.docker);
    report.throwIfMissing();
  }

  async start(): Promise<void> {
    await mkdir(this.options.workDir, { recursive: true });
    await ensureUdevDir(this.options.udevDir, this.deps.logger);
    await this.state.load(this.deps.logger);
    try {
      const { removed, kept } = await removeOrphanedKindClusters({ docker: this.deps.docker, logger: this.deps.logger, ownWorkerId: this.options.workerId, isWorkerActive: this.deps.isWorkerActive });
      if (removed.length > 0 || kept.length > 0) this.deps.logger.info('orphaned kind cluster check done', { removed, kept });
    } catch (error) {
      this.deps.logger.warn('orphaned kind cluster check failed; going on', { error: (error as Error).message });
    }
    await warnIfNodeImageAbsent(this.deps.docker, this.options.nodeImage, this.deps.logger);
  }

  prepare(signal: AbortSignal): Promise<ClusterTiming> {
    return this.exclusive(async () => {
      this.preparation = signal;
      try {
        const timing = await this.ensureReady(signal);
        this.ready = true;
        this.lastTiming = timing;
        return timing;
      } catch (error) {
        this.ready = false;
        if (signal.aborted) throw new ClusterError('cluster_unavailable', `kind cluster ${this.clusterName} setup stopped: ${String((signal.reason as Error)?.message ?? signal.reason)}`, { cause: error });
        if ((error as Error).name === 'ClusterError') throw error;
        throw new ClusterError('cluster_unavailable', `kind cluster ${this.clusterName} is not available: ${(error as Error).message}`, { cause: error });
      } finally {
        this.preparation = null;
      }
    });
  }

  acquire(): Promise<ClusterHandle> {
    return this.exclusive(async () => {
      if (!this.ready) throw new ClusterError('cluster_unavailable', `kind cluster ${this.clusterName} is not prepared; the worker prepares it before it takes a task`);
      const health = await this.probe();
      if (!health.healthy) {
        this.ready = false;
        throw new ClusterError('cluster_unavailable', `kind cluster ${this.clusterName} turned unhealthy while idle (${health.reason}); the worker repairs it before it takes a task`, { extra: { cluster: this.clusterName } });
      }
      await this.state.update({ inUse: true });
      return { provider: 'kind', name: this.clusterName, kubeconfig: this.kubeconfig, context: this.context, ...(this.lastTiming ? { timing: this.lastTiming } : {}) };
    });
  }

  release(usage: ClusterUsage, specFile: string | null): Promise<void> {
    return this.exclusive(async () => {
      if (usage === 'untouched') {
        await this.state.update({ inUse: false });
        return;
      }
      const tasks = this.state.tasksSinceCreate + 1;
      const dirty = this.state.dirty || usage === 'dirty';
      if (usage === 'dirty') await this.resetSpec.keep(specFile);
      await this.state.update({ inUse: false, tasksSinceCreate: tasks, dirty });
      this.deps.metrics.tasksSinceCreate.set(this.labels, tasks);
      // AIOpsLab's teardown removes OpenEBS and Prometheus: the warm-up runs again before the next task.
      this.ready = false;
      this.lastTiming = null;
    });
  }

  shutdown(): Promise<void> {
    return this.exclusive(async () => {
      this.ready = false;
      if (this.options.keepCluster) {
        this.deps.logger.info('keeping kind cluster (KIND_KEEP_CLUSTER=true)', { cluster: this.clusterName });
        return;
      }
      if (!(await this.kind.exists())) return;
      await this.kind.delete();
      await this.state.clear();
      this.deps.metrics.healthy.set(this.labels, 0);
      this.deps.logger.info('kind cluster deleted', { cluster: this.clusterName });
    });
  }

  private recreationDue(): RecreateReason | null {
    if (this.recreateNext) return this.recreateNext;
    const limit = this.options.recreateAfterTasks;
    if (limit > 0 && this.state.tasksSinceCreate >= limit) return 'task_limit';
    return null;
  }

  /**
   * Creates, resets, reuses or recreates the cluster until it is healthy, preloads images into a
   * new one, then warms it (installs what is missing). Returns what it did.
   */
  private async ensureReady(signal: AbortSignal): Promise<ClusterTiming> {
    const started = Date.now();
    const timing: ClusterTiming = {
      provider: 'kind', name: this.clusterName, created: true, reused: false, recreate_reason: null, create_s: null, preload_s: null, images_loaded: 0,
      reset: null, warm_s: null, warm_installed: [], setup_s: 0, prepared_at: '',
    };
    if (!(await this.kind.exists())) {
      timing.create_s = await this.create();
    } else {
      if (this.state.dirty && !this.recreationDue()) await this.resetOrMarkForRecreation(timing, signal);
      const due = this.recreationDue();
      const problem = due ? null : await this.problemOfExisting(signal);
      if (due || problem) {
        if (problem) this.deps.logger.warn('kind cluster unhealthy', { cluster: this.clusterName, reason: problem });
        timing.recreate_reason = due ?? 'unhealthy';
        timing.create_s = await this.recreate(timing.recreate_reason as RecreateReason);
      } else {
        timing.created = false;
        timing.reused = true;
      }
    }
    if (timing.created) {
      const health = await this.waitHealthy(this.options.readyGraceMs.created, signal);
      if (!health.healthy) {
        this.recreateNext = 'unhealthy';
        throw new ClusterError('cluster_unavailable', `kind cluster ${this.clusterName} is not healthy after creation: ${health.reason}`, { extra: { cluster: this.clusterName } });
      }
      const preload = await this.warmup.preload();
      timing.preload_s = preload.seconds;
      timing.images_loaded = preload.loaded;
    }
    throwIfAborted(signal);
    const warm = await this.warmup.warm().catch((error: unknown) => {
      if (this.warmup.failedRepeatedly) this.recreateNext = 'warm_failed';
      throw error;
    });
    timing.warm_s = warm.seconds;
    timing.warm_installed = warm.installed;
    timing.setup_s = Math.round(Date.now() - started) / 1000;
    timing.prepared_at = new Date().toISOString();
    return timing;
  }

  /** After a dirty run: the problem's cleanup and the namespace sweep; a sweep that fails means a recreate. */
  private async resetOrMarkForRecreation(timing: ClusterTiming, signal: AbortSignal): Promise<void> {
    const specFile = await this.resetSpec.current();
    this.deps.logger.info('resetting kind cluster after a dirty run', { cluster: this.clusterName, problem_cleanup: specFile !== null });
    try {
      timing.reset = await resetCluster({ run: this.run, logger: this.deps.logger, cleanupProblem: this.deps.cleanupProblem }, { kubeconfig: this.kubeconfig, context: this.context }, specFile, signal);
      await this.state.update({ dirty: false });
      await this.resetSpec.clear();
      this.deps.logger.info('kind cluster reset', { cluster: this.clusterName, ...timing.reset });
    } catch (error) {
      throwIfAborted(signal);
      this.deps.logger.warn('kind cluster reset failed; recreating it', { cluster: this.clusterName, error: (error as Error).message });
      this.recreateNext = 'reset_failed';
    }
  }

  /** Null when the existing cluster can be reused; else why not (a leftover without a control plane cannot even export its kubeconfig). */
  private async problemOfExisting(signal: AbortSignal): Promise<string | null> {
    try {
      await this.kind.exportKubeconfig();
    } catch (error) {
      throwIfAborted(signal);
      return `cannot export its kubeconfig: ${(error as Error).message}`;
    }
    const health = await this.waitHealthy(this.options.readyGraceMs.existing, signal);
    return health.healthy ? null : health.reason;
  }

  /** Returns the seconds `kind create` took. */
  private async recreate(reason: RecreateReason): Promise<number> {
    this.deps.logger.warn('recreating kind cluster', { cluster: this.clusterName, reason, tasks_since_create: this.state.tasksSinceCreate });
    this.deps.metrics.recreations.inc({ ...this.labels, reason });
    await this.kind.delete();
    return this.create();
  }

  /** Returns the seconds `kind create` took. */
  private async create(): Promise<number> {
    await mkdir(this.options.workDir, { recursive: true });
    const removeLeftovers = async () => {
      this.preparation = null; // runs even when the creation was aborted
      await this.kind.delete();
    };
    const { workerId, configFile, nodeImage, waitSeconds, createTimeoutMs } = this.options;
    const took = await createKindCluster(
      { kind: this.kind, logger: this.deps.logger, metrics: this.deps.metrics, labels: this.labels, removeLeftovers },
      { clusterName: `worker-${workerId}-kind`, configFile, nodeImage, waitSeconds, timeoutMs: createTimeoutMs },
    );
    this.recreateNext = null;
    await this.state.update({ tasksSinceCreate: 0, dirty: false, inUse: false });
    await this.resetSpec.clear();
    return took;
  }

  private async probe(): Promise<ClusterHealth> {
    const health = await probeClusterHealth(this.run, { kubeconfig: this.kubeconfig, context: this.context, timeoutMs: this.options.healthTimeoutMs });
    this.deps.metrics.healthCheckSeconds.observe(this.labels, health.durationMs / 1000);
    this.deps.metrics.healthy.set(this.labels, health.healthy ? 1 : 0);
    this.deps.logger.debug('kind cluster health', { cluster: this.clusterName, healthy: health.healthy, reason: health.reason, nodes: health.nodes });
    return health;
  }

  private waitHealthy(graceMs: number, signal: AbortSignal): Promise<ClusterHealth> {
    return waitUntilHealthy(() => this.probe(), { graceMs, pollIntervalMs: this.options.pollIntervalMs, signal });
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

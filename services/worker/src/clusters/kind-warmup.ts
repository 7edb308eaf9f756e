import path from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { CommandRunner } from './command-runner';
import type { ClusterMetrics } from './cluster-metrics';
import { ClusterError } from './cluster-errors';
import type { PrerequisiteReport } from './cluster-prerequisites';
import { ClusterWarmer, type WarmOptions } from './cluster-warmer';
import { preloadImages } from './image-preload';
import { selectPreloadImages, type PreloadSelection } from './preload-selection';
import { PROMETHEUS_CHART, type WarmComponent } from './warm-components';

export interface KindWarmupOptions {
  /** listFile (KIND_PRELOAD_IMAGES_FILE) wins; else the manifest's images for `apps` (KIND_PRELOAD_APPS). */
  preload: { enabled: boolean; timeoutMs: number } & PreloadSelection;
  warm: { enabled: boolean } & WarmOptions;
}

export interface KindWarmupTarget {
  clusterName: string;
  kubeconfig: string;
  context: string;
  workDir: string;
}

const WARM_FAILURES_BEFORE_RECREATE = 2;

const rounded = (seconds: number) => Math.round(seconds * 1000) / 1000;

function stopwatch(): () => number {
  const started = process.hrtime.bigint();
  return () => rounded(Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Brings a Kind cluster to the state AIOpsLab's CI gives its cluster before running problems:
 * images preloaded (after creation only: they stay on the nodes for the cluster's life), then
 * OpenEBS and Prometheus installed and Ready (checked before every task, since AIOpsLab's
 * teardown removes both after each problem).
 */
export class KindWarmup {
  private readonly warmer: ClusterWarmer;
  private readonly labels: { provider: string; cluster: string };
  private consecutiveFailures = 0;

  constructor(
    private readonly deps: { run: CommandRunner; docker: Docker; logger: Logger; metrics: ClusterMetrics },
    private readonly target: KindWarmupTarget,
    private readonly options: KindWarmupOptions,
  ) {
    this.warmer = new ClusterWarmer(deps.run, target, options.warm, deps.logger);
    this.labels = { provider: 'kind', cluster: target.clusterName };
  }

  /** What the enabled steps need: the image list or the manifest and known KIND_PRELOAD_APPS; helm and the AIOpsLab checkout's Prometheus chart. */
  async checkPrerequisites(report: PrerequisiteReport, pathVariable: string | undefined): Promise<void> {
    const { preload, warm } = this.options;
    if (preload.enabled && preload.listFile) await report.requireReadableFile(preload.listFile, 'KIND_PRELOAD_IMAGES_FILE');
    if (preload.enabled && !preload.listFile) await selectPreloadImages(preload).catch((error: Error) => report.add(error.message));
    if (!warm.enabled) return;
    await report.requireExecutables(['helm'], pathVariable);
    await report.requireReadableFile(path.join(warm.aiopslabDir, PROMETHEUS_CHART, 'Chart.yaml'), 'KIND_WARM_AIOPSLAB_DIR');
  }

  /**
   * After the same cluster failed its warm-up this many times in a row, it is not trusted any more:
   * a slow pull is retried once on the same nodes, a wedged cluster is then recreated.
   */
  get failedRepeatedly(): boolean {
    return this.consecutiveFailures >= WARM_FAILURES_BEFORE_RECREATE;
  }

  /** After creation: never fails the cluster (a node pulls what was not loaded). */
  async preload(): Promise<{ seconds: number | null; loaded: number }> {
    this.consecutiveFailures = 0; // a new cluster
    if (!this.options.preload.enabled) return { seconds: null, loaded: 0 };
    const elapsed = stopwatch();
    const { clusterName, kubeconfig } = this.target;
    const { listFile, manifestFile, apps, timeoutMs } = this.options.preload;
    const result = await preloadImages(this.deps, { clusterName, kubeconfig, selection: { listFile, manifestFile, apps }, timeoutMs });
    const seconds = elapsed();
    const fields = { cluster: clusterName, duration_s: seconds, loaded: result.loaded.length, absent_from_engine: result.absent.length, failed: result.failed.length };
    if (result.failure) this.deps.logger.warn('kind image preload failed; the nodes will pull images themselves', { ...fields, failed_images: result.failed.slice(0, 20), error: result.failure });
    else this.deps.logger.info('kind images preloaded', fields);
    return { seconds, loaded: result.loaded.length };
  }

  /** Installs what is missing; throws cluster_unavailable when a component does not become Ready in time. */
  async warm(): Promise<{ seconds: number | null; installed: WarmComponent[] }> {
    if (!this.options.warm.enabled) return { seconds: null, installed: [] };
    const elapsed = stopwatch();
    const installed: WarmComponent[] = [];
    try {
      for (const component of await this.warmer.missing()) {
        this.deps.logger.info('installing warm component', { cluster: this.target.clusterName, component });
        await this.warmer.install(component);
        installed.push(component);
      }
    } catch (error) {
      this.consecutiveFailures += 1;
      this.deps.metrics.warmSeconds.observe({ ...this.labels, outcome: 'failure' }, elapsed());
      this.deps.logger.error('kind cluster warm-up failed', { cluster: this.target.clusterName, duration_s: elapsed(), installed, error: (error as Error).message });
      throw new ClusterError(
        'cluster_unavailable',
        `kind cluster ${this.target.clusterName} could not be warmed up: ${(error as Error).message}. Check that the nodes can pull images (or preload them, docs/real-aiopslab.md), raise KIND_WARM_TIMEOUT_SECONDS, or set KIND_WARM=false`,
        { cause: error, extra: { cluster: this.target.clusterName } },
      );
    }
    this.consecutiveFailures = 0;
    const seconds = elapsed();
    this.deps.metrics.warmSeconds.observe({ ...this.labels, outcome: 'success' }, seconds);
    if (installed.length > 0) this.deps.logger.info('kind cluster warm', { cluster: this.target.clusterName, duration_s: seconds, installed });
    return { seconds, installed };
  }
}

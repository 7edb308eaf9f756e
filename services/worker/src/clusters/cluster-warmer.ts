import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { isAborted, type CommandRunner, type CommandResult } from './command-runner';
import {
  allPodsReady, DEFAULT_CLASS_PATCH, helmReleaseStatus, isDefaultStorageClass, OPENEBS_NAMESPACE, OPENEBS_STORAGE_CLASS, parsePodReadiness,
  PROMETHEUS_CHART, PROMETHEUS_NAMESPACE, PROMETHEUS_PVC, PROMETHEUS_RELEASE, type WarmComponent,
} from './warm-components';

const QUICK_MS = 60_000;
const HELM_INSTALL_MS = 300_000;

export interface WarmTarget {
  kubeconfig: string;
  context: string;
  /** Per-worker directory for the small manifests the warm-up writes. */
  workDir: string;
}

export interface WarmOptions {
  /** KIND_WARM_OPENEBS_MANIFEST (URL or file). */
  openebsManifest: string;
  /** KIND_WARM_AIOPSLAB_DIR: the checkout whose Prometheus chart is installed. */
  aiopslabDir: string;
  /** Each readiness wait (KIND_WARM_TIMEOUT_SECONDS). */
  timeoutMs: number;
  pollIntervalMs: number;
}

/**
 * Installs and checks the warm components with the commands of AIOpsLab's CI workflow, every
 * call pinned to one worker's kubeconfig and context. Throws an Error saying which step failed.
 */
export class ClusterWarmer {
  constructor(
    private readonly run: CommandRunner,
    private readonly target: WarmTarget,
    private readonly options: WarmOptions,
    private readonly logger: Logger,
  ) {}

  /** The components that are absent or not ready: a handful of reads, no waiting. */
  async missing(): Promise<WarmComponent[]> {
    const missing: WarmComponent[] = [];
    const defaultClass = await this.kubectl(['get', 'storageclass', OPENEBS_STORAGE_CLASS, '-o', 'json']).then((r) => isDefaultStorageClass(r.stdout), () => false);
    if (!defaultClass || !allPodsReady(await this.pods(OPENEBS_NAMESPACE))) missing.push('openebs');
    if ((await this.prometheusStatus()) !== 'deployed' || !allPodsReady(await this.pods(PROMETHEUS_NAMESPACE))) missing.push('prometheus');
    return missing;
  }

  async install(component: WarmComponent): Promise<void> {
    try {
      if (component === 'openebs') await this.installOpenEbs();
      else await this.installPrometheus();
    } catch (error) {
      throw new Error(`${component === 'openebs' ? 'OpenEBS' : 'Prometheus'} warm-up failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Workflow step "Pre-install OpenEBS": apply, wait for its pods, make openebs-hostpath the default class. */
  private async installOpenEbs(): Promise<void> {
    await this.kubectl(['apply', '-f', this.options.openebsManifest], QUICK_MS * 2);
    await this.waitForPods(OPENEBS_NAMESPACE);
    await this.kubectl(['patch', 'storageclass', OPENEBS_STORAGE_CLASS, '-p', DEFAULT_CLASS_PATCH]);
  }

  /**
   * Workflow step "Pre-install Prometheus": namespace, PVC, chart dependencies, helm install, wait.
   * A release left in another state (failed, uninstalling) is removed first, as AIOpsLab's deploy() does.
   */
  private async installPrometheus(): Promise<void> {
    const status = await this.prometheusStatus();
    if (status !== 'deployed') {
      if (status !== null) await this.helm(['uninstall', PROMETHEUS_RELEASE, '-n', PROMETHEUS_NAMESPACE]);
      const namespaceFile = path.join(this.target.workDir, `namespace-${PROMETHEUS_NAMESPACE}.json`);
      await writeFile(namespaceFile, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: PROMETHEUS_NAMESPACE } }));
      await this.kubectl(['apply', '-f', namespaceFile]);
      await this.kubectl(['apply', '-f', path.join(this.options.aiopslabDir, PROMETHEUS_PVC), '-n', PROMETHEUS_NAMESPACE]);
      const chart = path.join(this.options.aiopslabDir, PROMETHEUS_CHART);
      try {
        await this.helm(['dependency', 'update', chart], HELM_INSTALL_MS);
      } catch (error) {
        // The checkout ships the sub-charts in charts/; an offline or read-only checkout can still install.
        this.logger.warn('helm dependency update failed; installing with the sub-charts the checkout ships', { chart, error: (error as Error).message });
      }
      await this.helm(['install', PROMETHEUS_RELEASE, chart, '-n', PROMETHEUS_NAMESPACE, '--create-namespace'], HELM_INSTALL_MS);
    }
    await this.waitForPods(PROMETHEUS_NAMESPACE);
  }

  /** `kubectl wait --all` fails when no pod exists yet, so first wait for pods to appear. */
  private async waitForPods(namespace: string): Promise<void> {
    const deadline = Date.now() + this.options.timeoutMs;
    while ((await this.pods(namespace)).total === 0) {
      if (Date.now() + this.options.pollIntervalMs > deadline) throw new Error(`no pods appeared in namespace ${namespace} within ${this.options.timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs));
    }
    const seconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    await this.kubectl(['wait', 'pod', '--all', '-n', namespace, '--for=condition=Ready', `--timeout=${seconds}s`], seconds * 1000 + QUICK_MS);
  }

  private async pods(namespace: string) {
    // An aborted setup ends the wait for pods; any other failure reads as "no pods yet".
    return this.kubectl(['get', 'pods', '-n', namespace, '-o', 'json']).then(
      (r) => parsePodReadiness(r.stdout),
      (error: unknown) => {
        if (isAborted(error)) throw error;
        return { total: 0, notReady: [] };
      },
    );
  }

  /** `helm status` as AIOpsLab reads it; null when there is no release. */
  private async prometheusStatus(): Promise<string | null> {
    try {
      return helmReleaseStatus((await this.helm(['status', PROMETHEUS_RELEASE, '-n', PROMETHEUS_NAMESPACE])).stdout) ?? 'unknown';
    } catch {
      return null;
    }
  }

  private kubectl(args: string[], timeoutMs = QUICK_MS): Promise<CommandResult> {
    const { kubeconfig, context } = this.target;
    return this.run('kubectl', ['--kubeconfig', kubeconfig, '--context', context, ...args], { timeoutMs, env: { KUBECONFIG: kubeconfig } });
  }

  private helm(args: string[], timeoutMs = QUICK_MS): Promise<CommandResult> {
    const { kubeconfig, context } = this.target;
    return this.run('helm', [...args, '--kubeconfig', kubeconfig, '--kube-context', context], { timeoutMs, env: { KUBECONFIG: kubeconfig } });
  }
}

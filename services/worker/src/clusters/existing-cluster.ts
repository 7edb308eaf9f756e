import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterHandle, ClusterProvider, ClusterTiming, ClusterUsage } from './cluster-provider';
import type { CommandRunner } from './command-runner';
import type { ClusterMetrics } from './cluster-metrics';
import { ClusterError } from './cluster-errors';
import { PrerequisiteReport } from './cluster-prerequisites';
import { probeClusterHealth } from './cluster-health';
import type { ProblemCleanup } from './cluster-reset';
import { ResetSpec } from './reset-spec';

const QUICK_MS = 30_000;

export interface ExistingClusterOptions {
  /** EXISTING_KUBECONFIG; read only, never edited. */
  kubeconfig: string | undefined;
  /** EXISTING_CONTEXT; default: the file's current context. */
  context: string | undefined;
  workDir: string;
  healthTimeoutMs: number;
  /** With EXISTING_AGENT_SHELL=ssh: the key the runner copies into each run's HOME (EXISTING_SSH_KEY, else ~/.ssh/id_rsa). */
  sshKey?: string;
}

export interface ExistingClusterDeps {
  run: CommandRunner;
  pathVariable: string | undefined;
  logger: Logger;
  metrics: ClusterMetrics;
  /** The problem's own cleanup after a dirty run (RUNNER_COMMAND --cleanup-problem); null: none. */
  cleanupProblem: ProblemCleanup | null;
}

/**
 * A cluster someone else runs: health-checked between tasks, never created, swept or deleted; after
 * a dirty run only the problem's own cleanup runs (what else lives there is not ours). The
 * runner gets a private, flattened copy of the kubeconfig whose current context is the chosen one
 * (kubectl and helm inside AIOpsLab follow the current context), so the given file is never edited.
 */
export class ExistingClusterProvider implements ClusterProvider {
  readonly name = 'existing' as const;
  readonly kubeconfig: string;
  private context: string | null = null;
  private readonly labels: { provider: string; cluster: string };
  private ready = false;
  private dirty = false;
  private readonly resetSpec: ResetSpec;

  constructor(
    private readonly options: ExistingClusterOptions,
    private readonly deps: ExistingClusterDeps,
  ) {
    this.kubeconfig = path.join(options.workDir, 'kubeconfig');
    this.labels = { provider: 'existing', cluster: options.context ?? 'current-context' };
    this.resetSpec = new ResetSpec(path.join(options.workDir, 'reset-task-spec.json'), deps.logger);
  }

  async checkPrerequisites(): Promise<void> {
    const report = new PrerequisiteReport('existing');
    const source = this.options.kubeconfig;
    if (!source) report.add('EXISTING_KUBECONFIG is not set: give the path of the kubeconfig of the cluster to use');
    await report.requireExecutables(['kubectl'], this.deps.pathVariable);
    if (this.options.sshKey) await report.requireReadableFile(this.options.sshKey, 'EXISTING_SSH_KEY (the ssh agent shell\'s private key; default ~/.ssh/id_rsa)');
    if (source && (await report.requireReadableFile(source, 'EXISTING_KUBECONFIG')) && this.options.context) {
      await this.requireContext(report, source, this.options.context);
    }
    report.throwIfMissing();
  }

  async start(): Promise<void> {
    await mkdir(this.options.workDir, { recursive: true });
    await this.writePrivateKubeconfig();
    const health = await this.probe();
    this.deps.logger.log(health.healthy ? 'info' : 'warn', 'existing cluster checked at start', { context: this.context, healthy: health.healthy, reason: health.reason });
  }

  get isReady(): boolean {
    return this.ready;
  }

  async prepare(signal: AbortSignal): Promise<ClusterTiming> {
    const started = Date.now();
    let cleanupError: string | null = null;
    const specFile = this.dirty ? await this.resetSpec.current() : null;
    if (specFile && this.deps.cleanupProblem) {
      try {
        await this.deps.cleanupProblem(specFile, signal);
      } catch (error) {
        cleanupError = (error as Error).message;
        this.deps.logger.warn("the problem's own cleanup failed on the existing cluster: clean it up by hand if faults remain", { context: this.context, error: cleanupError });
      }
    }
    const reset = this.dirty ? { reset_s: Math.round(Date.now() - started) / 1000, cleanup_error: cleanupError, swept_namespaces: [] } : null;
    this.dirty = false;
    await this.resetSpec.clear();
    try {
      await this.writePrivateKubeconfig();
    } catch (error) {
      throw new ClusterError('cluster_unavailable', `cannot read EXISTING_KUBECONFIG: ${(error as Error).message}`, { cause: error });
    }
    const health = await this.probe();
    if (!health.healthy) {
      throw new ClusterError('cluster_unavailable', `existing cluster (context ${this.context}) is not healthy: ${health.reason}`, { extra: { context: this.context } });
    }
    this.ready = true;
    return {
      provider: 'existing', name: null, created: false, reused: true, recreate_reason: null, create_s: null, preload_s: null, images_loaded: 0,
      reset, warm_s: null, warm_installed: [], setup_s: Math.round(Date.now() - started) / 1000, prepared_at: new Date().toISOString(),
    };
  }

  async acquire(): Promise<ClusterHandle> {
    if (!this.ready) throw new ClusterError('cluster_unavailable', 'the existing cluster is not prepared; the worker checks it before it takes a task');
    const health = await this.probe();
    if (!health.healthy) {
      this.ready = false;
      throw new ClusterError('cluster_unavailable', `existing cluster (context ${this.context}) is not healthy: ${health.reason}`, { extra: { context: this.context } });
    }
    return { provider: 'existing', name: null, kubeconfig: this.kubeconfig, context: this.context };
  }

  async release(usage: ClusterUsage, specFile: string | null): Promise<void> {
    if (usage !== 'dirty') return;
    this.ready = false;
    this.dirty = true;
    await this.resetSpec.keep(specFile);
    if (!specFile || !this.deps.cleanupProblem) this.deps.logger.warn('a run left the existing cluster dirty; it is not recreated (CLUSTER_PROVIDER=existing): clean it up by hand if faults remain', { context: this.context });
  }

  async shutdown(): Promise<void> {
    await rm(this.kubeconfig, { force: true });
  }

  private async requireContext(report: PrerequisiteReport, source: string, context: string): Promise<void> {
    try {
      const { stdout } = await this.deps.run('kubectl', ['--kubeconfig', source, 'config', 'get-contexts', '-o', 'name'], { timeoutMs: QUICK_MS, env: { KUBECONFIG: source } });
      const contexts = stdout.split('\n').map((line) => line.trim()).filter(Boolean);
      if (!contexts.includes(context)) report.add(`EXISTING_CONTEXT=${context} is not a context of ${source} (it has: ${contexts.join(', ') || 'none'})`);
    } catch (error) {
      report.add(`cannot read the contexts of EXISTING_KUBECONFIG=${source}: ${(error as Error).message}`);
    }
  }

  /** `config view --minify --flatten` of the chosen context, then `use-context` on the copy only. */
  private async writePrivateKubeconfig(): Promise<void> {
    const source = this.options.kubeconfig;
    if (!source) throw new Error('EXISTING_KUBECONFIG is not set');
    const args = ['--kubeconfig', source, ...(this.options.context ? ['--context', this.options.context] : []), 'config', 'view', '--minify', '--flatten'];
    const { stdout } = await this.deps.run('kubectl', args, { timeoutMs: QUICK_MS, env: { KUBECONFIG: source } });
    await writeFile(this.kubeconfig, stdout, { mode: 0o600 });
    await chmod(this.kubeconfig, 0o600);
    const privateEnv = { KUBECONFIG: this.kubeconfig };
    if (this.options.context) {
      await this.deps.run('kubectl', ['--kubeconfig', this.kubeconfig, 'config', 'use-context', this.options.context], { timeoutMs: QUICK_MS, env: privateEnv });
    }
    const current = await this.deps.run('kubectl', ['--kubeconfig', this.kubeconfig, 'config', 'current-context'], { timeoutMs: QUICK_MS, env: privateEnv });
    this.context = current.stdout.trim();
  }

  private async probe() {
    const health = await probeClusterHealth(this.deps.run, { kubeconfig: this.kubeconfig, context: this.context ?? '', timeoutMs: this.options.healthTimeoutMs });
    this.deps.metrics.healthCheckSeconds.observe(this.labels, health.durationMs / 1000);
    this.deps.metrics.healthy.set(this.labels, health.healthy ? 1 : 0);
    return health;
  }
}

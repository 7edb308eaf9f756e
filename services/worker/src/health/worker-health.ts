import { BackoffPolicy, retryDelayMs } from '@aiopslab/shared/domain/backoff';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterTiming } from '../clusters/cluster-provider';
import type { WorkerActivity } from '../presence/worker-activity';

/** health_reason is shown in GET /workers: a traceback's tail is enough. */
const MAX_REASON_CHARS = 1000;

export type CheckResult = { ok: true } | { ok: false; reason: string };

/** The switch on dispatch consumption (the dispatch QueueConsumer's hold/release). */
export interface ConsumptionGate {
  hold(): Promise<void>;
  release(): void;
}

/** The worker's cluster as the health gate sees it (ClusterProvider). */
export interface PreparableCluster {
  readonly isReady: boolean;
  prepare(signal: AbortSignal): Promise<ClusterTiming | null>;
}

export interface WorkerHealthDeps {
  /** The preflight (RUNNER_COMMAND --list-problems), or an always-passing check when it is off; stop() aborts it. */
  check: (signal: AbortSignal) => Promise<CheckResult>;
  cluster: PreparableCluster;
  /** CLUSTER_SETUP_TIMEOUT_SECONDS: one preparation's budget. */
  clusterSetupTimeoutMs: number;
  gate: ConsumptionGate;
  activity: WorkerActivity;
  /** Heartbeat now, so GET /workers shows the change at once. */
  beat: () => Promise<void>;
  logger: Logger;
  /** Delay before re-check n (1-based): doubles per failed check, capped. */
  recheck: BackoffPolicy;
  /** For the worker_unhealthy gauge. */
  onChange?: (unhealthy: boolean) => void;
}

export interface HealthSnapshot {
  /** preparing: the worker is getting its cluster ready (between tasks) and takes none meanwhile. */
  health: 'starting' | 'preparing' | 'healthy' | 'unhealthy';
  health_reason: string | null;
  failed_checks: number;
  next_check_at: string | null;
}

/**
 * Whether this worker may take tasks. It consumes only after the preflight passes and its cluster
 * is ready: created, preloaded, warmed (at start) and, after a task that used it, reset or
 * recreated and warmed again, all with consumption held and on the cluster-setup budget, so no
 * task's timeout ever pays for it. When the preparation fails, or an attempt fails because of the
 * worker's environment, it stops consuming (a task in hand goes back to the queue for a healthy
 * worker), reports itself unhealthy with the reason, and checks again after a backoff that grows
 * until a check passes and an attempt ends without blaming the environment.
 */
export class WorkerHealth {
  private state: HealthSnapshot['health'] = 'starting';
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private nextCheckAt: Date | null = null;
  private stopped = false;
  private readonly stopping = new AbortController();
  private checking: Promise<void> | null = null;

  constructor(private readonly deps: WorkerHealthDeps) {}

  /** The first preflight and cluster preparation; resolves once they ran (passed, or failed with a re-check scheduled). */
  async start(): Promise<void> {
    await this.runCheck();
  }

  /**
   * After a task, before its message is settled: when the cluster must be prepared again, stop
   * consuming now (the broker hands this worker nothing meanwhile) and prepare it in the
   * background; consumption resumes once it is ready.
   */
  async beforeNextTask(): Promise<void> {
    if (this.deps.cluster.isReady || this.state === 'unhealthy' || this.stopped) return;
    await this.deps.gate.hold();
    void this.runCheck({ preflight: false });
  }

  /** An attempt failed because of this worker's environment: stop consuming before the task is requeued. */
  async environmentFailed(reason: string): Promise<void> {
    await this.deps.gate.hold();
    this.deps.logger.error('worker environment broken; handing the task back and consuming nothing until a check passes', { reason });
    this.markUnhealthy(reason);
  }

  /** An attempt ended without blaming the environment: the backoff starts over next time. */
  environmentWorked(): void {
    this.failures = 0;
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextCheckAt = null;
  }

  snapshot(): HealthSnapshot {
    return { health: this.state, health_reason: this.deps.activity.unhealthyReason, failed_checks: this.failures, next_check_at: this.nextCheckAt?.toISOString() ?? null };
  }

  private markUnhealthy(reason: string): void {
    this.state = 'unhealthy';
    this.failures++;
    this.deps.activity.unhealthy(reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason);
    this.deps.onChange?.(true);
    void this.deps.beat();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    const delayMs = retryDelayMs(this.failures, this.deps.recheck);
    this.nextCheckAt = new Date(Date.now() + delayMs);
    this.deps.logger.info('worker health re-check scheduled', { in_ms: delayMs, failed_checks: this.failures });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextCheckAt = null;
      void this.runCheck();
    }, delayMs);
  }

  /** One check at a time: a call while one runs waits for it. */
  private runCheck(options = { preflight: true }): Promise<void> {
    this.checking ??= this.check(options).finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async check(options: { preflight: boolean }): Promise<void> {
    let result: CheckResult = { ok: true };
    try {
      if (options.preflight) result = await this.deps.check(this.stopping.signal);
      if (result.ok && !this.stopped) result = await this.prepareCluster();
    } catch (error) {
      result = { ok: false, reason: (error as Error).message };
    }
    if (this.stopped) return;
    if (!result.ok) {
      this.deps.logger.error('worker check failed; not consuming tasks', { reason: result.reason });
      this.markUnhealthy(result.reason);
      return;
    }
    const wasUnhealthy = this.state === 'unhealthy';
    this.state = 'healthy';
    this.deps.activity.healthy();
    this.deps.onChange?.(false);
    if (wasUnhealthy) this.deps.logger.info('worker healthy again; consuming tasks');
    this.deps.gate.release();
    await this.deps.beat();
  }

  private async prepareCluster(): Promise<CheckResult> {
    if (this.deps.cluster.isReady) return { ok: true };
    const previous = this.state;
    this.state = 'preparing';
    this.deps.activity.preparing();
    void this.deps.beat();
    const budgetMs = this.deps.clusterSetupTimeoutMs;
    const budget = AbortSignal.timeout(budgetMs);
    try {
      const timing = await this.deps.cluster.prepare(AbortSignal.any([this.stopping.signal, budget]));
      this.deps.logger.info('cluster ready; consuming tasks', { cluster: timing });
      return { ok: true };
    } catch (error) {
      const message = (error as Error).message;
      const reason = budget.aborted
        ? `cluster setup took longer than CLUSTER_SETUP_TIMEOUT_SECONDS=${budgetMs / 1000}: ${message}`
        : `cluster setup failed: ${message}`;
      return { ok: false, reason };
    } finally {
      this.deps.activity.prepared();
      if (this.state === 'preparing') this.state = previous;
    }
  }
}

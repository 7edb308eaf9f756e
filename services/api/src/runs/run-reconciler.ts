import type { Logger } from '@aiopslab/shared/logging/logger';
import type { SqlClient } from '@aiopslab/shared/db/sql';
import { runsWithPendingWork } from '@aiopslab/shared/tables/runs-reconcile';
import type { TaskStore } from '@aiopslab/shared/task-store/task-store';
import type { PriceTable } from './price-table';
import { reconcileRun } from '../use-cases/reconcile-run';

export interface RunReconcilerSettings {
  /** RUN_RECONCILE_INTERVAL_MS: pause between passes. */
  intervalMs: number;
  /** Tasks that ended in an infra error longer ago than this are not looked at by the periodic pass (reads of the run still are). */
  windowSeconds: number;
  /** Runs per pass. */
  batch: number;
}

/**
 * The periodic pass of the run reconciler in the api: every intervalMs it finds runs with work
 * due (an infra retry, or a budgeted run's next wave) and reconciles each in its own
 * transaction. Several api replicas may run it at once: each run is reconciled under its row
 * lock taken with SKIP LOCKED, and the unique index on retry_of would refuse a second
 * replacement anyway. A failed pass is logged and the loop goes on. GET /runs/{id} and its
 * results reconcile the run they read too, so a reader never waits for the next pass.
 */
export class RunReconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly deps: { db: SqlClient; tasks: TaskStore; prices: PriceTable; logger: Logger },
    private readonly settings: RunReconcilerSettings,
  ) {}

  /** One pass; returns how many runs it changed. */
  async pass(): Promise<number> {
    const runIds = await runsWithPendingWork(this.deps.db, this.settings.windowSeconds, this.settings.batch);
    let changed = 0;
    for (const runId of runIds) {
      try {
        const outcome = await reconcileRun(this.deps, runId);
        if (outcome && outcome.infra_retried + outcome.cells_created > 0) {
          changed++;
          this.deps.logger.info('run reconciled', { run_id: runId, infra_retried: outcome.infra_retried, cells_created: outcome.cells_created, committed_usd: outcome.committed_usd });
        }
      } catch (error) {
        this.deps.logger.warn('run reconcile failed; the next pass tries again', { run_id: runId, error: (error as Error).message });
      }
    }
    return changed;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .then(() => undefined)
        .catch((error: Error) => {
          this.deps.logger.warn('run reconciler pass failed; retrying after the interval', { error: error.message });
        })
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.settings.intervalMs);
    this.timer.unref();
  }
}

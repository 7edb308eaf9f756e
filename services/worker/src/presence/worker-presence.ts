import type { SqlDb } from '@aiopslab/shared/db/sql';
import { markWorkerOffline, recordHeartbeat, registerWorker, WorkerRegistration } from '@aiopslab/shared/tables/workers';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { WorkerActivity } from './worker-activity';

/**
 * The worker's row in `workers`: registered at start, a heartbeat every few seconds with its
 * status and current task, offline on a clean shutdown. A heartbeat that finds no row (deleted
 * by an operator) registers again.
 */
export class WorkerPresence {
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: SqlDb,
    private readonly registration: WorkerRegistration,
    private readonly activity: WorkerActivity,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  async register(): Promise<void> {
    await registerWorker(this.db, { ...this.registration, clusterName: this.activity.clusterName ?? this.registration.clusterName });
  }

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
  }

  /** Sends a heartbeat now (status changes show up at once). */
  beat(): Promise<void> {
    this.beating ??= this.send().finally(() => {
      this.beating = null;
    });
    return this.beating;
  }

  /**
   * A heartbeat within `delayMs`: status flips closer together than that (tasks of a few
   * milliseconds: busy, idle, busy…) cost one write, which carries the latest state. Half a
   * second is soon for a person watching /workers; at 100 ms a busy worker wrote one heartbeat
   * for every three no-op tasks.
   */
  beatSoon(delayMs = 500): void {
    this.soon ??= setTimeout(() => {
      this.soon = null;
      void this.beat();
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.soon) clearTimeout(this.soon);
    this.soon = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await markWorkerOffline(this.db, this.registration.id);
  }

  private async send(): Promise<void> {
    if (this.stopped) return;
    try {
      const { status, currentTaskId, healthReason } = this.activity.snapshot();
      const row = await recordHeartbeat(this.db, { id: this.registration.id, status, currentTaskId, clusterName: this.activity.clusterName ?? undefined, healthReason });
      if (!row) await this.register();
    } catch (error) {
      this.logger.warn('heartbeat failed', { error: (error as Error).message });
    }
  }
}

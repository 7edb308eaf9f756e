import type { SqlDb } from '@aiopslab/shared/db/sql';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { TaskOwner } from '@aiopslab/shared/tables/task-logs';
import { renewLease } from '@aiopslab/shared/tables/tasks-lease';

export interface LeaseKeeperEvents {
  /** The lease is gone (taken over, reaped) or could not be renewed before it ran out. */
  onLost(reason: string): void;
  onCancelRequested(): void;
  /** The lease is good for `validForMs` more (counted from the renewal's start, to be safe). */
  onRenewed?(validForMs: number): void;
}

/**
 * Renews an attempt's lease every third of its length while the attempt runs. A worker that
 * cannot renew stops its run before the lease runs out (fencing): the reaper may hand the task
 * to someone else after that.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private renewedAt = Date.now();
  private cancelReported = false;

  constructor(
    private readonly db: SqlDb,
    private readonly owner: TaskOwner,
    private readonly leaseMs: number,
    private readonly events: LeaseKeeperEvents,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.renewedAt = Date.now();
    this.schedule();
  }

  /** How long the current lease still holds, from this worker's point of view. */
  remainingMs(): number {
    return Math.max(0, this.renewedAt + this.leaseMs - Date.now());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renew(), Math.max(100, Math.floor(this.leaseMs / 3)));
  }

  private async renew(): Promise<void> {
    const startedAt = Date.now();
    try {
      const renewal = await renewLease(this.db, this.owner, this.leaseMs);
      if (this.stopped) return;
      if (!renewal.held) {
        this.stopped = true;
        this.events.onLost('the task is no longer held by this attempt (reaped or taken over)');
        return;
      }
      this.renewedAt = startedAt;
      this.events.onRenewed?.(this.remainingMs());
      if (renewal.cancelRequested && !this.cancelReported) {
        this.cancelReported = true;
        this.events.onCancelRequested();
      }
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn('lease renewal failed', { error: (error as Error).message });
      // Stop with a margin, before the reaper can see the lease as expired.
      if (Date.now() - this.renewedAt > this.leaseMs * 0.8) {
        this.stopped = true;
        this.events.onLost('the lease could not be renewed before it ran out (database unreachable)');
        return;
      }
    }
    this.schedule();
  }
}

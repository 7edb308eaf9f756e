import type { SqlClient } from '@aiopslab/shared/db/sql';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { releaseLeaderLease, takeLeaderLease } from '@aiopslab/shared/tables/leader-leases';

/** What the reaper needs of its leadership. */
export interface Leadership {
  readonly isLeader: boolean;
  runIfLeader(pass: () => Promise<unknown>): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Leadership as a lease row (`leader_leases`), renewed by each pass of the leader. Nothing is
 * held between passes: no session, no lock, so the worker idles at zero connections and works
 * through PgBouncer in transaction mode.
 *
 * Non-leaders cost nothing: they know when the lease runs out (from their own last attempt, or
 * from `observe()`, fed by the heartbeat that reads the lease's remaining life for free) and
 * try to take it only after that. A leader that stalls longer than the lease (SIGSTOP, a frozen
 * VM) loses it to the next claimer; if it wakes inside a pass, the two passes overlap, which is
 * safe: every reap is a compare-and-set under the task's row lock (reap-expired-leases.ts), the
 * outbox sweep uses SKIP LOCKED, and retention deletes what is already deletable.
 */
export class LeaseLeader implements Leadership {
  private leader = false;
  /** Local clock: before this, the lease is someone else's (or ours, renewed by our passes). */
  private mayTakeAt = 0;

  constructor(
    private readonly db: SqlClient,
    private readonly name: string,
    readonly holder: string,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** The lease's remaining life as someone else saw it (null: there is no lease yet). */
  observe(remainingMs: number | null): void {
    if (this.leader) return;
    this.mayTakeAt = remainingMs === null ? 0 : Date.now() + Math.max(0, remainingMs);
  }

  /** Runs `pass` when this worker holds (or just took) the lease; one statement when it may, none otherwise. */
  async runIfLeader(pass: () => Promise<unknown>): Promise<boolean> {
    if (!this.leader && Date.now() < this.mayTakeAt) return false;
    try {
      const lease = await takeLeaderLease(this.db, this.name, this.holder, this.ttlMs);
      this.mayTakeAt = Date.now() + Math.max(0, lease.expiresInMs);
      this.setLeader(lease.held);
    } catch (error) {
      this.logger.warn('reaper leadership check failed', { error: (error as Error).message });
      this.setLeader(false);
      return false;
    }
    if (this.leader) await pass();
    return this.leader;
  }

  async release(): Promise<void> {
    const was = this.leader;
    this.setLeader(false);
    if (was) await releaseLeaderLease(this.db, this.name, this.holder).catch(() => undefined);
  }

  private setLeader(leader: boolean): void {
    if (leader !== this.leader) this.logger.info(leader ? 'reaper leadership acquired' : 'reaper leadership passed on');
    this.leader = leader;
  }
}

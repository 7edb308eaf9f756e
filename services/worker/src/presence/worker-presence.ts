import type { SqlDb } from '@aiopslab/shared/db/sql';
import { WorkerRegistration } from '@aiopslab/shared/tables/workers';
import { beatAsHolder, claimWorkerId, findWorkerIdHolder, releaseWorkerId } from '@aiopslab/shared/tables/worker-leases';
import { REAPER_LEASE } from '@aiopslab/shared/tables/leader-leases';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { WorkerActivity } from './worker-activity';
import { holderIsDead, newHolderToken, workerIdTaken } from './worker-id-holder';

export interface PresenceOptions {
  intervalMs: number;
  /** A holder silent this long has lost its WORKER_ID (WORKER_STALE_SECONDS). */
  staleMs: number;
  /** Another process took this WORKER_ID (after a long stall here): stop consuming. */
  onTakenOver: (holder: string | null) => void;
  /** What each heartbeat learnt of the reaper lease (its remaining life; null: none yet). */
  onLeaderLease?: (remainingMs: number | null) => void;
}

/**
 * The worker's row in `workers` and its WORKER_ID lease in one: `register()` claims the id (or
 * throws WorkerIdTakenError naming the live holder), every heartbeat renews the lease with one
 * guarded statement, and a clean shutdown frees it. Between beats nothing is held: no session,
 * no lock. A heartbeat that finds no row (deleted by an operator) claims the id again; one that
 * finds another holder reports the takeover and beats no more.
 */
export class WorkerPresence {
  readonly holder: string;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private stopped = false;
  private lost = false;

  constructor(
    private readonly db: SqlDb,
    private readonly registration: WorkerRegistration,
    private readonly activity: WorkerActivity,
    private readonly options: PresenceOptions,
    private readonly logger: Logger,
  ) {
    this.holder = newHolderToken(registration.hostname);
  }

  /** Whether another process took this WORKER_ID. */
  get takenOver(): boolean {
    return this.lost;
  }

  /** Claims the WORKER_ID and registers; throws WorkerIdTakenError while a live worker holds it. */
  async register(): Promise<void> {
    if (await this.claim()) return;
    const current = await findWorkerIdHolder(this.db, this.registration.id);
    // Same host and its process is gone (a restart after SIGKILL): take it back at once, compare-and-set on that holder.
    if (current && holderIsDead(current.holder, this.registration.hostname) && (await this.claim(current.holder))) return;
    throw workerIdTaken(this.registration.id, current);
  }

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs);
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
    this.clearTimers();
    await this.beating;
    if (!this.lost) await releaseWorkerId(this.db, this.registration.id, this.holder);
  }

  private claim(deadHolder?: string | null): Promise<boolean> {
    const registration = { ...this.registration, clusterName: this.activity.clusterName ?? this.registration.clusterName };
    return claimWorkerId(this.db, { registration, holder: this.holder, staleMs: this.options.staleMs, deadHolder });
  }

  private clearTimers(): void {
    if (this.soon) clearTimeout(this.soon);
    this.soon = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async send(): Promise<void> {
    if (this.stopped || this.lost) return;
    try {
      const { status, currentTaskId, healthReason } = this.activity.snapshot();
      const heartbeat = { id: this.registration.id, status, currentTaskId, clusterName: this.activity.clusterName ?? undefined, healthReason };
      const answer = await beatAsHolder(this.db, heartbeat, this.holder, REAPER_LEASE);
      if (answer) return this.options.onLeaderLease?.(answer.leaderLeaseMs);
      const current = await findWorkerIdHolder(this.db, this.registration.id);
      if (!current && (await this.claim())) return; // the row was deleted: register again
      this.lost = true;
      this.clearTimers();
      this.logger.error('another process took this WORKER_ID; this worker stops taking tasks', { holder: current?.holder ?? null, holder_host: current?.hostname ?? null });
      this.options.onTakenOver(current?.holder ?? null);
    } catch (error) {
      this.logger.warn('heartbeat failed', { error: (error as Error).message });
    }
  }
}

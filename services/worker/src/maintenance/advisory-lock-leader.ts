import { Client } from 'pg';
import type { Logger } from '@aiopslab/shared/logging/logger';

/** The advisory lock key of the reaper (any constant shared by all workers of a database). */
export const REAPER_LOCK_KEY = 4_242_001n;

/**
 * Leadership per pass: each pass takes a transaction-scoped advisory lock on a dedicated
 * connection and holds it only while the pass runs, so exactly one worker reaps at a time.
 *
 * A session-level lock held between passes would make a stalled leader (SIGSTOP, a long GC, a
 * frozen VM) block reaping for everyone: its connection stays open, so PostgreSQL never releases
 * the lock. Here a leader that stalls between passes holds nothing, and one that stalls inside a
 * pass is cut off by `idle_in_transaction_session_timeout`, which releases the lock.
 */
export class AdvisoryLockLeader {
  private client: Client | null = null;
  private leader = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly lockKey: bigint,
    private readonly logger: Logger,
    /** Longest a pass may hold the lock without a word to PostgreSQL. */
    private readonly stallTimeoutMs = 30_000,
  ) {}

  /** Whether the last pass ran here (for health and metrics). */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Runs `pass` if no other worker is running one; returns whether it ran. */
  async runIfLeader(pass: () => Promise<unknown>): Promise<boolean> {
    let client: Client;
    try {
      client = this.client ?? (await this.connect());
      await client.query('BEGIN');
      await client.query(`SET LOCAL idle_in_transaction_session_timeout = ${Math.round(this.stallTimeoutMs)}`);
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [this.lockKey.toString()]);
      this.setLeader(rows[0]?.locked === true);
    } catch (error) {
      this.logger.warn('reaper leadership check failed', { error: (error as Error).message });
      await this.drop();
      return false;
    }
    try {
      if (this.leader) await pass();
      return this.leader;
    } finally {
      await client.query('COMMIT').catch(() => this.drop());
    }
  }

  async release(): Promise<void> {
    this.setLeader(false);
    await this.drop();
  }

  private setLeader(leader: boolean): void {
    if (leader !== this.leader) this.logger.info(leader ? 'reaper leadership acquired' : 'reaper leadership passed on');
    this.leader = leader;
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'aiopslab-worker-reaper' });
    client.on('error', (error) => {
      this.logger.warn('reaper lock connection lost', { error: error.message });
      if (this.client === client) {
        this.client = null;
        this.leader = false;
      }
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.leader = false;
    await client?.end().catch(() => undefined);
  }
}

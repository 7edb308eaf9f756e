import { Client } from 'pg';
import type { Logger } from '@aiopslab/shared/logging/logger';

/** The advisory lock key of the reaper (any constant shared by all workers of a database). */
export const REAPER_LOCK_KEY = 4_242_001n;

/**
 * Leadership through a session-level PostgreSQL advisory lock on a dedicated connection: the
 * holder is leader for as long as that connection lives. If it drops, PostgreSQL releases the
 * lock and another worker's next attempt wins.
 */
export class AdvisoryLockLeader {
  private client: Client | null = null;
  private leader = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly lockKey: bigint,
    private readonly logger: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** Returns whether this process is the leader now (tries to become it when not). */
  async tryLead(): Promise<boolean> {
    if (this.leader && this.client) return true;
    try {
      const client = this.client ?? (await this.connect());
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.lockKey.toString()]);
      this.leader = rows[0]?.locked === true;
      if (this.leader) this.logger.info('reaper leadership acquired');
    } catch (error) {
      this.logger.warn('reaper leadership check failed', { error: (error as Error).message });
      await this.drop();
    }
    return this.leader;
  }

  async release(): Promise<void> {
    const wasLeader = this.leader;
    if (wasLeader && this.client) await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [this.lockKey.toString()]).catch(() => undefined);
    await this.drop();
    if (wasLeader) this.logger.info('reaper leadership released');
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'aiopslab-worker-reaper' });
    client.on('error', (error) => {
      this.logger.warn('reaper lock connection lost; leadership dropped', { error: error.message });
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

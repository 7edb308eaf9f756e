import { Client } from 'pg';
import { findWorker } from '@aiopslab/shared/tables/workers';
import type { SqlClient } from '@aiopslab/shared/db/sql';
import type { Logger } from '@aiopslab/shared/logging/logger';

/** The first half of the advisory lock key (the second is hashtext(worker id)); 0 is the reaper's. */
const WORKER_ID_LOCK_CLASS = 4243;
const RETAKE_INTERVAL_MS = 5000;

export class WorkerIdTakenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerIdTakenError';
  }
}

/**
 * One live process per WORKER_ID. The worker holds a session-level advisory lock named after its
 * id for as long as it runs, on a connection of its own: a second process with the same id finds
 * the lock taken and refuses to start, naming the holder. A process that dies (even by SIGKILL)
 * loses its connection and so the lock at once, so a restarted worker takes its id back without
 * waiting for its old heartbeat to go stale. A heartbeat alone could not tell those two apart.
 */
export class WorkerIdLock {
  private client: Client | null = null;
  private retakeTimer: NodeJS.Timeout | null = null;
  private released = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly workerId: string,
    private readonly registry: SqlClient,
    private readonly logger: Logger,
  ) {}

  /** Takes the id, or throws WorkerIdTakenError naming the live worker that holds it. */
  async acquire(): Promise<void> {
    if (await this.tryLock()) return;
    const holder = await findWorker(this.registry, this.workerId);
    const seen = holder ? `on host ${holder.hostname}, last heartbeat ${holder.lastHeartbeatAt.toISOString()}, status ${holder.status}` : 'by a process that has not registered yet';
    throw new WorkerIdTakenError(
      `WORKER_ID ${this.workerId} is held by a running worker (${seen}). ` +
        'Give this worker another WORKER_ID (each worker needs its own), or stop the other one first.',
    );
  }

  async release(): Promise<void> {
    this.released = true;
    if (this.retakeTimer) clearTimeout(this.retakeTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined); // ending the session releases the lock
  }

  private async tryLock(): Promise<boolean> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: `worker-id ${this.workerId}` });
    client.on('error', (error) => this.onConnectionLost(client, error));
    client.on('end', () => this.onConnectionLost(client, new Error('the connection ended')));
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked', [WORKER_ID_LOCK_CLASS, this.workerId]);
      if (rows[0]?.locked) {
        this.client = client;
        return true;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    await client.end().catch(() => undefined);
    return false;
  }

  /** The database went away (a restart, a network cut): the lock went with it; take it again. */
  private onConnectionLost(client: Client, error: Error): void {
    if (client !== this.client || this.released) return;
    this.client = null;
    this.logger.warn('worker id lock connection lost; taking the id again when the database is back', { error: error.message });
    this.scheduleRetake();
  }

  private scheduleRetake(): void {
    if (this.released) return;
    this.retakeTimer = setTimeout(() => {
      this.retakeTimer = null;
      this.tryLock().then(
        (locked) => {
          if (!locked) this.logger.error('another process took this WORKER_ID while the database was unreachable; two workers now share it', { worker_id: this.workerId });
        },
        () => this.scheduleRetake(),
      );
    }, RETAKE_INTERVAL_MS);
    this.retakeTimer.unref();
  }
}

import { Client } from 'pg';
import type { ConfirmPublisher } from '../amqp/confirm-publisher';
import type { Db } from '../db/prisma-client';
import type { Logger } from '../logging/logger';
import { OUTBOX_CHANNEL } from './outbox-writer';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (another process's commit, a lost notification). */
  pollIntervalMs?: number;
  /** Published rows are deleted after this long. */
  retentionMs?: number;
  /** LISTEN for commits of other processes; omit to rely on in-process wake() and polling. */
  listenDatabaseUrl?: string;
  onPublished?: (count: number) => void;
}

interface DueRow {
  id: bigint;
  message_id: string;
  exchange: string;
  routing_key: string;
  payload: unknown;
  headers: { type?: string; correlation_id?: string | null; priority?: number | null };
}

/**
 * Publishes due outbox rows with publisher confirms, then marks them published, all inside one
 * transaction holding the rows with FOR UPDATE SKIP LOCKED, so any number of relays can run.
 * Delivery is at-least-once (a crash between confirm and commit republishes); consumers dedupe.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private listener: Client | null = null;
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly publisher: ConfirmPublisher,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.options.listenDatabaseUrl) void this.listen(this.options.listenDatabaseUrl);
    this.loop = this.run();
  }

  /** Called right after a commit that wrote outbox rows. */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  /** Rows not yet published (due or scheduled). */
  async backlog(): Promise<number> {
    const rows = await this.db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM outbox WHERE published_at IS NULL`;
    return Number(rows[0].count);
  }

  /** Publishes one batch; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    if (!this.publisher.isReady()) return 0;
    const batchSize = this.options.batchSize ?? 200;
    const published = await this.db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<DueRow[]>`
          SELECT id, message_id, exchange, routing_key, payload, headers FROM outbox
          WHERE published_at IS NULL AND available_at <= now()
          ORDER BY available_at, id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        await Promise.all(rows.map((row) => this.publishRow(row)));
        const ids = rows.map((row) => row.id);
        await tx.$executeRaw`UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(${ids}::bigint[])`;
        return rows.length;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
    if (published > 0) this.options.onPublished?.(published);
    return published;
  }

  private publishRow(row: DueRow): Promise<void> {
    const headers = row.headers ?? {};
    return this.publisher.publish(row.exchange, row.routing_key, row.payload, {
      messageId: row.message_id,
      type: headers.type ?? undefined,
      correlationId: headers.correlation_id ?? undefined,
      priority: headers.priority ?? undefined,
      timestamp: Math.floor(Date.now() / 1000),
      headers: { 'x-correlation-id': headers.correlation_id ?? undefined },
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.pendingWake = false;
      let published = 0;
      try {
        published = await this.publishBatch();
        await this.pruneIfDue();
        failures = 0;
      } catch (error) {
        failures++;
        this.logger.warn('outbox relay batch failed; will retry', { error: (error as Error).message, failures });
      }
      const batchSize = this.options.batchSize ?? 200;
      if (published >= batchSize && failures === 0) continue;
      const delay = failures > 0 ? Math.min(5000, 100 * 2 ** failures) : await this.idleDelay();
      await this.sleep(delay);
    }
  }

  /** Sleeps until the next scheduled row is due, capped by the poll interval. */
  private async idleDelay(): Promise<number> {
    const poll = this.options.pollIntervalMs ?? 1000;
    try {
      const rows = await this.db.$queryRaw<{ due_in_ms: number | null }[]>`
        SELECT (EXTRACT(EPOCH FROM (min(available_at) - now())) * 1000)::float8 AS due_in_ms
        FROM outbox WHERE published_at IS NULL`;
      const dueIn = rows[0]?.due_in_ms;
      if (dueIn === null || dueIn === undefined) return poll;
      return Math.max(5, Math.min(poll, Math.ceil(dueIn)));
    } catch {
      return poll;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private async pruneIfDue(): Promise<void> {
    const retentionMs = this.options.retentionMs ?? 10 * 60_000;
    if (Date.now() - this.lastPrune < 30_000) return;
    this.lastPrune = Date.now();
    const cutoff = new Date(Date.now() - retentionMs);
    await this.db.$executeRaw`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < ${cutoff} LIMIT 5000)`;
  }

  private async listen(databaseUrl: string): Promise<void> {
    while (this.running) {
      const client = new Client({ connectionString: databaseUrl });
      try {
        // A persistent handler: pg emits 'error' on a broken connection, and an unhandled one
        // would crash the process (a PostgreSQL restart must not).
        const closed = new Promise<void>((resolve) => {
          client.on('error', (error) => {
            this.logger.warn('outbox listener connection lost', { error: error.message });
            resolve();
          });
          client.on('end', () => resolve());
        });
        await client.connect();
        client.on('notification', () => this.wake());
        await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
        this.listener = client;
        this.wake(); // whatever committed while not listening
        await closed;
      } catch (error) {
        this.logger.warn('outbox listener failed; polling until it reconnects', { error: (error as Error).message });
      }
      this.listener = null;
      await client.end().catch(() => undefined);
      if (this.running) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

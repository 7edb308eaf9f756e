import type { ConfirmPublisher } from '../amqp/confirm-publisher';
import type { SqlClient } from '../db/sql';
import type { Logger } from '../logging/logger';
import { CALLBACK_HEADER } from '../amqp/delivery';
import { claimDueOutboxRows, countUnpublishedOutbox, DueOutboxRow, markOutboxPublished, OutboxMark, pruneOutbox, releaseOutboxRows } from '../tables/outbox';
import { backoffMs } from '../domain/backoff';

/** After a failed batch: 200 ms, doubling, at most 5 s. */
const RETRY_BACKOFF = { baseMs: 100, capMs: 5000 };

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Fallback poll for rows no wake() announced (a writer that crashed after its commit). */
  pollIntervalMs?: number;
  /** Published rows are deleted after this long. */
  retentionMs?: number;
  /** How long a relay holds rows it is publishing before another relay may take them over. */
  claimMs?: number;
  onPublished?: (count: number) => void;
}

/** How long a published row may wait, when no pass comes first, to be marked published. */
const MARK_DELAY_MS = 100;
/**
 * Direct publishes are marked within this: well inside the writer's claim (DIRECT_CLAIM_MS, 10 s),
 * and long enough that a worker's claim and finish events go in one statement.
 */
const DIRECT_MARK_DELAY_MS = 1_000;

/**
 * Publishes due outbox rows with publisher confirms. A pass claims a batch by pushing its
 * available_at forward (FOR UPDATE SKIP LOCKED, so any number of relays can run), publishes it,
 * waits for the confirms and marks the rows published: two statements, no transaction held open
 * while the broker answers. A relay that dies mid-batch leaves its rows to be claimed again once
 * the claim runs out: delivery is at-least-once and consumers dedupe by message id.
 * Each process wakes its own relay right after its commits; polling covers everything else.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private lastPrune = 0;
  /** Confirmed by the broker (when), not yet marked published. */
  private unmarked: OutboxMark[] = [];
  /** A wake-up due within DIRECT_MARK_DELAY_MS to mark direct publishes (a relay may sleep for minutes). */
  private markTimer: NodeJS.Timeout | null = null;
  /** Direct publishes not yet confirmed (stop waits for them). */
  private readonly publishing = new Set<Promise<void>>();

  constructor(
    private readonly db: SqlClient,
    private readonly publisher: ConfirmPublisher,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Called right after a commit that wrote outbox rows. `direct`: rows the writer wrote claimed
   * for itself (a task store writing on a pool), published now with no claim statement, and marked by the next
   * pass; a publish that fails hands them back to every relay at once. The rest wake a pass.
   */
  committed(direct?: readonly DueOutboxRow[]): void {
    if (!direct) return this.wake();
    if (direct.length === 0) return;
    if (!this.running || !this.publisher.isReady()) return void this.handBack(direct);
    const publishing = Promise.all(direct.map((row) => this.publishRow(row))).then(
      () => {
        const at = new Date().toISOString();
        for (const row of direct) this.unmarked.push({ id: row.id, at });
        this.markSoon();
        this.options.onPublished?.(direct.length);
      },
      (error) => {
        this.logger.warn('publishing committed outbox rows failed; a relay pass publishes them', { error: (error as Error).message });
        return this.handBack(direct);
      },
    );
    this.publishing.add(publishing);
    void publishing.finally(() => this.publishing.delete(publishing));
  }

  private async handBack(rows: readonly DueOutboxRow[]): Promise<void> {
    await releaseOutboxRows(this.db, rows.map((row) => row.id)).catch(() => undefined);
    this.wake();
  }

  /** Called right after a commit that wrote outbox rows for the relay to publish. */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    this.wake();
    await this.loop;
    await Promise.all(this.publishing);
    await this.markPublished().catch((error) => this.logger.warn('marking published outbox rows failed; they will be published again', { error: (error as Error).message }));
  }

  /**
   * Marks direct publishes within DIRECT_MARK_DELAY_MS, however long the relay sleeps (a worker's polls
   * every 10 minutes): unmarked, their rows would fall due again when the writer's claim runs out
   * and be published a second time by any relay.
   */
  private markSoon(): void {
    if (this.markTimer || !this.running) return;
    this.markTimer = setTimeout(() => {
      this.markTimer = null;
      this.wake();
    }, DIRECT_MARK_DELAY_MS);
  }

  /** Rows not yet published (due or scheduled). */
  async backlog(): Promise<number> {
    return countUnpublishedOutbox(this.db);
  }

  /**
   * Publishes one batch; returns how many rows it published and, when it knows, when the next
   * row falls due. Rows confirmed by the broker are marked published by the next statement this
   * relay runs anyway (the next pass's claim), or by an idle pass within MARK_DELAY_MS: one
   * statement per pass instead of two. A crash before the mark republishes them once their claim
   * runs out (at least once; consumers dedupe).
   */
  async publishBatch(): Promise<{ published: number; nextDueInMs: number | null }> {
    if (!this.publisher.isReady()) {
      await this.markPublished(); // what the broker confirmed before it went away
      return { published: 0, nextDueInMs: null };
    }
    const batchSize = this.options.batchSize ?? 200;
    const claimMs = this.options.claimMs ?? 30_000;
    const marks = this.unmarked;
    this.unmarked = [];
    let claimed: { rows: DueOutboxRow[]; nextDueInMs: number | null };
    try {
      claimed = await claimDueOutboxRows(this.db, marks, claimMs, batchSize);
    } catch (error) {
      this.unmarked = marks.concat(this.unmarked);
      throw error;
    }
    const { rows } = claimed;
    if (rows.length === 0) return { published: 0, nextDueInMs: claimed.nextDueInMs };
    rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    const ids = rows.map((row) => row.id);
    try {
      await Promise.all(rows.map((row) => this.publishRow(row)));
    } catch (error) {
      // Hand the rows back at once instead of after the claim runs out.
      await releaseOutboxRows(this.db, ids).catch(() => undefined);
      throw error;
    }
    const confirmedAt = new Date().toISOString(); // published_at says when the broker confirmed
    for (const id of ids) this.unmarked.push({ id, at: confirmedAt });
    this.options.onPublished?.(rows.length);
    return { published: rows.length, nextDueInMs: null };
  }

  /** Marks what was published and not yet marked (on stop, and when a flush must be complete). */
  async markPublished(): Promise<void> {
    const marks = this.unmarked;
    this.unmarked = [];
    if (marks.length === 0) return;
    try {
      await markOutboxPublished(this.db, marks);
    } catch (error) {
      this.unmarked = marks.concat(this.unmarked);
      throw error;
    }
  }

  private publishRow(row: DueOutboxRow): Promise<void> {
    const headers = row.headers ?? {};
    return this.publisher.publish(row.exchange, row.routing_key, row.payload, {
      messageId: row.message_id,
      type: headers.type ?? undefined,
      correlationId: headers.correlation_id ?? undefined,
      priority: headers.priority ?? undefined,
      timestamp: Math.floor(Date.now() / 1000),
      headers: { 'x-correlation-id': headers.correlation_id ?? undefined, ...(typeof headers.callback === 'boolean' ? { [CALLBACK_HEADER]: headers.callback ? 'yes' : 'no' } : {}) },
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.pendingWake = false;
      let batch = { published: 0, nextDueInMs: null as number | null };
      try {
        batch = await this.publishBatch();
        await this.pruneIfDue();
        failures = 0;
      } catch (error) {
        failures++;
        this.logger.warn('outbox relay batch failed; will retry', { error: (error as Error).message, failures });
      }
      const batchSize = this.options.batchSize ?? 200;
      if (batch.published >= batchSize && failures === 0) continue;
      const poll = this.options.pollIntervalMs ?? 1000;
      const due = batch.nextDueInMs;
      let delay = failures > 0 ? backoffMs(failures + 1, RETRY_BACKOFF) : due === null ? poll : Math.max(5, Math.min(poll, Math.ceil(due)));
      // Rows published and not yet marked: a pass soon marks them (and learns the next due time).
      if (this.unmarked.length > 0) delay = Math.min(delay, MARK_DELAY_MS);
      await this.sleep(delay);
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
    await pruneOutbox(this.db, cutoff);
  }
}

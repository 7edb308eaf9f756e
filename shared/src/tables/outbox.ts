import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../db/sql';

export interface OutboxMessageInput {
  exchange: string;
  routingKey: string;
  type: string;
  payload: object;
  correlationId?: string;
  priority?: number;
  /** Not published before this time: delayed retries and scheduled tasks without broker plugins. */
  availableAt?: Date;
  /** Not published before the database's now() plus this many ms (wins over availableAt). */
  delayMs?: number;
  messageId?: string;
  /** A terminal event: whether its task has a callback_url (the relay's `task-callback` header). */
  callback?: boolean;
}

/** What the relay needs besides the body: the AMQP `type`, correlation id, priority and callback flag. */
export function outboxHeaders(message: Pick<OutboxMessageInput, 'type' | 'correlationId' | 'priority' | 'callback'>) {
  const headers = { type: message.type, correlation_id: message.correlationId ?? null, priority: message.priority ?? null };
  return message.callback === undefined ? headers : { ...headers, callback: message.callback };
}

export interface OutboxInsertOptions {
  /** Rows to join (a CTE name): one copy of the messages per row, none when it is empty. */
  from?: string;
  /** A jsonb SQL expression merged into the first message's payload (may use `from`'s columns). */
  firstPayloadPatch?: string;
  /** The same for its headers (which the relay turns into AMQP properties and headers). */
  firstHeadersPatch?: string;
  /**
   * The writer publishes the due-now messages itself right after its commit (directPublishable):
   * they are written claimed for DIRECT_CLAIM_MS, so no relay takes them meanwhile, and a writer
   * that dies first leaves them to any relay once the claim runs out.
   */
  direct?: boolean;
}

/** How long a directly published row stays claimed by its writer. */
export const DIRECT_CLAIM_MS = 10_000;

/** What an outbox INSERT returns: the rows as a relay publishes them. */
export const OUTBOX_RETURNING = 'RETURNING id, message_id::text, exchange, routing_key, payload, headers';

/** The rows a writer may publish itself: those of `ids` due at once (not delayed). */
export function directPublishable(rows: readonly DueOutboxRow[], messages: readonly OutboxMessageInput[], ids: readonly string[]): DueOutboxRow[] {
  const due = new Set(ids.filter((_, i) => messages[i].delayMs === undefined && messages[i].availableAt === undefined));
  return rows.filter((row) => due.has(row.message_id));
}

/**
 * THE insert into the outbox, of the rows `select` yields as (message_id, exchange, routing_key,
 * payload, headers, available_at): a writer with its own input form (a submission's JSON
 * document) still writes outbox rows through here.
 */
export function outboxInsertFrom(select: string): string {
  return `INSERT INTO outbox (message_id, exchange, routing_key, payload, headers, available_at) ${select}`;
}

/**
 * The INSERT of `messages` into the outbox with its parameters numbered from `firstParam`, so a
 * caller can run it alone or as a CTE of a larger statement (the transition that announces it).
 */
export function outboxInsert(messages: OutboxMessageInput[], firstParam = 1, options: OutboxInsertOptions = {}): { sql: string; values: unknown[]; ids: string[] } {
  const ids = messages.map((message) => message.messageId ?? randomUUID());
  const p = (i: number) => `$${firstParam + i}`;
  return {
    ids,
    sql: outboxInsertFrom(`
      SELECT m.id, m.exchange, m.routing_key, ${options.firstPayloadPatch ? `CASE WHEN m.ord = 1 THEN m.payload || (${options.firstPayloadPatch}) ELSE m.payload END` : 'm.payload'},
             ${options.firstHeadersPatch ? `CASE WHEN m.ord = 1 THEN m.headers || (${options.firstHeadersPatch}) ELSE m.headers END` : 'm.headers'}, COALESCE(now() + m.delay_ms * interval '1 millisecond', m.available_at, now() + ${p(7)}::int * interval '1 millisecond')
      FROM ${options.from ? `${options.from}, ` : ''}unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::jsonb[], ${p(4)}::jsonb[], ${p(5)}::timestamptz[], ${p(6)}::float8[])
        WITH ORDINALITY AS m(id, exchange, routing_key, payload, headers, available_at, delay_ms, ord)
      ${OUTBOX_RETURNING}`),
    values: [
      ids,
      messages.map((m) => m.exchange),
      messages.map((m) => m.routingKey),
      messages.map((m) => JSON.stringify(m.payload)),
      messages.map((m) => JSON.stringify(outboxHeaders(m))),
      messages.map((m) => m.availableAt?.toISOString() ?? null),
      messages.map((m) => m.delayMs ?? null),
      options.direct ? DIRECT_CLAIM_MS : 0,
    ],
  };
}

/**
 * Records messages to publish in the caller's transaction, so they exist if and only if the
 * state change they announce commits. The writer wakes its own relay after the commit.
 */
export async function enqueueOutbox(tx: SqlClient, messages: OutboxMessageInput[]): Promise<string[]> {
  if (messages.length === 0) return [];
  const insert = outboxInsert(messages);
  await tx.$queryRawUnsafe(insert.sql, ...insert.values);
  return insert.ids;
}

/** A row the broker confirmed, with the time of its confirm. */
export interface OutboxMark {
  id: bigint;
  at: string;
}

export interface DueOutboxRow {
  id: bigint;
  message_id: string;
  exchange: string;
  routing_key: string;
  payload: unknown;
  headers: { type?: string; correlation_id?: string | null; priority?: number | null; callback?: boolean };
}

/**
 * Confirmed rows → published, with the time of their confirm; $1 ids, $2 times (markParameters).
 * `outbox.id = ANY($1)` is redundant with the join but keeps every plan an index lookup: a
 * prepared statement planned while the table was small would otherwise hash-join a scan of it.
 */
const MARK_PUBLISHED = `UPDATE outbox SET published_at = m.at FROM unnest($1::bigint[], $2::timestamptz[]) AS m(id, at) WHERE outbox.id = m.id AND outbox.id = ANY($1::bigint[])`;

function markParameters(marks: readonly OutboxMark[]): [bigint[], string[]] {
  return [marks.map((m) => m.id), marks.map((m) => m.at)];
}

/**
 * Marks `marks` published and claims the next due batch (FOR UPDATE SKIP LOCKED) by pushing its
 * available_at `claimMs` forward, in one statement: any number of relays can run. When nothing
 * was due, the same statement says when the next unpublished row falls due (negative: already
 * due, e.g. locked by another relay; null: none is left), so an idle pass costs one statement.
 */
export async function claimDueOutboxRows(db: SqlClient, marks: readonly OutboxMark[], claimMs: number, batchSize: number): Promise<{ rows: DueOutboxRow[]; nextDueInMs: number | null }> {
  const result = await db.$queryRawUnsafe<(DueOutboxRow & { due_in_ms: number | null })[]>(
    `WITH marked AS (${MARK_PUBLISHED}),
     claimed AS (
       UPDATE outbox SET available_at = now() + $3::int * interval '1 millisecond', attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM outbox WHERE published_at IS NULL AND available_at <= now() AND NOT (id = ANY($1::bigint[]))
         ORDER BY available_at, id LIMIT $4::int FOR UPDATE SKIP LOCKED)
       RETURNING id, message_id::text, exchange, routing_key, payload, headers)
     SELECT *, NULL::float8 AS due_in_ms FROM claimed
     UNION ALL
     SELECT NULL, NULL, NULL, NULL, NULL, NULL,
            (SELECT (EXTRACT(EPOCH FROM (min(available_at) - now())) * 1000)::float8 FROM outbox WHERE published_at IS NULL AND NOT (id = ANY($1::bigint[])))
     WHERE NOT EXISTS (SELECT 1 FROM claimed)`,
    ...markParameters(marks),
    claimMs,
    batchSize,
  );
  if (result.length === 1 && result[0].id === null) return { rows: [], nextDueInMs: result[0].due_in_ms };
  return { rows: result.map(({ due_in_ms: _, ...row }) => row), nextDueInMs: null };
}

export async function markOutboxPublished(db: SqlClient, marks: readonly OutboxMark[]): Promise<void> {
  await db.$queryRawUnsafe(MARK_PUBLISHED, ...markParameters(marks));
}

/** Hands claimed rows back at once (a failed publish) instead of after the claim runs out. */
export async function releaseOutboxRows(db: SqlClient, ids: bigint[]): Promise<void> {
  await db.$executeRaw`UPDATE outbox SET available_at = now() WHERE id = ANY(${ids}::bigint[]) AND published_at IS NULL`;
}

/** Rows not yet published (due or scheduled). */
export async function countUnpublishedOutbox(db: SqlClient): Promise<number> {
  const rows = await db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM outbox WHERE published_at IS NULL`;
  return Number(rows[0].count);
}

/** Deletes up to 5,000 rows published before `cutoff`. */
export async function pruneOutbox(db: SqlClient, cutoff: Date): Promise<void> {
  await db.$executeRaw`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < ${cutoff} LIMIT 5000)`;
}

export interface OutboxStats {
  unpublished: number;
  /** Of those, due now (the rest are delayed retries and scheduled dispatches). */
  due: number;
  oldest_due_at: string | null;
}

/** The unpublished outbox rows; served by the partial index outbox_due_idx. */
export async function readOutboxStats(db: SqlClient): Promise<OutboxStats> {
  const [row] = await db.$queryRaw<{ unpublished: bigint; due: bigint; oldest_due_at: Date | null }[]>`
    SELECT count(*) AS unpublished,
           count(*) FILTER (WHERE available_at <= now()) AS due,
           min(available_at) FILTER (WHERE available_at <= now()) AS oldest_due_at
    FROM outbox WHERE published_at IS NULL`;
  return { unpublished: Number(row.unpublished), due: Number(row.due), oldest_due_at: row.oldest_due_at?.toISOString() ?? null };
}

/** SQL: the rows an INSERT … RETURNING CTE named `cte` wrote, as one JSON array (for a statement that returns other rows too). */
export function announcedJson(cte: string): string {
  return `(SELECT coalesce(json_agg(json_build_object('id', a.id::text, 'message_id', a.message_id, 'exchange', a.exchange, 'routing_key', a.routing_key,
    'payload', a.payload, 'headers', a.headers)), '[]'::json) FROM ${cte} a)`;
}

/** One element of announcedJson: JSON has no bigint, so the id comes as text. */
export type AnnouncedJsonRow = Omit<DueOutboxRow, 'id'> & { id: string };

/** The rows of announcedJson, as a relay publishes them. */
export function fromAnnouncedJson(rows: AnnouncedJsonRow[]): DueOutboxRow[] {
  return rows.map((row) => ({ ...row, id: BigInt(row.id) }));
}

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
}

/** What the relay needs besides the body: the AMQP `type`, correlation id and priority. */
export function outboxHeaders(message: Pick<OutboxMessageInput, 'type' | 'correlationId' | 'priority'>) {
  return { type: message.type, correlation_id: message.correlationId ?? null, priority: message.priority ?? null };
}

export interface OutboxInsertOptions {
  /** Rows to join (a CTE name): one copy of the messages per row, none when it is empty. */
  from?: string;
  /** A jsonb SQL expression merged into the first message's payload (may use `from`'s columns). */
  firstPayloadPatch?: string;
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
    sql: `INSERT INTO outbox (message_id, exchange, routing_key, payload, headers, available_at)
      SELECT m.id, m.exchange, m.routing_key, ${options.firstPayloadPatch ? `CASE WHEN m.ord = 1 THEN m.payload || (${options.firstPayloadPatch}) ELSE m.payload END` : 'm.payload'},
             m.headers, COALESCE(now() + m.delay_ms * interval '1 millisecond', m.available_at, now())
      FROM ${options.from ? `${options.from}, ` : ''}unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::jsonb[], ${p(4)}::jsonb[], ${p(5)}::timestamptz[], ${p(6)}::float8[])
        WITH ORDINALITY AS m(id, exchange, routing_key, payload, headers, available_at, delay_ms, ord)`,
    values: [
      ids,
      messages.map((m) => m.exchange),
      messages.map((m) => m.routingKey),
      messages.map((m) => JSON.stringify(m.payload)),
      messages.map((m) => JSON.stringify(outboxHeaders(m))),
      messages.map((m) => m.availableAt?.toISOString() ?? null),
      messages.map((m) => m.delayMs ?? null),
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

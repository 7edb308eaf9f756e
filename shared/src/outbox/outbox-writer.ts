import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/prisma-client';

/** The NOTIFY channel that wakes relays in other processes right after a commit. */
export const OUTBOX_CHANNEL = 'outbox_due';

export interface OutboxMessageInput {
  exchange: string;
  routingKey: string;
  type: string;
  payload: object;
  correlationId?: string;
  priority?: number;
  /** Not published before this time: delayed retries and scheduled tasks without broker plugins. */
  availableAt?: Date;
  messageId?: string;
}

/** What the relay needs besides the body: the AMQP `type`, correlation id and priority. */
export function outboxHeaders(message: Pick<OutboxMessageInput, 'type' | 'correlationId' | 'priority'>) {
  return { type: message.type, correlation_id: message.correlationId ?? null, priority: message.priority ?? null };
}

/**
 * Records messages to publish in the caller's transaction, so they exist if and only if the
 * state change they announce commits. NOTIFY is delivered at commit, never before.
 */
export async function enqueueOutbox(tx: Tx, messages: OutboxMessageInput[]): Promise<string[]> {
  if (messages.length === 0) return [];
  const ids = messages.map((message) => message.messageId ?? randomUUID());
  // One statement for any number of rows, and the NOTIFY with it: this sits on every hot path.
  await tx.$executeRaw`
    WITH inserted AS (
      INSERT INTO outbox (message_id, exchange, routing_key, payload, headers, available_at)
      SELECT m.id, m.exchange, m.routing_key, m.payload, m.headers, COALESCE(m.available_at, now())
      FROM unnest(${ids}::uuid[], ${messages.map((m) => m.exchange)}::text[], ${messages.map((m) => m.routingKey)}::text[],
                  ${messages.map((m) => JSON.stringify(m.payload))}::jsonb[],
                  ${messages.map((m) => JSON.stringify(outboxHeaders(m)))}::jsonb[],
                  ${messages.map((m) => m.availableAt?.toISOString() ?? null)}::timestamptz[])
        AS m(id, exchange, routing_key, payload, headers, available_at)
      RETURNING 1
    )
    SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM (SELECT 1) AS once WHERE EXISTS (SELECT 1 FROM inserted)`;
  return ids;
}

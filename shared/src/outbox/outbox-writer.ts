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

/**
 * Records messages to publish in the caller's transaction, so they exist if and only if the
 * state change they announce commits. NOTIFY is delivered at commit, never before.
 */
export async function enqueueOutbox(tx: Tx, messages: OutboxMessageInput[]): Promise<string[]> {
  if (messages.length === 0) return [];
  const rows = messages.map((message) => ({
    messageId: message.messageId ?? randomUUID(),
    exchange: message.exchange,
    routingKey: message.routingKey,
    payload: message.payload as never,
    headers: { type: message.type, correlation_id: message.correlationId ?? null, priority: message.priority ?? null },
    ...(message.availableAt ? { availableAt: message.availableAt } : {}),
  }));
  await tx.outboxMessage.createMany({ data: rows });
  await tx.$executeRawUnsafe(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  return rows.map((row) => row.messageId);
}

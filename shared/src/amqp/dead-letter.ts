import type { ConsumeMessage, Options } from 'amqplib';
import type { DecodeFailure } from '../schemas/message-decoder';

/**
 * The one dead-letter vocabulary of every consumer. A refused message is copied to `tasks.dead`
 * with its original bytes and properties plus these headers:
 * - `x-dead-letter-reason`: a code (below), for dashboards and alerts;
 * - `x-dead-letter-detail`: what exactly was wrong, for a person;
 * - `x-dead-lettered-by`, `x-dead-lettered-at`: which consumer (service or worker id), when;
 * - `x-original-exchange`, `x-original-routing-key`, `x-original-queue`, `x-redelivered`.
 */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-dead-letter-reason',
  detail: 'x-dead-letter-detail',
  by: 'x-dead-lettered-by',
  at: 'x-dead-lettered-at',
} as const;

/** `unknown_task`: the message names no task; `rejected_by_database`: its data cannot be stored. */
export type DeadLetterReason = DecodeFailure | 'unknown_task' | 'rejected_by_database';

const MAX_DETAIL_CHARS = 1000;

/** Publish options for the dead-letter copy of `message`. Pure. */
export function deadLetterOptions(
  message: Pick<ConsumeMessage, 'fields' | 'properties'>,
  queue: string,
  reason: DeadLetterReason,
  detail: string,
  by: string,
  now: Date = new Date(),
): Options.Publish {
  const { properties, fields } = message;
  return {
    persistent: true,
    contentType: properties.contentType ?? undefined,
    contentEncoding: properties.contentEncoding ?? undefined,
    messageId: properties.messageId ?? undefined,
    correlationId: properties.correlationId ?? undefined,
    type: properties.type ?? undefined,
    timestamp: properties.timestamp ?? undefined,
    headers: {
      ...(properties.headers ?? {}),
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.detail]: detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS)}…` : detail,
      [DEAD_LETTER_HEADERS.by]: by,
      [DEAD_LETTER_HEADERS.at]: now.toISOString(),
      'x-original-exchange': fields.exchange,
      'x-original-routing-key': fields.routingKey,
      'x-original-queue': queue,
      'x-redelivered': fields.redelivered,
    },
  };
}

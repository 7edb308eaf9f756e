import type { ConsumeMessage, Options } from 'amqplib';
import type { RejectReason } from './decode-event';

const MAX_DETAIL_CHARS = 1000;

/**
 * Publish options for the copy of a refused message sent to `tasks.dead`: the original
 * properties and headers, plus why, from where and when. Pure.
 */
export function deadLetterOptions(message: Pick<ConsumeMessage, 'fields' | 'properties'>, queue: string, reason: RejectReason, detail: string, now: Date = new Date()): Options.Publish {
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
      'x-dead-letter-reason': reason,
      'x-dead-letter-detail': detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS)}…` : detail,
      'x-dead-lettered-by': 'status-history',
      'x-dead-lettered-at': now.toISOString(),
      'x-original-exchange': fields.exchange,
      'x-original-routing-key': fields.routingKey,
      'x-original-queue': queue,
      'x-redelivered': fields.redelivered,
    },
  };
}

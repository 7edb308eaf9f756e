import type { ConfirmPublisher } from '@aiopslab/shared/amqp/confirm-publisher';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { Delivery } from './delivery';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves a message that cannot be processed (unparseable, invalid, about nothing) to `tasks.dead`
 * with the reason in its headers, then acks it on its own channel, so it never loops. The copy
 * keeps the original bytes and properties. If the broker does not confirm the copy, the original
 * is requeued after a pause rather than lost.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly topology: Topology,
    private readonly workerId: string,
    private readonly logger: Logger,
    private readonly onDeadLettered: () => void = () => undefined,
  ) {}

  async deadLetter(delivery: Delivery, reason: string): Promise<void> {
    const { message } = delivery;
    const { properties, fields } = message;
    const headers = {
      ...(properties.headers ?? {}),
      'x-death-reason': reason.slice(0, 1000),
      'x-original-queue': delivery.queue,
      'x-original-exchange': fields.exchange,
      'x-original-routing-key': fields.routingKey,
      'x-dead-lettered-by': this.workerId,
      'x-dead-lettered-at': new Date().toISOString(),
    };
    try {
      await this.publisher.publishContent(this.topology.exchanges.dead, '', message.content, {
        headers,
        messageId: properties.messageId,
        correlationId: properties.correlationId,
        type: properties.type,
        contentType: properties.contentType,
        timestamp: properties.timestamp,
        persistent: true,
      });
      delivery.ack();
      this.onDeadLettered();
      this.logger.warn('message dead-lettered', { reason, queue: delivery.queue, message_id: properties.messageId });
    } catch (error) {
      this.logger.error('dead-lettering failed; requeueing the message', { reason, error: (error as Error).message });
      await sleep(1000);
      delivery.nack(true);
    }
  }
}

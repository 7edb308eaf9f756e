import type { Channel } from 'amqplib';
import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { assertControlQueue, Topology } from '@aiopslab/shared/amqp/topology';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { createAjv, createValidator } from '@aiopslab/shared/schemas/validator';
import { CancelMessage, cancelMessageSchema } from '@aiopslab/shared/schemas/messages';
import type { DeadLetterPublisher } from './dead-letter-publisher';
import { Delivery, trackOpen } from './delivery';

export type CancelHandler = (message: CancelMessage, correlationId: string | undefined) => void;

/**
 * Consumes this worker's control queue (`task.control.<worker id>`, bound with routing key =
 * worker id): cancel requests for the task it runs. Invalid messages are dead-lettered.
 */
export class ControlConsumer {
  private channel: Channel | null = null;
  private readonly validate = createValidator<CancelMessage>(createAjv(), cancelMessageSchema, 'cancel message');

  constructor(
    connection: AmqpConnection,
    private readonly topology: Topology,
    private readonly workerId: string,
    private readonly onCancel: CancelHandler,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly logger: Logger,
  ) {
    connection.onConnected(async (model) => {
      const channel = await model.createChannel();
      channel.on('error', (error: Error) => this.logger.warn('control channel error', { error: error.message }));
      const queue = await assertControlQueue(channel, this.topology, this.workerId);
      await channel.prefetch(10);
      const isOpen = trackOpen(channel);
      await channel.consume(queue, (message) => message && void this.handle(new Delivery(channel, message, isOpen, queue)), { noAck: false });
      this.channel = channel;
    });
  }

  async close(): Promise<void> {
    await this.channel?.close().catch(() => undefined);
    this.channel = null;
  }

  private async handle(delivery: Delivery): Promise<void> {
    let message: CancelMessage;
    try {
      message = this.validate(JSON.parse(delivery.message.content.toString('utf8')));
    } catch (error) {
      await this.deadLetters.deadLetter(delivery, `invalid control message: ${(error as Error).message}`);
      return;
    }
    try {
      this.onCancel(message, delivery.correlationId);
    } finally {
      delivery.ack();
    }
  }
}

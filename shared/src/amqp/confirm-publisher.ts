import type { ConfirmChannel, Options } from 'amqplib';
import { AmqpConnection } from './amqp-connection';

export class BrokerUnavailableError extends Error {
  constructor(message = 'RabbitMQ is not connected') {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

/**
 * Publishes persistent messages on a confirm channel and resolves only when the broker has
 * confirmed them; a nack, a closed channel or a missing connection rejects.
 */
export class ConfirmPublisher {
  private channel: ConfirmChannel | null = null;

  constructor(connection: AmqpConnection) {
    connection.onConnected(async (model) => {
      const channel = await model.createConfirmChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.channel === channel) this.channel = null;
      });
      this.channel = channel;
    });
    connection.on('disconnected', () => {
      this.channel = null;
    });
  }

  isReady(): boolean {
    return this.channel !== null;
  }

  publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    return this.publishContent(exchange, routingKey, Buffer.from(JSON.stringify(body)), { contentType: 'application/json', ...options });
  }

  /** Publishes bytes as they are (e.g. a copy of a message that could not be parsed). */
  publishContent(exchange: string, routingKey: string, content: Buffer, options: Options.Publish = {}): Promise<void> {
    const channel = this.channel;
    if (!channel) return Promise.reject(new BrokerUnavailableError());
    return new Promise((resolve, reject) => {
      try {
        channel.publish(exchange, routingKey, content, { persistent: true, ...options }, (error) =>
          error ? reject(new BrokerUnavailableError(`broker did not confirm the message: ${String(error)}`)) : resolve(),
        );
      } catch (error) {
        reject(new BrokerUnavailableError(`publish failed: ${(error as Error).message}`));
      }
    });
  }

  /** Resolves when every message published so far is confirmed. */
  async waitForConfirms(): Promise<void> {
    if (!this.channel) throw new BrokerUnavailableError();
    await this.channel.waitForConfirms();
  }
}

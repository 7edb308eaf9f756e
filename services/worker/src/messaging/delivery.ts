import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * One received message and the channel that delivered it: it is settled there and only there
 * (a delivery tag means nothing on another channel), at most once, and not at all once that
 * channel has closed (the broker has already requeued it then).
 */
export class Delivery {
  private settled = false;

  constructor(
    private readonly channel: Channel,
    readonly message: ConsumeMessage,
    private readonly isChannelOpen: () => boolean,
    readonly queue: string,
  ) {}

  get channelOpen(): boolean {
    return this.isChannelOpen();
  }

  get correlationId(): string | undefined {
    const fromProperty = this.message.properties.correlationId as string | undefined;
    const fromHeader = this.message.properties.headers?.['x-correlation-id'] as string | undefined;
    return fromProperty ?? fromHeader ?? undefined;
  }

  ack(): boolean {
    return this.settle(() => this.channel.ack(this.message));
  }

  nack(requeue: boolean): boolean {
    return this.settle(() => this.channel.nack(this.message, false, requeue));
  }

  private settle(action: () => void): boolean {
    if (this.settled || !this.isChannelOpen()) return false;
    this.settled = true;
    try {
      action();
      return true;
    } catch {
      return false;
    }
  }
}

/** Tracks whether a channel is still open (amqplib has no property for it). */
export function trackOpen(channel: Channel): () => boolean {
  let open = true;
  channel.once('close', () => {
    open = false;
  });
  return () => open;
}

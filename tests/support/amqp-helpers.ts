import amqp, { ChannelModel, ConsumeMessage } from 'amqplib';
import { TEST_AMQP_URL } from './test-services';

/** Collects messages from a queue for assertions. */
export async function collectMessages(queue: string): Promise<{ messages: ConsumeMessage[]; close(): Promise<void>; waitFor(n: number, timeoutMs?: number): Promise<ConsumeMessage[]> }> {
  const connection: ChannelModel = await amqp.connect(TEST_AMQP_URL);
  const channel = await connection.createChannel();
  const messages: ConsumeMessage[] = [];
  await channel.consume(queue, (message) => {
    if (message) {
      messages.push(message);
      channel.ack(message);
    }
  });
  return {
    messages,
    close: async () => {
      await connection.close().catch(() => undefined);
    },
    waitFor: async (n, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} messages on ${queue}, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
  };
}

export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

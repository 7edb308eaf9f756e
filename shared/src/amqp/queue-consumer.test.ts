import { randomBytes } from 'node:crypto';
import amqp, { Channel, ChannelModel } from 'amqplib';
import { collectMessages, waitUntil } from '../../../tests/support/amqp-helpers';
import { TEST_AMQP_URL } from '../../../tests/support/test-services';
import { createLogger } from '../logging/logger';
import { createMessageDecoder } from '../schemas/message-decoder';
import { CancelMessage, cancelMessageSchema } from '../schemas/messages';
import { AmqpConnection } from './amqp-connection';
import { DEAD_LETTER_HEADERS } from './dead-letter';
import type { Delivery } from './delivery';
import { MessageHandler, QueueConsumer } from './queue-consumer';

const logger = createLogger('queue-consumer-test', 'error', true);

/** A message body the cancel schema accepts. */
const cancel = (n: number) => JSON.stringify({ task_id: '7c0d1f8e-8a43-4b8e-9d5e-1c2b3a4d5e6f', attempt: n, requested_at: new Date().toISOString() });

/** A handler that records what it got and holds each message until the test releases it. */
function heldHandler() {
  const seen: { message: CancelMessage; delivery: Delivery }[] = [];
  const releases: (() => void)[] = [];
  const handle: MessageHandler<CancelMessage> = (message, delivery) =>
    new Promise<void>((resolve) => {
      seen.push({ message, delivery });
      releases.push(resolve);
    });
  return { seen, handle, releaseAll: () => releases.splice(0).forEach((release) => release()) };
}

describe('QueueConsumer (against RabbitMQ)', () => {
  const prefix = `test.${process.env.TEST_RUN_ID ?? 'local'}.${randomBytes(4).toString('hex')}.`;
  const queue = `${prefix}consumer-test`;
  const deadExchange = `${prefix}dead`;
  const deadQueue = `${prefix}dead`;
  const otherQueue = `${prefix}other`;
  let admin: ChannelModel;
  let channel: Channel;
  let connection: AmqpConnection;
  const consumers: QueueConsumer<CancelMessage>[] = [];

  const consumer = (handle: MessageHandler<CancelMessage>, options: { prefetch?: number; held?: boolean } = {}) => {
    const created = new QueueConsumer<CancelMessage>({
      name: 'test',
      connection,
      queue,
      prefetch: options.prefetch ?? 1,
      decode: createMessageDecoder<CancelMessage>(cancelMessageSchema, 'cancel message'),
      handle,
      deadLetters: { exchange: deadExchange, by: 'consumer-test', retryDelayMs: 50 },
      logger,
      held: options.held,
    });
    consumers.push(created);
    created.start();
    return created;
  };
  const ready = async () => (await channel.checkQueue(queue)).messageCount;

  beforeAll(async () => {
    admin = await amqp.connect(TEST_AMQP_URL);
    channel = await admin.createChannel();
    await channel.assertExchange(deadExchange, 'fanout', { durable: true });
    await channel.assertQueue(deadQueue, { durable: true });
    await channel.bindQueue(deadQueue, deadExchange, '');
  });
  beforeEach(async () => {
    await channel.assertQueue(queue, { durable: true });
    await channel.purgeQueue(queue);
    connection = new AmqpConnection(TEST_AMQP_URL, logger, { connectionName: `consumer-test ${prefix}`, maxDelayMs: 200 });
    await connection.start();
  });
  afterEach(async () => {
    for (const created of consumers.splice(0)) await created.close(0);
    await connection.close();
  });
  afterAll(async () => {
    for (const name of [queue, deadQueue, otherQueue]) await channel.deleteQueue(name).catch(() => undefined);
    await channel.deleteExchange(deadExchange).catch(() => undefined);
    await admin.close();
  });

  it('hands valid messages to the handler and dead-letters the rest with the one header vocabulary, once each', async () => {
    const dead = await collectMessages(deadQueue);
    const handled: CancelMessage[] = [];
    const created = consumer((message, delivery) => {
      handled.push(message);
      delivery.ack();
    });
    await waitUntil(() => created.isConsuming(), 10_000, 'consuming');
    channel.sendToQueue(queue, Buffer.from('not json'), { messageId: 'm-bad', correlationId: 'c-1' });
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ task_id: 'nope' })));
    channel.sendToQueue(queue, Buffer.from(cancel(1)));
    const [notJson, invalid] = await dead.waitFor(2);
    await waitUntil(() => handled.length === 1, 10_000, 'the valid message handled');
    expect(notJson.content.toString()).toBe('not json');
    expect(notJson.properties).toMatchObject({ messageId: 'm-bad', correlationId: 'c-1' });
    expect(notJson.properties.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.reason]: 'invalid_json',
      [DEAD_LETTER_HEADERS.detail]: expect.stringMatching(/^cancel message is not JSON: /),
      [DEAD_LETTER_HEADERS.by]: 'consumer-test',
      'x-original-queue': queue,
    });
    expect(invalid.properties.headers).toMatchObject({ [DEAD_LETTER_HEADERS.reason]: 'schema_violation', [DEAD_LETTER_HEADERS.detail]: expect.stringContaining('task_id') });
    expect(handled[0].attempt).toBe(1);
    await waitUntil(async () => (await ready()) === 0, 10_000, 'the queue empty');
    expect(dead.messages).toHaveLength(2);
    await dead.close();
  });

  it('settles a delivery exactly once', async () => {
    const outcomes: boolean[] = [];
    consumer((_message, delivery) => {
      outcomes.push(delivery.ack(), delivery.ack(), delivery.nack(true));
    });
    channel.sendToQueue(queue, Buffer.from(cancel(1)));
    await waitUntil(() => outcomes.length === 3, 10_000, 'the handler ran');
    expect(outcomes).toEqual([true, false, false]);
  });

  it('with prefetch=1 a second message waits until the handler has finished, even after an early ack', async () => {
    const handler = heldHandler();
    consumer((message, delivery) => {
      delivery.ack(); // as the worker acks after its commit, then cleans up
      return handler.handle(message, delivery, new AbortController().signal);
    });
    channel.sendToQueue(queue, Buffer.from(cancel(1)));
    channel.sendToQueue(queue, Buffer.from(cancel(2)));
    // The broker hands over the second message as soon as the first is acked...
    await waitUntil(async () => handler.seen.length === 1 && (await ready()) === 0, 10_000, 'both messages delivered');
    expect(handler.seen.map((s) => s.message.attempt)).toEqual([1]); // ...but it is not handled yet
    handler.releaseAll();
    await waitUntil(() => handler.seen.length === 2, 10_000, 'the second handled');
    handler.releaseAll();
  });

  it('after the connection drops mid-handling, resubscribes only once the handler finished; the old delivery cannot be settled', async () => {
    const handler = heldHandler();
    const created = consumer(handler.handle);
    // A second consumer on the same connection shows when the reconnect's subscriptions are done.
    await channel.assertQueue(otherQueue, { durable: true });
    const other = new QueueConsumer<CancelMessage>({ name: 'other', connection, queue: otherQueue, prefetch: 1, decode: createMessageDecoder<CancelMessage>(cancelMessageSchema, 'cancel message'), handle: (_m, d) => void d.ack(), deadLetters: { exchange: deadExchange, by: 'consumer-test' }, logger });
    consumers.push(other);
    other.start();
    channel.sendToQueue(queue, Buffer.from(cancel(1)));
    await waitUntil(() => handler.seen.length === 1 && other.isConsuming(), 10_000, 'the message handled');
    await connection.current()!.close(); // as a broker restart or consumer_timeout would
    await waitUntil(async () => other.isConsuming() && (await ready()) === 1, 10_000, 'resubscribed, and the message back on the queue');
    expect(created.isConsuming()).toBe(false); // one at a time: the first handler still runs
    expect(handler.seen).toHaveLength(1);
    expect(handler.seen[0].delivery.ack()).toBe(false);
    handler.releaseAll();
    await waitUntil(() => handler.seen.length === 2, 10_000, 'the requeued message handled again');
    expect(handler.seen[1].delivery.message.fields.redelivered).toBe(true);
    expect(handler.seen[1].delivery.ack()).toBe(true);
    handler.releaseAll();
  });

  it('hold() stops consumption until release(); deliveries not started go back to the queue', async () => {
    const handled: number[] = [];
    const created = consumer(
      (message, delivery) => {
        handled.push(message.attempt);
        delivery.ack();
      },
      { held: true },
    );
    channel.sendToQueue(queue, Buffer.from(cancel(1)));
    await waitUntil(() => connection.isConnected(), 10_000, 'connected');
    expect(created.isConsuming()).toBe(false);
    expect(await ready()).toBe(1);
    created.release();
    await waitUntil(() => handled.length === 1, 10_000, 'handled after release');
    await created.hold();
    expect(created.isConsuming()).toBe(false);
    channel.sendToQueue(queue, Buffer.from(cancel(2)));
    await waitUntil(async () => (await ready()) === 1, 10_000, 'the second message waiting on the queue');
    expect(handled).toEqual([1]);
    created.release();
    await waitUntil(() => handled.length === 2, 10_000, 'handled after the second release');
  });
});

import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { TEST_AMQP_URL } from '../../../tests/support/test-services';
import { CALLBACK_HEADER } from './delivery';
import { assertCallbackQueue, assertTopology, topologyNames } from './topology';

/** The callbacks queue gets terminal events only of tasks that may have a callback (real broker). */
describe('the callback queue routing', () => {
  const topology = topologyNames(`test.${process.env.TEST_RUN_ID}.${randomBytes(4).toString('hex')}.`);
  let connection: ChannelModel;
  let channel: ConfirmChannel;

  beforeAll(async () => {
    connection = await amqp.connect(TEST_AMQP_URL);
    channel = await connection.createConfirmChannel();
    await assertTopology(channel, topology);
  });
  afterAll(async () => {
    for (const queue of Object.values(topology.queues)) await channel.deleteQueue(queue);
    for (const exchange of Object.values(topology.exchanges)) await channel.deleteExchange(exchange);
    await connection.close();
  });

  async function publishEvents(events: { key: string; callback?: 'yes' | 'no' }[]): Promise<void> {
    for (const { key, callback } of events) {
      const headers = callback ? { [CALLBACK_HEADER]: callback } : {};
      channel.publish(topology.exchanges.events, key, Buffer.from(JSON.stringify({ key, callback: callback ?? null })), { persistent: true, headers });
    }
    await channel.waitForConfirms();
  }

  async function drain(queue: string): Promise<unknown[]> {
    const bodies: unknown[] = [];
    for (let idle = 0; idle < 5; ) {
      const message = await channel.get(queue, { noAck: true });
      if (message) bodies.push(JSON.parse(message.content.toString()));
      else {
        idle++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    return bodies;
  }

  it('drops terminal events that say "no callback", keeps those that say yes or say nothing, and history gets all', async () => {
    // The queue as versions before the filter declared it: bound to every terminal event.
    await channel.assertQueue(topology.queues.callbacks, { durable: true, arguments: { 'x-dead-letter-exchange': topology.exchanges.dead } });
    for (const key of topology.routing.terminalEvents) await channel.bindQueue(topology.queues.callbacks, topology.exchanges.events, key);
    await assertCallbackQueue(channel, topology);
    await assertCallbackQueue(channel, topology); // a second worker's start: nothing left to unbind is no error

    await publishEvents([
      { key: 'task.completed', callback: 'yes' },
      { key: 'task.completed', callback: 'no' },
      { key: 'task.failed' },
      { key: 'task.cancelled', callback: 'no' },
      { key: 'task.timed_out', callback: 'yes' },
      { key: 'task.processing', callback: 'yes' },
    ]);

    expect(await drain(topology.queues.callbacks)).toEqual([
      { key: 'task.completed', callback: 'yes' },
      { key: 'task.failed', callback: null },
      { key: 'task.timed_out', callback: 'yes' },
    ]);
    expect(await drain(topology.queues.history)).toHaveLength(6);
  });
});

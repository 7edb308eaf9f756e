import { AmqpConnection } from '../amqp/amqp-connection';
import { ConfirmPublisher } from '../amqp/confirm-publisher';
import { assertTopology, topologyNames } from '../amqp/topology';
import { createPrismaClient, Db } from '../db/prisma-client';
import { createLogger } from '../logging/logger';
import { claimDueOutboxRows, directPublishable, DueOutboxRow, enqueueOutbox, OutboxMessageInput, outboxInsert } from '../tables/outbox';
import { OutboxRelay } from './outbox-relay';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { collectMessages, waitUntil } from '../../../tests/support/amqp-helpers';
import { TcpProxy } from '../../../tests/support/tcp-proxy';

const logger = createLogger('test', 'error', true);

describe('outbox relay', () => {
  let env: TestEnv;
  let db: Db;
  let connection: AmqpConnection;
  let publisher: ConfirmPublisher;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
    connection = new AmqpConnection(env.amqpUrl, logger, { connectionName: 'outbox-test' });
    const topology = topologyNames(env.queuePrefix);
    connection.onConnected(async (model) => {
      const channel = await model.createChannel();
      await assertTopology(channel, topology);
      await channel.close();
    });
    publisher = new ConfirmPublisher(connection);
    await connection.start();
    await connection.waitUntilConnected(5000);
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  afterAll(async () => {
    await connection.close();
    await db.$disconnect();
    await env.drop();
  });

  function startRelay(options = {}) {
    const relay = new OutboxRelay(db, publisher, logger, { pollIntervalMs: 200, ...options });
    relays.push(relay);
    relay.start();
    return relay;
  }

  it('publishes committed messages once, with their ids, and nothing from a rolled-back transaction', async () => {
    const topology = topologyNames(env.queuePrefix);
    const consumer = await collectMessages(topology.queues.history);
    startRelay();
    const ids = await db.$transaction((tx) =>
      enqueueOutbox(tx, [
        { exchange: topology.exchanges.events, routingKey: 'task.pending', type: 'task.transition', payload: { n: 1 }, correlationId: 'corr-1' },
        { exchange: topology.exchanges.events, routingKey: 'task.pending', type: 'task.transition', payload: { n: 2 } },
      ]),
    );
    await expect(
      db.$transaction(async (tx) => {
        await enqueueOutbox(tx, [{ exchange: topology.exchanges.events, routingKey: 'task.pending', type: 'x', payload: { n: 'rolled back' } }]);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const received = await consumer.waitFor(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(consumer.messages).toHaveLength(2);
    expect(received.map((m) => m.properties.messageId)).toEqual(ids);
    expect(JSON.parse(received[0].content.toString())).toEqual({ n: 1 });
    expect(received[0].properties).toMatchObject({ correlationId: 'corr-1', type: 'task.transition', deliveryMode: 2 });
    await waitUntil(async () => (await db.outboxMessage.count({ where: { publishedAt: null } })) === 0, 5000, 'rows marked published');
    await consumer.close();
  });

  /** Writes messages as a transition with publishDirectly does: claimed for their writer. */
  async function writeDirect(messages: OutboxMessageInput[]): Promise<DueOutboxRow[]> {
    const insert = outboxInsert(messages, 1, { direct: true });
    const rows = await db.$queryRawUnsafe<DueOutboxRow[]>(insert.sql, ...insert.values);
    return directPublishable(rows, messages, insert.ids);
  }

  it('publishes rows its writer committed for itself at once, marks them, and no other relay publishes them again', async () => {
    const topology = topologyNames(env.queuePrefix);
    const consumer = await collectMessages(topology.queues.history);
    const writer = startRelay({ pollIntervalMs: 100 });
    startRelay({ pollIntervalMs: 100 }); // another process's relay, polling for due rows
    const messages = [1, 2].map((n) => ({ exchange: topology.exchanges.events, routingKey: 'task.pending', type: 'task.transition', payload: { direct: n } }));
    const delayed = { exchange: topology.exchanges.events, routingKey: 'task.pending', type: 'task.transition', payload: { delayed: true }, delayMs: 60_000 };
    const direct = await writeDirect([...messages, delayed]);
    expect(direct.map((row) => row.payload)).toEqual([{ direct: 1 }, { direct: 2 }]); // a delayed message waits for a relay
    writer.committed(direct);
    await consumer.waitFor(2);
    await new Promise((r) => setTimeout(r, 1500)); // many passes of both relays
    expect(consumer.messages.map((m) => JSON.parse(m.content.toString()))).toEqual([{ direct: 1 }, { direct: 2 }]);
    await waitUntil(async () => (await db.outboxMessage.count({ where: { publishedAt: null } })) === 1, 5000, 'the direct rows marked published');
    await db.$executeRawUnsafe('DELETE FROM outbox');
    await consumer.close();
  });

  it("marks its direct publishes within a moment even when it polls only every 10 minutes (a worker's relay)", async () => {
    const topology = topologyNames(env.queuePrefix);
    const consumer = await collectMessages(topology.queues.history);
    const writer = startRelay({ pollIntervalMs: 10 * 60_000 });
    await new Promise((r) => setTimeout(r, 300)); // its first pass is over: it sleeps for 10 minutes now
    const direct = await writeDirect([{ exchange: topology.exchanges.events, routingKey: 'task.pending', type: 'task.transition', payload: { sleeper: 1 } }]);
    writer.committed(direct);
    await consumer.waitFor(1);
    // Unmarked, the row would fall due again when the writer's 10 s claim ran out, and any relay would publish it twice.
    await waitUntil(async () => (await db.outboxMessage.count({ where: { publishedAt: null } })) === 0, 3000, 'the direct row marked published');
    await db.$executeRawUnsafe('DELETE FROM outbox');
    await consumer.close();
  });

  it('hands rows it cannot publish itself back to every relay at once', async () => {
    const topology = topologyNames(env.queuePrefix);
    const consumer = await collectMessages(topology.queues.history);
    const stopped = new OutboxRelay(db, publisher, logger); // never started: it cannot publish
    const direct = await writeDirect([{ exchange: topology.exchanges.events, routingKey: 'task.pending', type: 'task.transition', payload: { handed: 'back' } }]);
    stopped.committed(direct);
    await waitUntil(async () => (await db.$queryRawUnsafe<{ due: boolean }[]>('SELECT available_at <= now() AS due FROM outbox'))[0]?.due === true, 5000, 'the row handed back');
    startRelay();
    await consumer.waitFor(1);
    expect(JSON.parse(consumer.messages[0].content.toString())).toEqual({ handed: 'back' });
    await consumer.close();
  });

  it('an idle pass is one statement: with nothing due, its claim says when the next row falls due, leaving out the rows it marks', async () => {
    const topology = topologyNames(env.queuePrefix);
    const message = (payload: object) => ({ exchange: topology.exchanges.events, routingKey: 'task.pending', type: 'task.transition', payload });
    await db.$transaction((tx) => enqueueOutbox(tx, [{ ...message({ in: 'a minute' }), availableAt: new Date(Date.now() + 60_000) }]));
    const direct = await writeDirect([message({ direct: true })]); // claimed by its writer for 10 s, published, now marked
    const idle = await claimDueOutboxRows(db, direct.map((row) => ({ id: row.id, at: new Date().toISOString() })), 30_000, 10);
    expect(idle.rows).toEqual([]);
    expect(idle.nextDueInMs).toBeGreaterThan(50_000); // the scheduled row's, not the marked row's 10 s
    expect(idle.nextDueInMs).toBeLessThanOrEqual(60_000);
    expect(await db.outboxMessage.count({ where: { publishedAt: null } })).toBe(1);
    await db.$executeRawUnsafe('DELETE FROM outbox');
    expect(await claimDueOutboxRows(db, [], 30_000, 10)).toEqual({ rows: [], nextDueInMs: null });
    await db.$transaction((tx) => enqueueOutbox(tx, [message({ due: 'now' })]));
    const busy = await claimDueOutboxRows(db, [], 30_000, 10);
    expect(busy.rows.map((row) => row.payload)).toEqual([{ due: 'now' }]);
    expect(busy.nextDueInMs).toBeNull();
    await db.$executeRawUnsafe('DELETE FROM outbox');
  });

  it('holds a scheduled message until available_at', async () => {
    const topology = topologyNames(env.queuePrefix);
    const consumer = await collectMessages(topology.queues.history);
    startRelay();
    const due = new Date(Date.now() + 1200);
    await db.$transaction((tx) => enqueueOutbox(tx, [{ exchange: topology.exchanges.events, routingKey: 'task.retrying', type: 't', payload: { later: true }, availableAt: due }]));
    await new Promise((r) => setTimeout(r, 700));
    expect(consumer.messages).toHaveLength(0);
    const [message] = await consumer.waitFor(1, 5000);
    expect(Date.now()).toBeGreaterThanOrEqual(due.getTime() - 20);
    expect(JSON.parse(message.content.toString())).toEqual({ later: true });
    await consumer.close();
  });

  it('publishes each message exactly once with three relays competing', async () => {
    const topology = topologyNames(env.queuePrefix);
    const consumer = await collectMessages(topology.queues.history);
    startRelay({ batchSize: 7 });
    startRelay({ batchSize: 7 });
    startRelay({ batchSize: 7 });
    const messages = Array.from({ length: 300 }, (_, n) => ({ exchange: topology.exchanges.events, routingKey: 'task.pending', type: 't', payload: { n } }));
    for (let i = 0; i < messages.length; i += 50) await db.$transaction((tx) => enqueueOutbox(tx, messages.slice(i, i + 50)));
    await consumer.waitFor(300, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    const seen = consumer.messages.map((m) => JSON.parse(m.content.toString()).n);
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    await consumer.close();
  });

  it('keeps messages while the broker is unreachable and reports them as backlog', async () => {
    const topology = topologyNames(env.queuePrefix);
    const offline = new AmqpConnection('amqp://guest:guest@127.0.0.1:1', logger, { connectionName: 'offline', maxDelayMs: 100 });
    const offlinePublisher = new ConfirmPublisher(offline);
    void offline.start();
    const relay = new OutboxRelay(db, offlinePublisher, logger, { pollIntervalMs: 50 });
    relays.push(relay);
    relay.start();
    await db.$transaction((tx) => enqueueOutbox(tx, [{ exchange: topology.exchanges.events, routingKey: 'task.pending', type: 't', payload: { kept: true } }]));
    await new Promise((r) => setTimeout(r, 300));
    expect(await relay.backlog()).toBe(1);
    await offline.close();
    const consumer = await collectMessages(topology.queues.history);
    startRelay();
    await consumer.waitFor(1);
    expect(JSON.parse(consumer.messages[0].content.toString())).toEqual({ kept: true });
    await consumer.close();
  });

  it('leaves the rows of a relay stalled mid-batch to another relay once its claim runs out, and publishes them once', async () => {
    const topology = topologyNames(env.queuePrefix);
    const consumer = await collectMessages(topology.queues.history);
    // The stalled relay talks to the real broker through a proxy that then stops forwarding:
    // its publishes never arrive and their confirms never come, as in a partition or a hang.
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(env.amqpUrl).port || 5672));
    const port = await proxy.up();
    const url = new URL(env.amqpUrl);
    url.port = String(port);
    const stalledConnection = new AmqpConnection(url.toString(), logger, { connectionName: 'stalled-relay', maxDelayMs: 100 });
    const stalledPublisher = new ConfirmPublisher(stalledConnection);
    await stalledConnection.start();
    await stalledConnection.waitUntilConnected(5000);
    await waitUntil(async () => stalledPublisher.isReady(), 5000, 'confirm channel of the stalled relay');
    proxy.stallClientToServer();
    const stalled = new OutboxRelay(db, stalledPublisher, logger, { pollIntervalMs: 50, claimMs: 800 });
    stalled.start();
    try {
      await db.$transaction((tx) => enqueueOutbox(tx, [0, 1, 2].map((n) => ({ exchange: topology.exchanges.events, routingKey: 'task.pending', type: 't', payload: { stalled: n } }))));
      await waitUntil(async () => (await db.outboxMessage.count({ where: { attempts: 1, publishedAt: null } })) === 3, 5000, 'rows claimed by the stalled relay');
      const claimedAt = Date.now();
      startRelay({ pollIntervalMs: 50 });
      await consumer.waitFor(3, 5000);
      expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(500);
      await waitUntil(async () => (await db.outboxMessage.count({ where: { publishedAt: null } })) === 0, 5000, 'rows marked published');
      await new Promise((r) => setTimeout(r, 300));
      expect(consumer.messages.map((m) => JSON.parse(m.content.toString()).stalled).sort()).toEqual([0, 1, 2]);
    } finally {
      await proxy.down(); // the stalled relay's channel closes, its pass fails, and it can stop
      await stalled.stop();
      await stalledConnection.close();
      await consumer.close();
    }
  });
});

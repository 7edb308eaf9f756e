import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AmqpConnection } from './amqp-connection';
import { createLogger } from '../logging/logger';

/**
 * AmqpConnection with AMQP_URL listing several brokers, against the real three-node cluster of
 * scripts/rabbitmq-cluster.sh (started here, stopped at the end; a stopped node is started again).
 */
const run = promisify(execFile);
const CLUSTER = path.resolve(__dirname, '../../../scripts/rabbitmq-cluster.sh');
const cluster = (...args: string[]) => run('bash', [CLUSTER, ...args], { timeout: 240_000 });
const node = (port: number) => `amqp://guest:guest@127.0.0.1:${port}`;
const logger = createLogger('amqp-nodes-test', 'error', { silent: true });

function nextConnected(connection: AmqpConnection): Promise<string> {
  return new Promise((resolve) => connection.once('connected', resolve));
}

describe('AmqpConnection over a list of brokers', () => {
  const connections: AmqpConnection[] = [];
  const open = (url: string) => {
    const connection = new AmqpConnection(url, logger, { connectionName: 'amqp-nodes-test', initialDelayMs: 50, maxDelayMs: 200 });
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    await cluster('start');
  }, 240_000);

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await cluster('stop');
  }, 120_000);

  it('connects to the first node that answers, skipping one that refuses', async () => {
    const connection = open(`amqp://guest:guest@127.0.0.1:1,${node(5702)},${node(5703)}`);
    const connected = nextConnected(connection);
    await connection.start();
    expect(await connected).toBe('amqp://guest:***@127.0.0.1:5702');
    expect(connection.currentNode()).toBe('amqp://guest:***@127.0.0.1:5702');
  });

  it('when its node stops, it reconnects to a surviving node and runs its setup there; the node comes back', async () => {
    const connection = open([5701, 5702, 5703].map(node).join(','));
    let setups = 0;
    connection.onConnected(async (model) => {
      const channel = await model.createChannel();
      await channel.checkExchange('amq.direct');
      await channel.close();
      setups++;
    });
    const first = nextConnected(connection);
    await connection.start();
    expect(await first).toBe('amqp://guest:***@127.0.0.1:5701');
    const moved = nextConnected(connection);
    try {
      await cluster('stop-node', 'a');
      expect(await moved).toBe('amqp://guest:***@127.0.0.1:5702');
      expect(connection.isConnected()).toBe(true);
      expect(setups).toBe(2);
    } finally {
      await cluster('start-node', 'a');
    }
  }, 120_000);

  it('with every node down it keeps retrying the list, and connects once one is back', async () => {
    const connection = open(`amqp://guest:guest@127.0.0.1:1,amqp://guest:guest@127.0.0.1:2,${node(5703)}`);
    await cluster('stop-node', 'c');
    const connected = nextConnected(connection);
    try {
      await connection.start();
      expect(connection.isConnected()).toBe(false);
    } finally {
      await cluster('start-node', 'c');
    }
    expect(await connected).toBe('amqp://guest:***@127.0.0.1:5703');
  }, 120_000);
});

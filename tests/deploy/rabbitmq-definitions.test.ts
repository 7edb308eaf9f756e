import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import type { Channel } from 'amqplib';
import { assertCallbackQueue, assertTopology, QueueType, topologyNames } from '../../shared/src/amqp/topology';
import { managementApi, TEST_AMQP_URL } from '../support/test-services';
import { environmentOf, loadCompose, ROOT } from './support/compose';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verifyRabbitPasswordHash } = require('../../deploy/rabbitmq/hash-password.js') as { verifyRabbitPasswordHash(password: string, hash: string): boolean };

interface Definitions {
  users: { name: string; password_hash: string; hashing_algorithm: string; tags: string[] }[];
  vhosts: { name: string }[];
  permissions: { user: string; vhost: string; configure: string; write: string; read: string }[];
  exchanges: { name: string; vhost: string; type: string; durable: boolean; auto_delete: boolean; internal: boolean; arguments: Record<string, unknown> }[];
  queues: { name: string; vhost: string; durable: boolean; auto_delete: boolean; arguments: Record<string, unknown> }[];
  bindings: { source: string; vhost: string; destination: string; destination_type: string; routing_key: string; arguments: Record<string, unknown> }[];
}

const definitions = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/rabbitmq/definitions.json'), 'utf8')) as Definitions;

/**
 * What the services declare at start (assertTopology: every service; assertCallbackQueue: the
 * worker), recorded through a channel that only takes notes. The per-worker control queues are
 * not in the file: their names depend on WORKER_ID and they expire with their worker.
 */
async function declaredTopology(prefix: string, queueType: QueueType) {
  const exchanges: Definitions['exchanges'] = [];
  const queues: Definitions['queues'] = [];
  const bindings: Definitions['bindings'] = [];
  const recorder = {
    assertExchange: async (name: string, type: string, options: { durable?: boolean; autoDelete?: boolean; internal?: boolean; arguments?: Record<string, unknown> } = {}) => {
      exchanges.push({ name, vhost: '/', type, durable: options.durable ?? true, auto_delete: options.autoDelete ?? false, internal: options.internal ?? false, arguments: options.arguments ?? {} });
    },
    assertQueue: async (name: string, options: { durable?: boolean; autoDelete?: boolean; arguments?: Record<string, unknown> } = {}) => {
      queues.push({ name, vhost: '/', durable: options.durable ?? true, auto_delete: options.autoDelete ?? false, arguments: options.arguments ?? {} });
    },
    bindQueue: async (queue: string, source: string, pattern: string, args: Record<string, unknown> = {}) => {
      bindings.push({ source, vhost: '/', destination: queue, destination_type: 'queue', routing_key: pattern, arguments: args });
    },
    bindExchange: async (destination: string, source: string, pattern: string, args: Record<string, unknown> = {}) => {
      bindings.push({ source, vhost: '/', destination, destination_type: 'exchange', routing_key: pattern, arguments: args });
    },
    // Removing bindings of older versions (the callbacks queue's direct ones) declares nothing.
    unbindQueue: async (queue: string, source: string, pattern: string) => {
      const at = bindings.findIndex((b) => b.destination === queue && b.source === source && b.routing_key === pattern);
      if (at >= 0) bindings.splice(at, 1);
    },
  };
  await assertTopology(recorder as unknown as Channel, topologyNames(prefix), queueType);
  await assertCallbackQueue(recorder as unknown as Channel, topologyNames(prefix), queueType);
  return { exchanges, queues, bindings };
}

const byName = <T extends { name: string }>(items: T[]) => [...items].sort((a, b) => a.name.localeCompare(b.name));
const byRoute = <T extends { source: string; destination: string; routing_key: string }>(items: T[]) =>
  [...items].sort((a, b) => `${a.source}>${a.destination}>${a.routing_key}`.localeCompare(`${b.source}>${b.destination}>${b.routing_key}`));

/** definitions.json with every name (and every exchange name in an argument) behind `prefix`. */
function prefixed(prefix: string) {
  const exchangeNames = new Set(definitions.exchanges.map((e) => e.name));
  const args = (values: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === 'string' && exchangeNames.has(value) ? `${prefix}${value}` : value]));
  return {
    exchanges: definitions.exchanges.map((e) => ({ ...e, name: `${prefix}${e.name}`, arguments: args(e.arguments) })),
    queues: definitions.queues.map((q) => ({ ...q, name: `${prefix}${q.name}`, arguments: args(q.arguments) })),
    bindings: definitions.bindings.map((b) => ({ ...b, source: `${prefix}${b.source}`, destination: `${prefix}${b.destination}` })),
  };
}

describe('deploy/rabbitmq/definitions.json', () => {
  test('declares exactly the exchanges, queues (with their arguments) and bindings the services declare (shared/src/amqp/topology.ts)', async () => {
    const compose = environmentOf(loadCompose().services.api);
    const declared = await declaredTopology(compose.QUEUE_PREFIX, compose.QUEUE_TYPE as QueueType);
    expect(byName(definitions.exchanges)).toEqual(byName(declared.exchanges));
    expect(byName(definitions.queues)).toEqual(byName(declared.queues));
    expect(byRoute(definitions.bindings)).toEqual(byRoute(declared.bindings));
  });

  test('the comparison is sensitive: a quorum broker or a prefix would not match this file', async () => {
    const quorum = await declaredTopology('', 'quorum');
    expect(byName(definitions.queues)).not.toEqual(byName(quorum.queues));
    const prefixedTopology = await declaredTopology('tenant.', 'classic');
    expect(byName(definitions.exchanges)).not.toEqual(byName(prefixedTopology.exchanges));
  });

  test('creates the vhost and a user with a valid sha256 password hash and full permissions on it', () => {
    expect(definitions.vhosts.map((v) => v.name)).toEqual(['/']);
    expect(definitions.users).toHaveLength(1);
    const [user] = definitions.users;
    expect(user.hashing_algorithm).toBe('rabbit_password_hashing_sha256');
    expect(Buffer.from(user.password_hash, 'base64')).toHaveLength(4 + 32);
    expect(definitions.permissions).toEqual([{ user: user.name, vhost: '/', configure: '.*', write: '.*', read: '.*' }]);
  });

  describe('against the local RabbitMQ', () => {
    const prefix = `test.${process.env.TEST_RUN_ID}.${randomBytes(4).toString('hex')}.`;
    const user = `${prefix}aiopslab`;

    afterAll(async () => {
      await managementApi(`/api/users/${encodeURIComponent(user)}`, { method: 'DELETE' }).catch(() => null);
    });

    test('imported definitions are accepted by the services\' declarations (no PRECONDITION_FAILED), and a differing declaration is refused', async () => {
      const response = await managementApi('/api/definitions/%2F', { method: 'POST', body: JSON.stringify(prefixed(prefix)) });
      expect(`${response.status} ${response.ok ? '' : await response.text()}`).toMatch(/^20[0-4] $/);

      const connection = await amqp.connect(TEST_AMQP_URL);
      try {
        const channel = await connection.createChannel();
        await expect(assertTopology(channel, topologyNames(prefix), 'classic')).resolves.toBeUndefined();
        await expect(assertCallbackQueue(channel, topologyNames(prefix), 'classic')).resolves.toBe(`${prefix}task.callbacks`);
        await channel.close();

        const other = await connection.createChannel();
        other.on('error', () => undefined);
        await expect(other.assertQueue(`${prefix}tasks.dispatch`, { durable: true, arguments: { 'x-max-priority': 5 } })).rejects.toThrow(/PRECONDITION_FAILED/);
      } finally {
        await connection.close().catch(() => undefined);
      }
    });

    test("the definitions' password hash logs in with the compose password and refuses another", async () => {
      const [defined] = definitions.users;
      const composeUrl = new URL(environmentOf(loadCompose().services.api).AMQP_URL);
      const password = decodeURIComponent(composeUrl.password);
      expect(verifyRabbitPasswordHash(password, defined.password_hash)).toBe(true);

      const created = await managementApi(`/api/users/${encodeURIComponent(user)}`, {
        method: 'PUT',
        body: JSON.stringify({ password_hash: defined.password_hash, hashing_algorithm: defined.hashing_algorithm, tags: '' }),
      });
      expect(created.ok).toBe(true);
      const escaped = prefix.replace(/\./g, '\\.');
      const granted = await managementApi(`/api/permissions/%2F/${encodeURIComponent(user)}`, {
        method: 'PUT',
        body: JSON.stringify({ configure: `^${escaped}`, write: `^${escaped}`, read: `^${escaped}` }),
      });
      expect(granted.ok).toBe(true);

      const local = new URL(TEST_AMQP_URL);
      local.username = encodeURIComponent(user);
      local.password = encodeURIComponent(password);
      const connection = await amqp.connect(local.toString());
      await connection.close();

      local.password = 'wrong-password';
      await expect(amqp.connect(local.toString())).rejects.toThrow(/ACCESS_REFUSED|403/);
    });
  });
});

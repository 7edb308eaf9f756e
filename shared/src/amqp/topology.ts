import type { Channel, Options } from 'amqplib';
import { TERMINAL_STATUSES } from '../domain/task-status';
import { CALLBACK_HEADER } from './delivery';

/**
 * Every exchange, queue and routing key of the system, declared in one place (DESIGN.md
 * "Messaging"). All names take QUEUE_PREFIX for test isolation and multi-tenant brokers.
 */
export interface Topology {
  /** QUEUE_PREFIX as the names carry it (namePrefix): '' or ending in a separator. */
  prefix: string;
  exchanges: { tasks: string; events: string; control: string; dead: string; callbackFilter: string; callbackRoute: string; callbackNone: string };
  queues: { dispatch: string; dead: string; history: string; callbacks: string };
  routing: { dispatch: string; eventPattern: string; terminalEvents: string[] };
  controlQueue(workerId: string): string;
  eventRoutingKey(toStatus: string): string;
}

export type QueueType = 'classic' | 'quorum';

/** Characters that already end a prefix: `t42_` and `team-a.` are used as they are. */
const SEPARATORS = ['.', '-', '_', ':'];

/**
 * QUEUE_PREFIX as every name carries it: empty stays empty, and a prefix that does not end in a
 * separator gets `.`, so `newcomer-demo` names `newcomer-demo.status-history` rather than
 * `newcomer-demostatus-history`.
 */
export function namePrefix(prefix: string): string {
  return prefix === '' || SEPARATORS.includes(prefix.slice(-1)) ? prefix : `${prefix}.`;
}

export function topologyNames(queuePrefix = ''): Topology {
  const prefix = namePrefix(queuePrefix);
  const name = (base: string) => `${prefix}${base}`;
  return {
    prefix,
    exchanges: {
      tasks: name('tasks'),
      events: name('task.events'),
      control: name('task.control'),
      dead: name('tasks.dead'),
      callbackFilter: name('task.callbacks.filter'),
      callbackRoute: name('task.callbacks.route'),
      callbackNone: name('task.callbacks.none'),
    },
    queues: { dispatch: name('tasks.dispatch'), dead: name('tasks.dead'), history: name('status-history'), callbacks: name('task.callbacks') },
    routing: { dispatch: 'dispatch', eventPattern: 'task.#', terminalEvents: TERMINAL_STATUSES.map((status) => `task.${status}`) },
    controlQueue: (workerId) => name(`task.control.${workerId}`),
    eventRoutingKey: (toStatus) => `task.${toStatus}`,
  };
}

/** Arguments of a work queue: priorities on classic queues, dead-lettering on both kinds. */
export function workQueueArguments(topology: Topology, queueType: QueueType, withPriority: boolean): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-dead-letter-exchange': topology.exchanges.dead };
  if (queueType === 'quorum') {
    args['x-queue-type'] = 'quorum';
    args['x-delivery-limit'] = 50;
  } else if (withPriority) {
    args['x-max-priority'] = 10;
  }
  return args;
}

/** Idempotent: every service declares the whole shared topology at start and after reconnects. */
export async function assertTopology(channel: Channel, topology: Topology, queueType: QueueType = 'classic'): Promise<void> {
  const durable: Options.AssertExchange = { durable: true };
  await channel.assertExchange(topology.exchanges.tasks, 'direct', durable);
  await channel.assertExchange(topology.exchanges.events, 'topic', durable);
  await channel.assertExchange(topology.exchanges.control, 'direct', durable);
  await channel.assertExchange(topology.exchanges.dead, 'fanout', durable);

  await channel.assertQueue(topology.queues.dead, { durable: true, arguments: queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {} });
  await channel.bindQueue(topology.queues.dead, topology.exchanges.dead, '');

  await channel.assertQueue(topology.queues.dispatch, { durable: true, arguments: workQueueArguments(topology, queueType, true) });
  await channel.bindQueue(topology.queues.dispatch, topology.exchanges.tasks, topology.routing.dispatch);

  await channel.assertQueue(topology.queues.history, { durable: true, arguments: workQueueArguments(topology, queueType, false) });
  await channel.bindQueue(topology.queues.history, topology.exchanges.events, topology.routing.eventPattern);
}

/** A worker's own control queue: durable, removed by the broker after a day without a consumer. */
export async function assertControlQueue(channel: Channel, topology: Topology, workerId: string): Promise<string> {
  const queue = topology.controlQueue(workerId);
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-expires': 24 * 3600 * 1000 } });
  await channel.bindQueue(queue, topology.exchanges.control, workerId);
  return queue;
}

/**
 * The queue of the workers' callback consumer: the terminal events of `task.events` (every path
 * that ends a task: worker, reaper, API cancel) of tasks that may have a callback_url. Declared by
 * the workers, which consume it.
 *
 * Terminal events go through `task.callbacks.filter` (headers): an event whose `task-callback`
 * header says `no` (the task has no callback_url) is bound to `task.callbacks.none`, which has
 * no queue, and is dropped there; every other event (`yes`, or no header, as events written by
 * older versions or by paths that do not know) matches nothing, so the filter's alternate
 * exchange `task.callbacks.route` takes it to the queue. Nothing is stored or delivered for the
 * common task without a callback, and nothing that may need a callback is lost.
 */
export async function assertCallbackQueue(channel: Channel, topology: Topology, queueType: QueueType = 'classic'): Promise<string> {
  const { events, callbackFilter, callbackRoute, callbackNone } = topology.exchanges;
  const queue = topology.queues.callbacks;
  const internal: Options.AssertExchange = { durable: true, internal: true };
  await channel.assertExchange(callbackRoute, 'fanout', internal);
  await channel.assertExchange(callbackNone, 'fanout', internal);
  await channel.assertExchange(callbackFilter, 'headers', { ...internal, arguments: { 'alternate-exchange': callbackRoute } });
  await channel.assertQueue(queue, { durable: true, arguments: workQueueArguments(topology, queueType, false) });
  await channel.bindQueue(queue, callbackRoute, '');
  await channel.bindExchange(callbackNone, callbackFilter, '', { 'x-match': 'all', [CALLBACK_HEADER]: 'no' });
  for (const routingKey of topology.routing.terminalEvents) await channel.bindExchange(callbackFilter, events, routingKey);
  // Versions before the filter bound the queue to the terminal events directly, which would still
  // bring it every one. The new path is bound first, so no event falls between the two (a message
  // reaching a queue by two routes is delivered to it once).
  for (const routingKey of topology.routing.terminalEvents) await channel.unbindQueue(queue, events, routingKey);
  return queue;
}

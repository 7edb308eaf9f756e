import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { TaskStore } from '@aiopslab/shared/task-store/task-store';

export interface RedispatchLostDeps {
  connection: AmqpConnection;
  dispatchQueue: string;
  tasks: TaskStore;
  logger: Logger;
  lostAfterMs: number;
}

/**
 * The leader's check that the dispatch window is not held by messages that no longer exist: when
 * the dispatch queue holds no ready message (a passive declare: exact, unlike the management
 * API's statistics), waiting tasks dispatched longer than `lostAfterMs` ago get a new message.
 * Without a broker connection it does nothing.
 */
export async function redispatchLost(deps: RedispatchLostDeps): Promise<number> {
  const model = deps.connection.current();
  if (!model) return 0;
  const channel = await model.createChannel();
  let ready: number;
  try {
    ready = (await channel.checkQueue(deps.dispatchQueue)).messageCount;
  } finally {
    await channel.close().catch(() => undefined);
  }
  if (ready > 0) return 0;
  const sent = await deps.tasks.dispatcher.redispatchLost(deps.lostAfterMs);
  if (sent > 0) deps.logger.warn('dispatched waiting tasks again: their messages were no longer in the queue (purged, or lost by the broker)', { tasks: sent });
  return sent;
}

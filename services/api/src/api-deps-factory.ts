import type { ConfirmPublisher } from '@aiopslab/shared/amqp/confirm-publisher';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { Db } from '@aiopslab/shared/db/prisma-client';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { OutboxRelay } from '@aiopslab/shared/outbox/outbox-relay';
import { createTaskStore } from '@aiopslab/shared/task-store/task-store';
import { dispatchWindowOf } from '@aiopslab/shared/task-store/dispatch-env';
import type { ApiConfig } from './config';
import type { ApiDeps } from './http/api-deps';
import { loadDashboardAssets } from './http/dashboard/dashboard-assets';
import { createValidators } from './http/validators';
import { managementEndpoint, vhostOf } from './data/rabbitmq-management';
import { createApiMetrics } from './metrics';

/** The HTTP layer's dependencies from the clients main.ts (or a test) built. */
export function createApiDeps(input: { config: Readonly<ApiConfig>; db: Db; topology: Topology; logger: Logger; relay: OutboxRelay; publisher: ConfirmPublisher; logPollMs?: number }): ApiDeps {
  const { config, relay, publisher } = input;
  const backlog = () => relay.backlog();
  return {
    config,
    db: input.db,
    tasks: createTaskStore({
      db: input.db,
      topology: input.topology,
      outbox: relay,
      dispatch: { window: dispatchWindowOf(config), onError: (error) => input.logger.error('dispatch pass failed; the next one retries', { error: error.message }) },
    }),
    logger: input.logger,
    metrics: createApiMetrics(backlog),
    validators: createValidators(config.MAX_TASK_TIMEOUT_MINUTES),
    queueStatus: () => (publisher.isReady() ? 'up' : 'down'),
    outboxBacklog: backlog,
    logPollMs: input.logPollMs,
    queues: {
      managementUrl: config.RABBITMQ_MANAGEMENT_URL,
      managementUiUrl: config.RABBITMQ_MANAGEMENT_UI_URL ?? managementEndpoint(config.RABBITMQ_MANAGEMENT_URL).base,
      vhost: vhostOf(config.AMQP_URL),
      queuePrefix: config.QUEUE_PREFIX,
    },
    dashboard: loadDashboardAssets(),
  };
}

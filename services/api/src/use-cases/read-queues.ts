import { readOutboxStats } from '@aiopslab/shared/tables/outbox';
import { dispatchCounts } from '@aiopslab/shared/tables/tasks-dispatch';
import type { SqlDb } from '@aiopslab/shared/db/sql';
import { listManagementQueues, ManagementQueue } from '../data/rabbitmq-management';
import { hasErrorName } from '@aiopslab/shared/errors/app-error';

export interface QueuesDeps {
  db: SqlDb;
  managementUrl: string;
  /** What the dashboard links to: the management UI as a browser reaches it. */
  managementUiUrl: string;
  vhost: string;
  queuePrefix: string;
  timeoutMs?: number;
}

/**
 * Ready/Unacked per queue of this deployment (its QUEUE_PREFIX) from the management API, and the
 * outbox backlog and the dispatch window's counts from the database. Without the management API the answer still carries the
 * backlog, with `management.status: "unreachable"` and the reason.
 */
export async function readQueues(deps: QueuesDeps) {
  const [outbox, dispatch] = await Promise.all([readOutboxStats(deps.db), dispatchCounts(deps.db)]);
  let queues: ManagementQueue[] = [];
  let management: { status: 'up' | 'unreachable'; ui_url: string; detail?: string };
  try {
    queues = await listManagementQueues({ managementUrl: deps.managementUrl, vhost: deps.vhost, prefix: deps.queuePrefix, timeoutMs: deps.timeoutMs ?? 3000 });
    management = { status: 'up', ui_url: deps.managementUiUrl };
  } catch (error) {
    if (!hasErrorName(error, 'ManagementUnreachableError')) throw error;
    management = { status: 'unreachable', ui_url: deps.managementUiUrl, detail: (error as Error).message };
  }
  return { queue_prefix: deps.queuePrefix, vhost: deps.vhost, management, queues, outbox, dispatch };
}

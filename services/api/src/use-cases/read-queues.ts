import type { SqlDb } from '@aiopslab/shared/db/sql';
import { listManagementQueues, ManagementQueue, ManagementUnreachableError } from '../data/rabbitmq-management';

export interface QueuesDeps {
  sql: SqlDb;
  managementUrl: string;
  /** What the dashboard links to: the management UI as a browser reaches it. */
  managementUiUrl: string;
  vhost: string;
  queuePrefix: string;
  timeoutMs?: number;
}

interface OutboxStats {
  unpublished: number;
  /** Of those, due now (the rest are delayed retries and scheduled dispatches). */
  due: number;
  oldest_due_at: string | null;
}

/** The unpublished outbox rows; served by the partial index outbox_due_idx. */
async function readOutbox(sql: SqlDb): Promise<OutboxStats> {
  const [row] = await sql.$queryRaw<{ unpublished: bigint; due: bigint; oldest_due_at: Date | null }[]>`
    SELECT count(*) AS unpublished,
           count(*) FILTER (WHERE available_at <= now()) AS due,
           min(available_at) FILTER (WHERE available_at <= now()) AS oldest_due_at
    FROM outbox WHERE published_at IS NULL`;
  return { unpublished: Number(row.unpublished), due: Number(row.due), oldest_due_at: row.oldest_due_at?.toISOString() ?? null };
}

/**
 * Ready/Unacked per queue of this deployment (its QUEUE_PREFIX) from the management API, and the
 * outbox backlog from the database. Without the management API the answer still carries the
 * backlog, with `management.status: "unreachable"` and the reason.
 */
export async function readQueues(deps: QueuesDeps) {
  const outbox = await readOutbox(deps.sql);
  let queues: ManagementQueue[] = [];
  let management: { status: 'up' | 'unreachable'; ui_url: string; detail?: string };
  try {
    queues = await listManagementQueues({ managementUrl: deps.managementUrl, vhost: deps.vhost, prefix: deps.queuePrefix, timeoutMs: deps.timeoutMs ?? 3000 });
    management = { status: 'up', ui_url: deps.managementUiUrl };
  } catch (error) {
    if (!(error instanceof ManagementUnreachableError)) throw error;
    management = { status: 'unreachable', ui_url: deps.managementUiUrl, detail: error.message };
  }
  return { queue_prefix: deps.queuePrefix, vhost: deps.vhost, management, queues, outbox };
}

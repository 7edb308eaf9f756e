import type { Db, Tx } from './prisma-client';
import type { StatusHistory } from './generated/client';

/** One recorded transition in the API's JSON shape (`GET /tasks/{id}` → `status_history`). */
export interface StatusHistoryEntry {
  event_id: string;
  from_status: string | null;
  to_status: string;
  attempt: number;
  worker_id: string | null;
  notes: string | null;
  occurred_at: string;
  recorded_at: string;
}

/** Oldest first: by when the transition happened; rows with the same millisecond by arrival. */
const HISTORY_ORDER = [{ occurredAt: 'asc' as const }, { sequence: 'asc' as const }];

export function toStatusHistoryEntry(row: StatusHistory): StatusHistoryEntry {
  return {
    event_id: row.eventId,
    from_status: row.fromStatus,
    to_status: row.toStatus,
    attempt: row.attempt,
    worker_id: row.workerId,
    notes: row.notes,
    occurred_at: row.occurredAt.toISOString(),
    recorded_at: row.recordedAt.toISOString(),
  };
}

/** The recorded transitions of one task (empty for an unknown task: the caller checks existence). */
export async function getStatusHistory(db: Db | Tx, taskId: string): Promise<StatusHistoryEntry[]> {
  const rows = await db.statusHistory.findMany({ where: { taskId }, orderBy: HISTORY_ORDER });
  return rows.map(toStatusHistoryEntry);
}

/** The histories of many tasks in one query, keyed by task id; tasks without rows are absent. */
export async function getStatusHistories(db: Db | Tx, taskIds: readonly string[]): Promise<Map<string, StatusHistoryEntry[]>> {
  const byTask = new Map<string, StatusHistoryEntry[]>();
  if (taskIds.length === 0) return byTask;
  const rows = await db.statusHistory.findMany({ where: { taskId: { in: [...taskIds] } }, orderBy: [{ taskId: 'asc' }, ...HISTORY_ORDER] });
  for (const row of rows) {
    const list = byTask.get(row.taskId) ?? [];
    list.push(toStatusHistoryEntry(row));
    byTask.set(row.taskId, list);
  }
  return byTask;
}

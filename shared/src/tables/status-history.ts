import type { SqlClient } from '../db/sql';
import type { TaskEvent } from '../schemas/messages';

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

interface StatusHistoryRow {
  event_id: string;
  task_id: string;
  from_status: string | null;
  to_status: string;
  attempt: number;
  worker_id: string | null;
  notes: string | null;
  occurred_at: Date;
  recorded_at: Date;
}

const HISTORY_COLUMNS = 'event_id::text, task_id::text, from_status, to_status, attempt, worker_id, notes, occurred_at, recorded_at';
/** Oldest first: by when the transition happened; rows with the same millisecond by arrival. */
const HISTORY_ORDER = 'occurred_at, sequence';

export function toStatusHistoryEntry(row: StatusHistoryRow): StatusHistoryEntry {
  return {
    event_id: row.event_id,
    from_status: row.from_status,
    to_status: row.to_status,
    attempt: row.attempt,
    worker_id: row.worker_id,
    notes: row.notes,
    occurred_at: row.occurred_at.toISOString(),
    recorded_at: row.recorded_at.toISOString(),
  };
}

/** The recorded transitions of one task (empty for an unknown task: the caller checks existence). */
export async function getStatusHistory(db: SqlClient, taskId: string): Promise<StatusHistoryEntry[]> {
  const rows = await db.$queryRawUnsafe<StatusHistoryRow[]>(`SELECT ${HISTORY_COLUMNS} FROM status_history WHERE task_id = $1::uuid ORDER BY ${HISTORY_ORDER}`, taskId);
  return rows.map(toStatusHistoryEntry);
}

/** The histories of many tasks in one query, keyed by task id; tasks without rows are absent. */
export async function getStatusHistories(db: SqlClient, taskIds: readonly string[]): Promise<Map<string, StatusHistoryEntry[]>> {
  const byTask = new Map<string, StatusHistoryEntry[]>();
  if (taskIds.length === 0) return byTask;
  const rows = await db.$queryRawUnsafe<StatusHistoryRow[]>(
    `SELECT ${HISTORY_COLUMNS} FROM status_history WHERE task_id = ANY($1::uuid[]) ORDER BY task_id, ${HISTORY_ORDER}`,
    [...taskIds],
  );
  for (const row of rows) {
    const list = byTask.get(row.task_id) ?? [];
    list.push(toStatusHistoryEntry(row));
    byTask.set(row.task_id, list);
  }
  return byTask;
}

/** What one INSERT did with one event. */
export type WriteOutcome = { status: 'recorded'; recordedAt: Date } | { status: 'duplicate' } | { status: 'unknown_task' };

interface ResultRow {
  ord: bigint | number;
  task_known: boolean;
  recorded_at: Date | null;
}

/**
 * Writes events to status_history in one statement (so one implicit transaction): a row per
 * event_id, in the order given, skipping event ids already recorded (a redelivery) and events of
 * tasks that do not exist. The events' event_ids must be distinct.
 */
export async function insertStatusHistory(db: SqlClient, events: readonly TaskEvent[]): Promise<WriteOutcome[]> {
  if (events.length === 0) return [];
  const column = <K extends keyof TaskEvent>(key: K) => events.map((event) => event[key] ?? null);
  const rows = await db.$queryRaw<ResultRow[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${column('event_id')}::uuid[], ${column('task_id')}::uuid[], ${column('from_status')}::text[], ${column('to_status')}::text[],
        ${column('attempt')}::int[], ${column('worker_id')}::text[], ${column('notes')}::text[], ${column('occurred_at')}::timestamptz[]
      ) WITH ORDINALITY AS e(event_id, task_id, from_status, to_status, attempt, worker_id, notes, occurred_at, ord)
    ), known AS (
      -- A scalar subquery, not EXISTS: PostgreSQL turns EXISTS into a join, and a plan made
      -- while tasks was small (a fresh database) hash-joins a scan of the whole table, kept by
      -- the prepared statement as the table grows. This stays one index probe per event.
      SELECT input.* FROM input WHERE (SELECT true FROM tasks t WHERE t.id = input.task_id)
    ), inserted AS (
      INSERT INTO status_history (event_id, task_id, from_status, to_status, attempt, worker_id, notes, occurred_at)
      SELECT event_id, task_id, from_status, to_status, attempt, worker_id, notes, occurred_at FROM known ORDER BY ord
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id, recorded_at
    )
    SELECT input.ord, (known.ord IS NOT NULL) AS task_known, inserted.recorded_at
    FROM input
    LEFT JOIN known ON known.ord = input.ord
    LEFT JOIN inserted ON inserted.event_id = input.event_id
    ORDER BY input.ord`;
  return rows.map((row): WriteOutcome => {
    if (!row.task_known) return { status: 'unknown_task' };
    return row.recorded_at ? { status: 'recorded', recordedAt: row.recorded_at } : { status: 'duplicate' };
  });
}

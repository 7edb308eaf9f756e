import type { SqlClient } from '@aiopslab/shared/db/sql';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';

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
      SELECT input.* FROM input WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = input.task_id)
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

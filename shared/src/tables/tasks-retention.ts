import type { SqlClient } from '../db/sql';

/**
 * THE condition under which retention may delete or strip a task's data, as one SQL predicate,
 * in one place: every pruning statement (below) uses it
 * and nothing else. A task is prunable when it is finished (terminal: it will never change
 * again), finished before the cutoff, and not part of an unfinished run: a run is unfinished
 * while any of its tasks is (runs keep no status of their own; tasks_run_status_idx answers this).
 *
 * `task` is the alias of the tasks row; `cutoff` the SQL of a timestamptz (a placeholder).
 * The `completed_at < cutoff` range lets PostgreSQL walk tasks_completed_idx oldest first.
 */
export function prunableTaskSql(task: string, cutoff: string): string {
  return `(${task}.status IN ('completed', 'failed', 'timed_out', 'cancelled') AND ${task}.completed_at < ${cutoff}
    AND (${task}.run_id IS NULL OR NOT EXISTS (
      SELECT 1 FROM tasks sibling WHERE sibling.run_id = ${task}.run_id AND sibling.status IN ('pending', 'processing', 'retrying'))))`;
}

/**
 * One bounded batch of each kind of pruning, each a single statement (its own short
 * transaction): old rows go away a few hundred tasks at a time, and nothing a submission or a
 * running task touches is locked (prunable tasks are finished, and SKIP LOCKED passes over any
 * row someone holds). Which tasks qualify is decided by `prunableTaskSql` alone.
 */

/** Where a walk over finished tasks stands: the last task handled, oldest first. */
export interface WalkCursor {
  completedAt: Date;
  id: string;
}

/** Before any task could have finished (and inside PostgreSQL's timestamp range). */
export const WALK_START: WalkCursor = { completedAt: new Date(0), id: '00000000-0000-0000-0000-000000000000' };

export interface BatchResult {
  /** Tasks examined (deleted, for finished tasks). */
  tasks: number;
  /** Rows deleted or changed (log lines; task, history, log and callback rows; stripped results). */
  rows: number;
  /** For the walks: the last task of this batch (the next starts after it); null when none. */
  last: WalkCursor | null;
}

/** Finished tasks before the cutoff, with their status history, logs and callback record. */
export async function pruneFinishedTasks(db: SqlClient, cutoff: Date, batchSize: number): Promise<BatchResult> {
  const [row] = await db.$queryRawUnsafe<{ tasks: bigint; rows: bigint }[]>(
    `WITH victims AS (
       SELECT t.id FROM tasks t WHERE ${prunableTaskSql('t', '$1::timestamptz')}
       ORDER BY t.completed_at, t.id LIMIT $2 FOR UPDATE SKIP LOCKED
     ), history AS (DELETE FROM status_history h USING victims v WHERE h.task_id = v.id RETURNING 1),
     logs AS (DELETE FROM task_logs l USING victims v WHERE l.task_id = v.id RETURNING 1),
     callbacks AS (DELETE FROM task_callbacks c USING victims v WHERE c.task_id = v.id RETURNING 1),
     gone AS (DELETE FROM tasks t USING victims v WHERE t.id = v.id RETURNING 1)
     SELECT (SELECT count(*) FROM gone) AS tasks,
            (SELECT count(*) FROM gone) + (SELECT count(*) FROM history) + (SELECT count(*) FROM logs) + (SELECT count(*) FROM callbacks) AS rows`,
    cutoff,
    batchSize,
  );
  return { tasks: Number(row.tasks), rows: Number(row.rows), last: null };
}

/** The log lines of the next `batchSize` prunable tasks after `from`; the tasks stay. */
export function pruneTaskLogs(db: SqlClient, cutoff: Date, batchSize: number, from: WalkCursor): Promise<BatchResult> {
  return walkBatch(db, cutoff, batchSize, from, `DELETE FROM task_logs l USING batch b WHERE l.task_id = b.id RETURNING 1`);
}

/**
 * The artifacts of the next `batchSize` prunable tasks after `from`: the full sessions kept in
 * task_sessions, and the session and trajectory copies inside tasks.result (the evaluation
 * results, usage and durations stay), marked with `artifacts_pruned_at`. Files a worker kept
 * under its ARTIFACT_DIR are not reached from here (they live on that worker's volume).
 */
export function pruneArtifacts(db: SqlClient, cutoff: Date, batchSize: number, from: WalkCursor): Promise<BatchResult> {
  return walkBatch(
    db,
    cutoff,
    batchSize,
    from,
    `UPDATE tasks t SET result = (t.result - 'trajectory' - 'session') || jsonb_build_object('artifacts_pruned_at', now())
     FROM batch b WHERE t.id = b.id AND t.result ?| array['trajectory', 'session'] RETURNING 1`,
    `DELETE FROM task_sessions s USING batch b WHERE s.task_id = b.id RETURNING 1`,
  );
}

/** Runs `actions` (statements over the CTE `batch`) on the next prunable tasks, oldest first. */
async function walkBatch(db: SqlClient, cutoff: Date, batchSize: number, from: WalkCursor, ...actions: string[]): Promise<BatchResult> {
  const steps = actions.map((action, i) => `a${i} AS (${action})`).join(', ');
  const done = actions.map((_, i) => `SELECT 1 FROM a${i}`).join(' UNION ALL ');
  const [row] = await db.$queryRawUnsafe<{ tasks: bigint; rows: bigint; last_completed_at: Date | null; last_id: string | null }[]>(
    `WITH batch AS (
       SELECT t.id, t.completed_at FROM tasks t
       WHERE ${prunableTaskSql('t', '$1::timestamptz')} AND (t.completed_at, t.id) > ($3::timestamptz, $4::uuid)
       ORDER BY t.completed_at, t.id LIMIT $2
     ), ${steps}, done AS (${done}), last AS (SELECT completed_at, id FROM batch ORDER BY completed_at DESC, id DESC LIMIT 1)
     SELECT (SELECT count(*) FROM batch) AS tasks, (SELECT count(*) FROM done) AS rows,
            (SELECT completed_at FROM last) AS last_completed_at, (SELECT id::text FROM last) AS last_id`,
    cutoff,
    batchSize,
    from.completedAt,
    from.id,
  );
  const last = row.last_completed_at && row.last_id ? { completedAt: row.last_completed_at, id: row.last_id } : null;
  return { tasks: Number(row.tasks), rows: Number(row.rows), last };
}

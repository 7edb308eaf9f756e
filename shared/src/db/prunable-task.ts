/**
 * THE condition under which retention may delete or strip a task's data, as one SQL predicate,
 * in one place: every pruning statement (services/worker/src/retention/prune-batches.ts) uses it
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

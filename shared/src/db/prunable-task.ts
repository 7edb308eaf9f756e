/**
 * THE condition under which retention may delete or strip a task's data, as one SQL predicate,
 * in one place: every pruning statement (services/worker/src/retention/prune-batches.ts) uses it
 * and nothing else. A task is prunable when it is finished (terminal: it will never change
 * again) and finished before the cutoff.
 *
 * Extend it here, and only here, when a task may be finished yet still needed: e.g. once tasks
 * belong to runs, `AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = <task>.run_id AND r.status
 * NOT IN (<finished run statuses>))` keeps every task of an unfinished run.
 *
 * `task` is the alias of the tasks row; `cutoff` the SQL of a timestamptz (a placeholder).
 * The `completed_at < cutoff` range lets PostgreSQL walk tasks_completed_idx oldest first.
 */
export function prunableTaskSql(task: string, cutoff: string): string {
  return `(${task}.status IN ('completed', 'failed', 'timed_out', 'cancelled') AND ${task}.completed_at < ${cutoff})`;
}

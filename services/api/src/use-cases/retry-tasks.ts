import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { SqlClient, SqlDb } from '@aiopslab/shared/db/sql';
import { findLatestRunTasksIn, findReplacementId, findTask, Task } from '@aiopslab/shared/tables/tasks';
import type { TaskStatus } from '@aiopslab/shared/domain/task-status';
import { ConflictError, NotFoundError } from '@aiopslab/shared/errors/app-error';
import type { AgentConfig } from '@aiopslab/shared/schemas/task-submission';
import { insertTasks, NewTask, toTaskRows } from '@aiopslab/shared/tables/tasks-insert';
import { clearRunCancellation, findRun } from '@aiopslab/shared/tables/runs';

export interface RetryDeps {
  db: SqlDb;
  topology: Topology;
  onCommitted: () => void;
}

/** The ends a retry may replace; a completed task is kept as it is. */
export const RETRYABLE_STATUSES: readonly TaskStatus[] = ['failed', 'timed_out', 'cancelled'];

/**
 * Finished tasks never change (the state machine), so a retry is a NEW task with the same
 * problem, agent, fields and grid cell, linked by retry_of to the task it replaces; the old one
 * stays as it was. A cell's latest task is the one no other task replaces.
 */
function replacementOf(task: Task): NewTask {
  return {
    submission: {
      problem_id: task.problemId,
      agent_config: task.agentConfig as AgentConfig,
      max_steps: task.maxSteps,
      timeout_minutes: task.timeoutMinutes,
      max_retries: task.maxRetries,
      priority: task.priority,
      ...(task.callbackUrl ? { callback_url: task.callbackUrl } : {}),
      metadata: task.metadata as Record<string, unknown>,
      parameters: task.parameters as Record<string, unknown>,
    },
    fingerprint: null,
    placement: task.runId ? { runId: task.runId, agentLabel: task.agentLabel!, repeatIndex: task.repeatIndex! } : undefined,
    retryOf: task.id,
  };
}

async function storeReplacements(tx: SqlClient, topology: Topology, tasks: Task[], correlationId?: string): Promise<string[]> {
  const rows = toTaskRows(tasks.map(replacementOf), correlationId);
  await insertTasks(tx, topology, rows);
  return rows.map((row) => row.id);
}

/** POST /runs/{id}/retry: a replacement for every cell whose latest task failed, timed out or was cancelled. */
export async function retryRun(deps: RetryDeps, runId: string, correlationId?: string) {
  const taskIds = await deps.db.$transaction(async (tx) => {
    await findRun(tx, runId, { lock: true }); // one retry or cancel of this run at a time
    const latestFailed = await findLatestRunTasksIn(tx, runId, RETRYABLE_STATUSES);
    if (latestFailed.length === 0) return [];
    await clearRunCancellation(tx, runId);
    return storeReplacements(tx, deps.topology, latestFailed, correlationId);
  });
  if (taskIds.length > 0) deps.onCommitted();
  return { run_id: runId, retried: taskIds.length, task_ids: taskIds };
}

/** POST /tasks/{id}/retry: the same for one task, which must be its cell's latest and must not have completed. */
export async function retryTask(deps: RetryDeps, taskId: string, correlationId?: string) {
  const taskIdNew = await deps.db.$transaction(async (tx) => {
    const first = await findTask(tx, taskId);
    if (!first) throw new NotFoundError('task', taskId);
    // Serialize with other retries of the same cell: the run's row, or the task's own.
    if (first.runId) await findRun(tx, first.runId, { lock: true });
    const task = (await findTask(tx, taskId, { lock: !first.runId }))!;
    if (!RETRYABLE_STATUSES.includes(task.status as TaskStatus)) {
      throw new ConflictError('task_not_retryable', `task ${taskId} is ${task.status}; only ${RETRYABLE_STATUSES.join(', ')} tasks can be retried`, { task_id: taskId, current_status: task.status });
    }
    const replacement = await findReplacementId(tx, taskId);
    if (replacement) {
      throw new ConflictError('task_already_retried', `task ${taskId} was already retried as ${replacement}; retry that task instead`, { task_id: taskId, retried_as: replacement });
    }
    if (task.runId) await clearRunCancellation(tx, task.runId);
    return (await storeReplacements(tx, deps.topology, [task], correlationId))[0];
  });
  deps.onCommitted();
  return { task_id: taskIdNew, retry_of: taskId, status: 'pending' as const };
}

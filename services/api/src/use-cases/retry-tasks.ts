import { findLatestRunTasksIn, findReplacementId, findTask, Task } from '@aiopslab/shared/tables/tasks';
import type { TaskStatus } from '@aiopslab/shared/domain/task-status';
import { ConflictError, NotFoundError } from '@aiopslab/shared/errors/app-error';
import type { AgentConfig } from '@aiopslab/shared/schemas/task-submission';
import type { NewTask } from '@aiopslab/shared/tables/tasks-insert';
import type { TaskStore, TaskTransaction } from '@aiopslab/shared/task-store/task-store';
import { clearRunCancellation, findRun } from '@aiopslab/shared/tables/runs';

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

export async function storeReplacements(tx: TaskTransaction, tasks: Task[], correlationId?: string): Promise<string[]> {
  return (await tx.submit(tasks.map(replacementOf), correlationId)).ids;
}

/** POST /runs/{id}/retry: a replacement for every cell whose latest task failed, timed out or was cancelled. */
export async function retryRun(tasks: TaskStore, runId: string, correlationId?: string) {
  const taskIds = await tasks.inTransaction(async (tx) => {
    await findRun(tx.sql, runId, { lock: true }); // one retry or cancel of this run at a time
    const latestFailed = await findLatestRunTasksIn(tx.sql, runId, RETRYABLE_STATUSES);
    if (latestFailed.length === 0) return [];
    await clearRunCancellation(tx.sql, runId);
    return storeReplacements(tx, latestFailed, correlationId);
  });
  return { run_id: runId, retried: taskIds.length, task_ids: taskIds };
}

/** POST /tasks/{id}/retry: the same for one task, which must be its cell's latest and must not have completed. */
export async function retryTask(tasks: TaskStore, taskId: string, correlationId?: string) {
  const taskIdNew = await tasks.inTransaction(async (tx) => {
    const first = await findTask(tx.sql, taskId);
    if (!first) throw new NotFoundError('task', taskId);
    // Serialize with other retries of the same cell: the run's row, or the task's own.
    if (first.runId) await findRun(tx.sql, first.runId, { lock: true });
    const task = (await findTask(tx.sql, taskId, { lock: !first.runId }))!;
    if (!RETRYABLE_STATUSES.includes(task.status as TaskStatus)) {
      throw new ConflictError('task_not_retryable', `task ${taskId} is ${task.status}; only ${RETRYABLE_STATUSES.join(', ')} tasks can be retried`, { task_id: taskId, current_status: task.status });
    }
    const replacement = await findReplacementId(tx.sql, taskId);
    if (replacement) {
      throw new ConflictError('task_already_retried', `task ${taskId} was already retried as ${replacement}; retry that task instead`, { task_id: taskId, retried_as: replacement });
    }
    if (task.runId) await clearRunCancellation(tx.sql, task.runId);
    return (await storeReplacements(tx, [task], correlationId))[0];
  });
  return { task_id: taskIdNew, retry_of: taskId, status: 'pending' as const };
}

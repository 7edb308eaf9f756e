import type { TaskCallback } from '@aiopslab/shared/tables/task-callbacks';
import { outcomeOfTask } from '@aiopslab/shared/domain/outcome-class';
import type { Task } from '@aiopslab/shared/tables/tasks';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * The API's JSON shape of a task (snake_case, ISO times), with its outcome class
 * (shared/src/domain/outcome-class.ts; the task type is read from the results' own keys).
 */
export function presentTask(task: Task) {
  return {
    ...outcomeOfTask(task, null),
    task_id: task.id,
    problem_id: task.problemId,
    status: task.status,
    priority: task.priority,
    agent_config: task.agentConfig,
    max_steps: task.maxSteps,
    timeout_minutes: task.timeoutMinutes,
    max_retries: task.maxRetries,
    attempt: task.attempt,
    callback_url: task.callbackUrl,
    metadata: task.metadata,
    parameters: task.parameters,
    idempotency_key: task.idempotencyKey,
    worker_id: task.workerId,
    run_id: task.runId,
    agent_label: task.agentLabel,
    repeat_index: task.repeatIndex,
    retry_of: task.retryOf,
    lease_expires_at: iso(task.leaseExpiresAt),
    cancel_requested_at: iso(task.cancelRequestedAt),
    result: task.result,
    error: task.error,
    created_at: iso(task.createdAt),
    dispatched_at: iso(task.dispatchedAt),
    updated_at: iso(task.updatedAt),
    started_at: iso(task.startedAt),
    completed_at: iso(task.completedAt),
  };
}

/**
 * Delivery of the task's callback: null without a callback_url; `pending` until the first
 * attempt (the task has not finished, or its callback is queued); then `retrying`, `delivered`
 * or `failed`, with the attempts made and the last error.
 */
export function presentCallback(task: Pick<Task, 'callbackUrl'>, delivery: TaskCallback | null) {
  if (!task.callbackUrl) return null;
  return {
    url: task.callbackUrl,
    status: delivery?.status ?? 'pending',
    attempts: delivery?.attempts ?? 0,
    last_error: delivery?.lastError ?? null,
    last_attempt_at: iso(delivery?.lastAttemptAt ?? null),
    delivered_at: iso(delivery?.deliveredAt ?? null),
  };
}

export function presentSubmission(task: Pick<Task, 'id' | 'status' | 'createdAt'>, replayed: boolean) {
  return { task_id: task.id, status: task.status, submitted_at: task.createdAt.toISOString(), ...(replayed ? { replayed: true } : {}) };
}

import type { Task } from '@aiopslab/shared/tables/tasks';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** What a callback receives: the event that ended the task and the task's final state (pure). */
export function callbackBody(task: Task, event: TaskEvent) {
  return {
    event_id: event.event_id,
    event: `task.${event.to_status}`,
    occurred_at: event.occurred_at,
    task_id: task.id,
    status: task.status,
    problem_id: task.problemId,
    attempt: task.attempt,
    max_retries: task.maxRetries,
    worker_id: task.workerId,
    priority: task.priority,
    agent_config: task.agentConfig,
    max_steps: task.maxSteps,
    timeout_minutes: task.timeoutMinutes,
    metadata: task.metadata,
    parameters: task.parameters,
    result: task.result,
    error: task.error,
    created_at: iso(task.createdAt),
    started_at: iso(task.startedAt),
    completed_at: iso(task.completedAt),
  };
}

import type { SqlClient } from '../db/sql';
import type { TaskCallback } from '../db/generated/client';

/** How one callback attempt ended, as GET /tasks/{id} shows it (`callback.status`). */
export type CallbackAttemptStatus = 'delivered' | 'retrying' | 'failed';

export interface CallbackAttempt {
  taskId: string;
  status: CallbackAttemptStatus;
  /** Why the attempt failed (HTTP status, network error, refused target); null when delivered. */
  error: string | null;
}

/**
 * Records one attempt in task_callbacks: the status it left, one more attempt, its error (a
 * delivered attempt keeps the last failure, so a flaky receiver stays visible).
 */
export async function recordCallbackAttempt(db: SqlClient, attempt: CallbackAttempt): Promise<void> {
  await db.$queryRawUnsafe(
    `INSERT INTO task_callbacks (task_id, status, attempts, last_error, last_attempt_at, delivered_at)
     VALUES ($1::uuid, $2, 1, $3, now(), CASE WHEN $2 = 'delivered' THEN now() END)
     ON CONFLICT (task_id) DO UPDATE SET status = EXCLUDED.status, attempts = task_callbacks.attempts + 1,
       last_error = COALESCE(EXCLUDED.last_error, task_callbacks.last_error), last_attempt_at = EXCLUDED.last_attempt_at,
       delivered_at = COALESCE(EXCLUDED.delivered_at, task_callbacks.delivered_at)`,
    attempt.taskId,
    attempt.status,
    attempt.error,
  );
}

export type { TaskCallback } from '../db/generated/client';

/** The task's callback delivery record, or null before the first attempt. */
export async function findTaskCallback(db: SqlClient, taskId: string): Promise<TaskCallback | null> {
  const rows = await db.$queryRaw<TaskCallback[]>`
    SELECT task_id::text AS "taskId", status, attempts, last_error AS "lastError", last_attempt_at AS "lastAttemptAt", delivered_at AS "deliveredAt"
    FROM task_callbacks WHERE task_id = ${taskId}::uuid`;
  return rows[0] ?? null;
}

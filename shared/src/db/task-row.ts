import type { SqlClient } from './sql';
import type { Task } from './generated/client';

export type { Task } from './generated/client';

/** A tasks row in the shape of Prisma's `Task` model, for raw queries (`SELECT ${TASK_COLUMNS}`). */
export const TASK_COLUMNS = `id::text AS id, problem_id AS "problemId", status, priority, agent_config AS "agentConfig", max_steps AS "maxSteps",
  timeout_minutes AS "timeoutMinutes", max_retries AS "maxRetries", attempt, callback_url AS "callbackUrl", metadata, parameters,
  idempotency_key AS "idempotencyKey", idempotency_fingerprint AS "idempotencyFingerprint", worker_id AS "workerId",
  lease_expires_at AS "leaseExpiresAt", cancel_requested_at AS "cancelRequestedAt", result, error, created_at AS "createdAt",
  updated_at AS "updatedAt", started_at AS "startedAt", completed_at AS "completedAt",
  run_id::text AS "runId", agent_label AS "agentLabel", repeat_index AS "repeatIndex", retry_of::text AS "retryOf"`;

/** The task, or null; `lock` holds its row until the transaction ends (FOR UPDATE). */
export async function findTask(db: SqlClient, taskId: string, options: { lock?: boolean } = {}): Promise<Task | null> {
  const rows = await db.$queryRawUnsafe<Task[]>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1::uuid${options.lock ? ' FOR UPDATE' : ''}`, taskId);
  return rows[0] ?? null;
}

import type { SqlClient } from '../db/sql';
import type { TaskStatus } from '../domain/task-status';
import type { Task } from '../db/generated/client';

export type { Task } from '../db/generated/client';

/** A tasks row in the shape of Prisma's `Task` model, for raw queries (`SELECT ${TASK_COLUMNS}`). */
export const TASK_COLUMNS = `id::text AS id, problem_id AS "problemId", status, priority, agent_config AS "agentConfig", max_steps AS "maxSteps",
  timeout_minutes AS "timeoutMinutes", max_retries AS "maxRetries", attempt, callback_url AS "callbackUrl", metadata, parameters,
  idempotency_key AS "idempotencyKey", idempotency_fingerprint AS "idempotencyFingerprint", worker_id AS "workerId",
  lease_expires_at AS "leaseExpiresAt", cancel_requested_at AS "cancelRequestedAt", result, error, created_at AS "createdAt",
  updated_at AS "updatedAt", started_at AS "startedAt", completed_at AS "completedAt",
  run_id::text AS "runId", agent_label AS "agentLabel", repeat_index AS "repeatIndex", retry_of::text AS "retryOf",
  dispatched_at AS "dispatchedAt", correlation_id AS "correlationId"`;

/** The task, or null; `lock` holds its row until the transaction ends (FOR UPDATE). */
export async function findTask(db: SqlClient, taskId: string, options: { lock?: boolean } = {}): Promise<Task | null> {
  const rows = await db.$queryRawUnsafe<Task[]>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1::uuid${options.lock ? ' FOR UPDATE' : ''}`, taskId);
  return rows[0] ?? null;
}

/** The task's status, or null when there is no such task. */
export async function findTaskStatus(db: SqlClient, taskId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ status: string }[]>`SELECT status FROM tasks WHERE id = ${taskId}::uuid`;
  return rows[0]?.status ?? null;
}

/** The earlier tasks of these idempotency keys, other than the ones just inserted (`excluding`). */
export function findTasksByIdempotencyKeys(db: SqlClient, keys: string[], excluding: string[]): Promise<Task[]> {
  return db.$queryRawUnsafe<Task[]>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE idempotency_key = ANY($1::text[]) AND NOT (id = ANY($2::uuid[]))`, keys, excluding);
}

/** The run's tasks in these statuses that no retry replaced yet (their cell's latest), in grid order. */
export function findLatestRunTasksIn(db: SqlClient, runId: string, statuses: readonly string[]): Promise<Task[]> {
  return db.$queryRawUnsafe<Task[]>(
    `SELECT ${TASK_COLUMNS} FROM tasks t WHERE run_id = $1::uuid AND status = ANY($2::text[])
       AND NOT EXISTS (SELECT 1 FROM tasks r WHERE r.retry_of = t.id) ORDER BY repeat_index, problem_id, agent_label`,
    runId,
    statuses,
  );
}

/** The id of the task that retries this one, or null. */
export async function findReplacementId(db: SqlClient, taskId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`SELECT id::text FROM tasks WHERE retry_of = ${taskId}::uuid`;
  return rows[0]?.id ?? null;
}

/** A run's unfinished tasks, locked (FOR UPDATE) in id order. */
export function lockUnfinishedRunTasks(tx: SqlClient, runId: string) {
  return tx.$queryRaw<{ id: string; status: TaskStatus; attempt: number; worker_id: string | null; cancel_requested_at: Date | null }[]>`
    SELECT id::text, status, attempt, worker_id, cancel_requested_at FROM tasks
    WHERE run_id = ${runId}::uuid AND status IN ('pending', 'retrying', 'processing') ORDER BY id FOR UPDATE`;
}

/** Marks running tasks for cancellation (the worker stops them); `attempt` fences a single task. Returns rows changed. */
export function requestTaskCancellation(tx: SqlClient, taskIds: string[], requestedAt: Date, attempt?: number): Promise<number> {
  if (attempt !== undefined) {
    return tx.$executeRaw`
      UPDATE tasks SET cancel_requested_at = ${requestedAt}, updated_at = ${requestedAt}
      WHERE id = ${taskIds[0]}::uuid AND status = 'processing' AND attempt = ${attempt}::int`;
  }
  return tx.$executeRaw`
    UPDATE tasks SET cancel_requested_at = ${requestedAt}, updated_at = ${requestedAt} WHERE id = ANY(${taskIds}::uuid[]) AND status = 'processing'`;
}

export interface WorkerTaskRow {
  id: string;
  problemId: string;
  status: string;
  attempt: number;
  runId: string | null;
  agentLabel: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** A worker's most recent tasks, newest first. */
export function recentTasksOfWorker(db: SqlClient, workerId: string, limit: number): Promise<WorkerTaskRow[]> {
  return db.$queryRaw<WorkerTaskRow[]>`
    SELECT id::text, problem_id AS "problemId", status, attempt, run_id::text AS "runId", agent_label AS "agentLabel",
           started_at AS "startedAt", completed_at AS "completedAt"
    FROM tasks WHERE worker_id = ${workerId} ORDER BY created_at DESC, id DESC LIMIT ${limit}::int`;
}

/** What history verification compares with a task's recorded transitions. */
export interface TaskSnapshotRow {
  id: string;
  status: string;
  attempt: number;
  updatedAt: Date;
  createdAt: Date;
}

/** A page of tasks in creation order (keyset on created_at, id), optionally only these ids or those created since. */
export function readTaskSnapshots(db: SqlClient, filter: { taskIds?: readonly string[]; since?: Date | null }, after: { createdAt: Date; id: string } | null, limit: number): Promise<TaskSnapshotRow[]> {
  return db.$queryRaw<TaskSnapshotRow[]>`
    SELECT id::text, status, attempt, updated_at AS "updatedAt", created_at AS "createdAt" FROM tasks
    WHERE (${filter.taskIds ? [...filter.taskIds] : null}::uuid[] IS NULL OR id = ANY(${filter.taskIds ? [...filter.taskIds] : null}::uuid[]))
      AND (${filter.since ?? null}::timestamptz IS NULL OR created_at >= ${filter.since ?? null}::timestamptz)
      AND (${after?.createdAt ?? null}::timestamptz IS NULL OR (created_at, id) > (${after?.createdAt ?? null}::timestamptz, ${after?.id ?? null}::uuid))
    ORDER BY created_at, id LIMIT ${limit}::int`;
}

/** Makes the caller's transaction one REPEATABLE READ snapshot (its first statement); returns the database's clock. */
export async function beginRepeatableRead(tx: SqlClient): Promise<Date> {
  await tx.$executeRaw`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`;
  const [{ now }] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
  return now;
}

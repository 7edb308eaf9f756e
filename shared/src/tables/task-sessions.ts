import type { SqlClient } from '../db/sql';

/** Where a kept session came from. */
export const SESSION_SOURCES = ['results_dir', 'result_event', 'artifact_file', 'none'] as const;
export type SessionSource = (typeof SESSION_SOURCES)[number];

/** One kept file of an attempt: its path relative to the attempt's artifact_dir, and its size. */
export interface ArtifactFile {
  path: string;
  size_bytes: number;
}

/** What a worker keeps for one attempt (table task_sessions, migration 20261130000100). */
export interface NewTaskSession {
  taskId: string;
  attempt: number;
  /** The session as JSON text (already jsonb-safe), or null when only files were kept. */
  sessionJson: string | null;
  source: SessionSource;
  sizeBytes: number;
  /** The task's result holds a cut copy (or none) of what is kept here. */
  truncatedInResult: boolean;
  artifactDir: string | null;
  artifacts: ArtifactFile[];
}

export interface TaskSessionRow extends NewTaskSession {
  createdAt: Date;
}

/** Keeps an attempt's session; a re-run of the same attempt number (a hand-back) replaces it. */
export async function keepTaskSession(db: SqlClient, session: NewTaskSession): Promise<void> {
  await db.$executeRaw`
    INSERT INTO task_sessions (task_id, attempt, session, source, size_bytes, truncated_in_result, artifact_dir, artifacts)
    VALUES (${session.taskId}::uuid, ${session.attempt}, ${session.sessionJson}::jsonb, ${session.source}, ${session.sizeBytes},
            ${session.truncatedInResult}, ${session.artifactDir}, ${JSON.stringify(session.artifacts)}::jsonb)
    ON CONFLICT (task_id, attempt) DO UPDATE SET session = EXCLUDED.session, source = EXCLUDED.source, size_bytes = EXCLUDED.size_bytes,
      truncated_in_result = EXCLUDED.truncated_in_result, artifact_dir = EXCLUDED.artifact_dir, artifacts = EXCLUDED.artifacts, created_at = now()`;
}

/** The row kept for `attempt`, or for the latest attempt with anything kept when attempt is omitted. */
export async function findTaskSession(db: SqlClient, taskId: string, attempt?: number): Promise<TaskSessionRow | null> {
  const rows = await db.$queryRawUnsafe<TaskSessionRow[]>(
    `SELECT task_id::text AS "taskId", attempt, session::text AS "sessionJson", source, size_bytes AS "sizeBytes",
       truncated_in_result AS "truncatedInResult", artifact_dir AS "artifactDir", artifacts, created_at AS "createdAt"
     FROM task_sessions WHERE task_id = $1::uuid AND ($2::int IS NULL OR attempt = $2::int)
     ORDER BY attempt DESC LIMIT 1`,
    taskId,
    attempt ?? null,
  );
  return rows[0] ?? null;
}

/** The attempts of a task with something kept, oldest first. */
export async function listTaskSessionAttempts(db: SqlClient, taskId: string): Promise<number[]> {
  const rows = await db.$queryRaw<{ attempt: number }[]>`SELECT attempt FROM task_sessions WHERE task_id = ${taskId}::uuid ORDER BY attempt`;
  return rows.map((row) => row.attempt);
}

/** What is kept for one attempt, without the session itself (GET /tasks/{id} lists these). */
export interface TaskSessionSummary {
  attempt: number;
  size_bytes: number;
  /** False when the session was over SESSION_MAX_BYTES and only its file on the worker host is kept. */
  in_database: boolean;
  source: SessionSource;
}

export async function listTaskSessionSummaries(db: SqlClient, taskId: string): Promise<TaskSessionSummary[]> {
  return db.$queryRaw<TaskSessionSummary[]>`
    SELECT attempt, size_bytes, session IS NOT NULL AS in_database, source FROM task_sessions WHERE task_id = ${taskId}::uuid ORDER BY attempt`;
}

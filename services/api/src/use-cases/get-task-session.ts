import type { SqlClient } from '@aiopslab/shared/db/sql';
import { findTask } from '@aiopslab/shared/tables/tasks';
import { findTaskSession, listTaskSessionAttempts } from '@aiopslab/shared/tables/task-sessions';
import { AppError, NotFoundError } from '@aiopslab/shared/errors/app-error';

/**
 * GET /tasks/{id}/session as JSON text: the kept session is spliced in as stored, never parsed
 * and serialized again (sessions run to many megabytes). A 404 says why there is none.
 */
export async function getTaskSessionJson(db: SqlClient, taskId: string, attempt?: number): Promise<string> {
  const row = await findTaskSession(db, taskId, attempt);
  if (!row) throw await noSession(db, taskId, attempt);
  if (row.sessionJson === null) {
    const file = row.artifacts.find((a) => a.path.startsWith('session/'));
    const why = file
      ? `its session file (${file.size_bytes} bytes) was over the worker's SESSION_MAX_BYTES and is kept on the worker host as ${row.artifactDir}/${file.path}`
      : 'the runner left no session JSON (only metrics or trace files)';
    throw new AppError('session_not_kept', 404, `attempt ${row.attempt} of task ${taskId} has no session in the database: ${why}`, {
      extra: { attempt: row.attempt, artifact_dir: row.artifactDir, artifacts: row.artifacts },
    });
  }
  const envelope = {
    task_id: row.taskId,
    attempt: row.attempt,
    source: row.source,
    size_bytes: row.sizeBytes,
    truncated_in_result: row.truncatedInResult,
    artifact_dir: row.artifactDir,
    artifacts: row.artifacts,
    created_at: row.createdAt.toISOString(),
  };
  return `${JSON.stringify(envelope).slice(0, -1)},"session":${row.sessionJson}}`;
}

async function noSession(db: SqlClient, taskId: string, attempt: number | undefined): Promise<AppError> {
  const task = await findTask(db, taskId);
  if (!task) return new NotFoundError('task', taskId);
  const kept = await listTaskSessionAttempts(db, taskId);
  if (attempt !== undefined && kept.length > 0) {
    return new AppError('session_not_found', 404, `task ${taskId} has no session for attempt ${attempt}; sessions are kept for attempt ${kept.join(', ')}`, { extra: { attempts: kept } });
  }
  if (task.attempt === 0) return new AppError('session_not_found', 404, `task ${taskId} is ${task.status} and has not run yet; its session is kept when an attempt ends`, { extra: { attempts: kept } });
  if (attempt !== undefined && attempt > task.attempt) {
    return new AppError('session_not_found', 404, `task ${taskId} has made ${task.attempt} attempt(s) so far, so there is no attempt ${attempt}`, { extra: { attempts: kept } });
  }
  if (task.status === 'processing' && (attempt === undefined || attempt === task.attempt) && kept.length === 0) {
    return new AppError('session_not_found', 404, `attempt ${task.attempt} of task ${taskId} is still running; its session is kept when it ends`, { extra: { attempts: kept } });
  }
  const which = attempt === undefined ? 'none of its attempts' : `attempt ${attempt}`;
  return new AppError('session_not_found', 404, `task ${taskId} (${task.status}) has no session: ${which} left one (the runner reported no session, e.g. it failed before AIOpsLab started one, or the attempt was handed back)`, { extra: { attempts: kept } });
}

import type { SqlClient } from '@aiopslab/shared/db/sql';
import { findTaskCallback } from '@aiopslab/shared/tables/task-callbacks';
import { findTask } from '@aiopslab/shared/tables/tasks';
import { getStatusHistory } from '@aiopslab/shared/tables/status-history';
import { listTaskSessionSummaries } from '@aiopslab/shared/tables/task-sessions';
import { NotFoundError } from '@aiopslab/shared/errors/app-error';
import { presentCallback, presentTask } from '../data/task-presenter';

/**
 * The task with its result or error, its recorded transitions (oldest first), and what is kept
 * of each attempt's session (sizes only: GET /tasks/{id}/session returns one).
 */
export async function getTask(db: SqlClient, taskId: string) {
  const task = await findTask(db, taskId);
  if (!task) throw new NotFoundError('task', taskId);
  const [history, delivery, sessions] = await Promise.all([
    getStatusHistory(db, taskId),
    task.callbackUrl ? findTaskCallback(db, taskId) : null,
    listTaskSessionSummaries(db, taskId),
  ]);
  return { ...presentTask(task), callback: presentCallback(task, delivery), status_history: history, sessions };
}

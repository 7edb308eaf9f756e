import type { Db } from '@aiopslab/shared/db/prisma-client';
import { getStatusHistory } from '@aiopslab/shared/db/status-history-queries';
import { listTaskSessionSummaries } from '@aiopslab/shared/db/task-sessions';
import { NotFoundError } from '@aiopslab/shared/errors/app-error';
import { presentCallback, presentTask } from '../data/task-presenter';

/**
 * The task with its result or error, its recorded transitions (oldest first), and what is kept
 * of each attempt's session (sizes only: GET /tasks/{id}/session returns one).
 */
export async function getTask(db: Db, taskId: string) {
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task) throw new NotFoundError('task', taskId);
  const [history, delivery, sessions] = await Promise.all([
    getStatusHistory(db, taskId),
    task.callbackUrl ? db.taskCallback.findUnique({ where: { taskId } }) : null,
    listTaskSessionSummaries(db, taskId),
  ]);
  return { ...presentTask(task), callback: presentCallback(task, delivery), status_history: history, sessions };
}

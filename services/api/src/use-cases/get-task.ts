import type { Db } from '@aiopslab/shared/db/prisma-client';
import { getStatusHistory } from '@aiopslab/shared/db/status-history-queries';
import { NotFoundError } from '@aiopslab/shared/errors/app-error';
import { presentCallback, presentTask } from '../data/task-presenter';

/** The task with its result or error and its recorded transitions, oldest first. */
export async function getTask(db: Db, taskId: string) {
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task) throw new NotFoundError('task', taskId);
  const [history, delivery] = await Promise.all([getStatusHistory(db, taskId), task.callbackUrl ? db.taskCallback.findUnique({ where: { taskId } }) : null]);
  return { ...presentTask(task), callback: presentCallback(task, delivery), status_history: history };
}

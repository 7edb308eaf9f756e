import type { Db } from '@aiopslab/shared/db/prisma-client';
import { getStatusHistory } from '@aiopslab/shared/db/status-history-queries';
import { NotFoundError } from '@aiopslab/shared/errors/app-error';
import { presentTask } from '../data/task-presenter';

/** The task with its result or error and its recorded transitions, oldest first. */
export async function getTask(db: Db, taskId: string) {
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task) throw new NotFoundError('task', taskId);
  return { ...presentTask(task), status_history: await getStatusHistory(db, taskId) };
}

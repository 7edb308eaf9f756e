import type { Db } from '@aiopslab/shared/db/prisma-client';
import { NotFoundError } from '@aiopslab/shared/errors/app-error';
import { presentTask } from '../data/task-presenter';

/** The task with its result or error and its recorded transitions, oldest first. */
export async function getTask(db: Db, taskId: string) {
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task) throw new NotFoundError('task', taskId);
  const history = await db.statusHistory.findMany({ where: { taskId }, orderBy: [{ occurredAt: 'asc' }, { sequence: 'asc' }] });
  return {
    ...presentTask(task),
    status_history: history.map((row) => ({
      event_id: row.eventId,
      from_status: row.fromStatus,
      to_status: row.toStatus,
      attempt: row.attempt,
      worker_id: row.workerId,
      notes: row.notes,
      occurred_at: row.occurredAt.toISOString(),
      recorded_at: row.recordedAt.toISOString(),
    })),
  };
}

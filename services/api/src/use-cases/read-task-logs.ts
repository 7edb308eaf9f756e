import type { Db } from '@aiopslab/shared/db/prisma-client';
import { NotFoundError } from '@aiopslab/shared/errors/app-error';

export interface LogPage {
  logs: { seq: number; attempt: number; ts: string; stream: string; level: string; message: string }[];
  next_after_seq: number;
  task_status: string;
}

/** Lines after `afterSeq`, in order, at most `limit`; `next_after_seq` continues the stream. */
export async function readTaskLogs(db: Db, taskId: string, afterSeq: number, limit: number): Promise<LogPage> {
  const task = await db.task.findUnique({ where: { id: taskId }, select: { status: true } });
  if (!task) throw new NotFoundError('task', taskId);
  const rows = await db.taskLog.findMany({ where: { taskId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take: limit });
  return {
    logs: rows.map((row) => ({ seq: row.seq, attempt: row.attempt, ts: row.ts.toISOString(), stream: row.stream, level: row.level, message: row.message })),
    next_after_seq: rows.length > 0 ? rows[rows.length - 1].seq : afterSeq,
    task_status: task.status,
  };
}

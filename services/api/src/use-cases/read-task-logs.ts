import type { SqlClient } from '@aiopslab/shared/db/sql';
import { readTaskLogRows } from '@aiopslab/shared/tables/task-logs';
import { findTaskStatus } from '@aiopslab/shared/tables/tasks';
import { NotFoundError } from '@aiopslab/shared/errors/app-error';

export interface LogPage {
  logs: { seq: number; attempt: number; ts: string; stream: string; level: string; message: string }[];
  next_after_seq: number;
  task_status: string;
}

/** Lines after `afterSeq`, in order, at most `limit`; `next_after_seq` continues the stream. */
export async function readTaskLogs(db: SqlClient, taskId: string, afterSeq: number, limit: number): Promise<LogPage> {
  const status = await findTaskStatus(db, taskId);
  if (!status) throw new NotFoundError('task', taskId);
  const rows = await readTaskLogRows(db, taskId, afterSeq, limit);
  return {
    logs: rows.map((row) => ({ seq: row.seq, attempt: row.attempt, ts: row.ts.toISOString(), stream: row.stream, level: row.level, message: row.message })),
    next_after_seq: rows.length > 0 ? rows[rows.length - 1].seq : afterSeq,
    task_status: status,
  };
}

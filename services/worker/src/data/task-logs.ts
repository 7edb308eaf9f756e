import type { SqlClient } from '@aiopslab/shared/db/sql';
import type { LogLine, LogUsage } from '../logs/log-buffer';

/** Whose lines these are: only the current lease holder's attempt may write. */
export interface TaskOwner {
  taskId: string;
  attempt: number;
  workerId: string;
}

/**
 * Appends lines to task_logs in one statement. `seq` continues after the task's last line
 * (across attempts). The insert happens only while (task, attempt, worker) still holds the
 * task in `processing`; FOR SHARE makes a concurrent claim or reap wait for this insert (and
 * this insert re-check the row after it), so a fenced worker can never write between another
 * owner's lines. Returns the number of rows written: 0 means the owner lost the task.
 */
export async function appendTaskLogs(db: SqlClient, owner: TaskOwner, lines: LogLine[]): Promise<number> {
  if (lines.length === 0) return 0;
  const ts = lines.map((l) => l.ts.toISOString());
  const streams = lines.map((l) => l.stream);
  const levels = lines.map((l) => l.level);
  const messages = lines.map((l) => l.message);
  return db.$executeRaw`
    INSERT INTO task_logs (task_id, seq, attempt, ts, stream, level, message)
    SELECT ${owner.taskId}::uuid, (base.last_seq + l.ord)::int, ${owner.attempt}::int, l.ts, l.stream, l.level, l.message
    FROM (SELECT coalesce(max(seq), 0) AS last_seq FROM task_logs WHERE task_id = ${owner.taskId}::uuid) AS base,
         unnest(${ts}::timestamptz[], ${streams}::text[], ${levels}::text[], ${messages}::text[]) WITH ORDINALITY AS l(ts, stream, level, message, ord)
    WHERE EXISTS (
      SELECT 1 FROM tasks
      WHERE id = ${owner.taskId}::uuid AND attempt = ${owner.attempt}::int AND worker_id = ${owner.workerId} AND status = 'processing'
      FOR SHARE
    )`;
}

/** What earlier attempts already stored, so the per-task caps span attempts. */
export async function taskLogUsage(db: SqlClient, taskId: string): Promise<LogUsage> {
  const rows = await db.$queryRaw<{ lines: bigint; bytes: bigint }[]>`
    SELECT count(*) AS lines, coalesce(sum(octet_length(message)), 0)::bigint AS bytes FROM task_logs WHERE task_id = ${taskId}::uuid`;
  return { lines: Number(rows[0]?.lines ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
}

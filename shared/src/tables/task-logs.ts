import type { SqlClient } from '../db/sql';
export type LogStream = 'stdout' | 'stderr' | 'system';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One row of task_logs before it gets its sequence number. */
export interface LogLine {
  ts: Date;
  stream: LogStream;
  level: LogLevel;
  message: string;
}

export interface LogUsage {
  lines: number;
  bytes: number;
}


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
  const insert = taskLogsInsert({ taskId: '$1', attempt: '$2', lines: ['$4', '$5', '$6', '$7'] }, {
    where: `EXISTS (SELECT 1 FROM tasks WHERE id = $1::uuid AND attempt = $2::int AND worker_id = $3 AND status = 'processing' FOR SHARE)`,
  });
  return db.$executeRawUnsafe(insert, owner.taskId, owner.attempt, owner.workerId, ts, streams, levels, messages);
}

/**
 * THE insert of log lines: `seq` continues after the task's last line (across attempts). The
 * placeholders (or SQL expressions) name the task id, the attempt and the four line arrays (ts,
 * stream, level, message); `from` adds a row source (a CTE), `where` a guard.
 */
export function taskLogsInsert(p: { taskId: string; attempt: string; lines: [string, string, string, string] }, options: { from?: string; where?: string } = {}): string {
  const [ts, stream, level, message] = p.lines;
  return `INSERT INTO task_logs (task_id, seq, attempt, ts, stream, level, message)
    SELECT ${p.taskId}::uuid, (base.last_seq + l.ord)::int, ${p.attempt}::int, l.ts, l.stream, l.level, l.message
    FROM ${options.from ? `${options.from}, ` : ''}(SELECT coalesce(max(seq), 0) AS last_seq FROM task_logs WHERE task_id = ${p.taskId}::uuid) AS base,
         unnest(${ts}::timestamptz[], ${stream}::text[], ${level}::text[], ${message}::text[]) WITH ORDINALITY AS l(ts, stream, level, message, ord)
    ${options.where ? `WHERE ${options.where}` : ''}`;
}

/** What earlier attempts already stored, so the per-task caps span attempts. */
export async function taskLogUsage(db: SqlClient, taskId: string): Promise<LogUsage> {
  const rows = await db.$queryRaw<{ lines: bigint; bytes: bigint }[]>`
    SELECT count(*) AS lines, coalesce(sum(octet_length(message)), 0)::bigint AS bytes FROM task_logs WHERE task_id = ${taskId}::uuid`;
  return { lines: Number(rows[0]?.lines ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
}

export interface TaskLogRow {
  seq: number;
  attempt: number;
  ts: Date;
  stream: string;
  level: string;
  message: string;
}

/** Lines after `afterSeq`, in order, at most `limit`. */
export function readTaskLogRows(db: SqlClient, taskId: string, afterSeq: number, limit: number): Promise<TaskLogRow[]> {
  return db.$queryRaw<TaskLogRow[]>`
    SELECT seq, attempt, ts, stream, level, message FROM task_logs WHERE task_id = ${taskId}::uuid AND seq > ${afterSeq}::int ORDER BY seq LIMIT ${limit}::int`;
}

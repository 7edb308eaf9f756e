import { listProblems } from '@aiopslab/shared/catalog/problem-catalog';
import { Prisma } from '@aiopslab/shared/db/generated/client';
import type { Db } from '@aiopslab/shared/db/prisma-client';
import { ValidationError } from '@aiopslab/shared/errors/app-error';

export interface ListTasksQuery {
  status?: string;
  problem_id?: string;
  task_type?: string;
  worker_id?: string;
  run_id?: string;
  agent_label?: string;
  created_after?: string;
  created_before?: string;
  limit: number;
  cursor?: string;
}

interface Cursor {
  createdAt: Date;
  id: string;
}

interface TaskSummaryRow {
  id: string;
  problem_id: string;
  status: string;
  priority: number;
  attempt: number;
  max_retries: number;
  worker_id: string | null;
  run_id: string | null;
  agent_label: string | null;
  repeat_index: number | null;
  retry_of: string | null;
  error: unknown;
  metadata: unknown;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

/** Opaque keyset cursor: the (created_at, id) of the last row of the previous page. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

export function decodeCursor(raw: string): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new ValidationError('cursor is not one this API issued', [{ field: 'cursor', rule: 'format', message: 'pass next_cursor from the previous page unchanged' }]);
  }
}

/**
 * Newest first, keyset-paginated on (created_at, id): a page never repeats or skips rows when
 * tasks are inserted between requests. Every filter combination is served by an index.
 */
export async function listTasks(db: Db, query: ListTasksQuery) {
  const conditions: Prisma.Sql[] = [];
  const leading = leadingFilter(query);
  for (const [column, value] of [['run_id', query.run_id], ['status', query.status], ['problem_id', query.problem_id], ['worker_id', query.worker_id]] as const) {
    if (!value) continue;
    const cast = column === 'run_id' ? Prisma.raw('::uuid') : Prisma.empty;
    // The leading filter as a one-value range: see leadingSortColumn.
    if (column === leading) conditions.push(Prisma.sql`${Prisma.raw(column)} >= ${value}${cast} AND ${Prisma.raw(column)} <= ${value}${cast}`);
    else conditions.push(Prisma.sql`${Prisma.raw(column)} = ${value}${cast}`);
  }
  // An agent label names a grid column of a run: with run_id the run's index leads and this
  // filters its rows; alone it filters the walk of the leading (or created_at) index, like task_type.
  if (query.agent_label) conditions.push(Prisma.sql`agent_label = ${query.agent_label}`);
  if (query.task_type) {
    const problemIds = await problemIdsOfType(db, query.task_type);
    if (problemIds.length === 0) return { tasks: [], next_cursor: null };
    conditions.push(Prisma.sql`problem_id = ANY(${problemIds}::text[])`);
  }
  if (query.created_after) conditions.push(Prisma.sql`created_at > ${new Date(query.created_after)}`);
  if (query.created_before) conditions.push(Prisma.sql`created_at < ${new Date(query.created_before)}`);
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    conditions.push(Prisma.sql`(created_at, id) < (${cursor.createdAt}, ${cursor.id}::uuid)`);
  }
  const where = conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
  const rows = await db.$queryRaw<TaskSummaryRow[]>`
    SELECT id, problem_id, status, priority, attempt, max_retries, worker_id, run_id, agent_label, repeat_index, retry_of, error, metadata, created_at, updated_at, started_at, completed_at
    FROM tasks ${where} ORDER BY ${leadingSortColumn(query)}created_at DESC, id DESC LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    tasks: page.map(presentSummary),
    next_cursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

/**
 * A task type is a set of problems (the catalog, GET /problems): the filter becomes
 * `problem_id = ANY(...)`, which walks the created_at index (or a leading filter's) and keeps
 * the rows of those problems; a type covers a large share of all tasks, so a page fills quickly.
 */
async function problemIdsOfType(db: Db, taskType: string): Promise<string[]> {
  const { problems } = await listProblems(db);
  return problems.filter((p) => p.task_type === taskType).map((p) => p.id);
}

/**
 * With an equality filter, the page must come from that filter's index (status, created_at, id):
 * walking the plain created_at index instead skips every newer row of another status — after a
 * burst of submissions, tens of thousands of fresh `pending` rows before the first `completed`
 * one. The planner folds `ORDER BY status` away when it sees `status = $1`, and then often picks
 * that walk; written as the range `status >= $1 AND status <= $1` (same rows) the sort key stays,
 * and only the filter's index delivers the order.
 */
function leadingFilter(query: ListTasksQuery): 'run_id' | 'status' | 'problem_id' | 'worker_id' | null {
  if (query.run_id) return 'run_id'; // a run has at most 50,000 tasks: its index, then the other filters
  if (query.status) return 'status';
  if (query.problem_id) return 'problem_id';
  if (query.worker_id) return 'worker_id';
  return null;
}

function leadingSortColumn(query: ListTasksQuery): Prisma.Sql {
  const leading = leadingFilter(query);
  return leading ? Prisma.raw(`${leading}, `) : Prisma.empty;
}

function presentSummary(row: TaskSummaryRow) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    task_id: row.id,
    problem_id: row.problem_id,
    status: row.status,
    priority: row.priority,
    attempt: row.attempt,
    max_retries: row.max_retries,
    worker_id: row.worker_id,
    run_id: row.run_id,
    agent_label: row.agent_label,
    repeat_index: row.repeat_index,
    retry_of: row.retry_of,
    error: row.error,
    metadata: row.metadata,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    started_at: iso(row.started_at),
    completed_at: iso(row.completed_at),
  };
}

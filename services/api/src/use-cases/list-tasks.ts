import { listProblems } from '@aiopslab/shared/catalog/problem-catalog';
import type { SqlClient } from '@aiopslab/shared/db/sql';
import { listTaskSummaryRows, TaskListFilter, TaskSummaryRow } from '@aiopslab/shared/tables/tasks-listing';
import { ValidationError } from '@aiopslab/shared/errors/app-error';
import { classifyOutcome } from '@aiopslab/shared/domain/outcome-class';

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

/** GET /tasks: a page of task summaries, newest first, with the cursor of the next page. */
export async function listTasks(db: SqlClient, query: ListTasksQuery) {
  const filter: TaskListFilter = {
    status: query.status,
    problem_id: query.problem_id,
    worker_id: query.worker_id,
    run_id: query.run_id,
    agent_label: query.agent_label,
    created_after: query.created_after ? new Date(query.created_after) : undefined,
    created_before: query.created_before ? new Date(query.created_before) : undefined,
    before: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: query.limit + 1,
  };
  if (query.task_type) {
    filter.problem_ids = await problemIdsOfType(db, query.task_type);
    if (filter.problem_ids.length === 0) return { tasks: [], next_cursor: null };
  }
  const rows = await listTaskSummaryRows(db, filter);
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
async function problemIdsOfType(db: SqlClient, taskType: string): Promise<string[]> {
  const { problems } = await listProblems(db);
  return problems.filter((p) => p.task_type === taskType).map((p) => p.id);
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
    ...outcomeOf(row),
    metadata: row.metadata,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    started_at: iso(row.started_at),
    completed_at: iso(row.completed_at),
  };
}

/** solved, outcome_class, outcome_origin from the row's status, error and outcome facts. */
function outcomeOf(row: TaskSummaryRow) {
  const error = row.error && typeof row.error === 'object' ? (row.error as Record<string, unknown>) : null;
  return classifyOutcome({ status: row.status, taskType: null, results: row.outcome_facts.results, error, setupReached: row.outcome_facts.setup_reached });
}

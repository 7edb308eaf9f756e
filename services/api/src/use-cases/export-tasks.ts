import { listProblems } from '@aiopslab/shared/catalog/problem-catalog';
import type { SqlClient } from '@aiopslab/shared/db/sql';
import { classifyOutcome } from '@aiopslab/shared/domain/outcome-class';
import { findRun } from '@aiopslab/shared/tables/runs';
import { ExportRow, readExportBatch } from '@aiopslab/shared/tables/tasks-listing';
import { redactSecrets } from '../runs/redact-secrets';
import type { ExportTasksQuery } from '../runs/run-schemas';

/** Rows per keyset batch: memory stays at about one batch of rows whatever the export's size. */
export const EXPORT_BATCH_SIZE = 200;

/** Task types: a run's own (frozen when it was created), else the catalog's. */
export async function taskTypeResolver(db: SqlClient) {
  const catalog = new Map((await listProblems(db)).problems.map((p) => [p.id, p.task_type]));
  const runs = new Map<string, Map<string, string>>();
  return async (row: ExportRow): Promise<string | null> => {
    if (row.run_id) {
      let types = runs.get(row.run_id);
      if (!types) {
        types = new Map((await findRun(db, row.run_id)).problems.map((p) => [p.problem_id, p.task_type]));
        runs.set(row.run_id, types);
      }
      if (types.has(row.problem_id)) return types.get(row.problem_id)!;
    }
    return catalog.get(row.problem_id) ?? null;
  };
}

/** The line PostgreSQL built, with task_type, the outcome class and the agent config without secrets. */
export function lineOf(row: ExportRow, taskType: string | null): string {
  const error = row.error && typeof row.error === 'object' ? (row.error as Record<string, unknown>) : null;
  const outcome = classifyOutcome({ status: row.status, taskType, results: row.outcome_facts.results, error, setupReached: row.outcome_facts.setup_reached });
  const tail = { task_type: taskType, solved: outcome.solved, outcome_class: outcome.outcome_class, outcome_origin: outcome.outcome_origin, agent_config: redactSecrets(row.agent_config) };
  return `${row.line.slice(0, -1)},${JSON.stringify(tail).slice(1)}\n`;
}

/**
 * One NDJSON line per matching task, oldest first, read in keyset batches of (created_at, id)
 * through node-postgres: no connection is held between batches and memory holds one batch.
 * Without a status filter only finished tasks match. Agent configs lose secret-looking keys.
 */
export async function* exportTaskLines(db: SqlClient, filter: ExportTasksQuery, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<string> {
  const taskType = await taskTypeResolver(db);
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const rows = await readExportBatch(db, filter, after, batchSize);
    let chunk = '';
    for (const row of rows) chunk += lineOf(row, await taskType(row));
    if (chunk) yield chunk;
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1];
    after = { createdAt: last.created_at, id: last.id };
  }
}

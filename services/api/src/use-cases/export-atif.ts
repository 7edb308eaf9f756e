import type { SqlClient } from '@aiopslab/shared/db/sql';
import { readExportBatch } from '@aiopslab/shared/tables/tasks-listing';
import { findTaskSession } from '@aiopslab/shared/tables/task-sessions';
import { AtifExportLine, AtifSession, toAtifTrajectory } from '../runs/atif-trajectory';
import type { ExportTasksQuery } from '../runs/run-schemas';
import { EXPORT_BATCH_SIZE, lineOf, taskTypeResolver } from './export-tasks';

/** The kept session of exactly this attempt, parsed; null when that attempt kept none in the database. */
async function sessionOf(db: SqlClient, taskId: string, attempt: number): Promise<AtifSession | null> {
  const row = await findTaskSession(db, taskId, attempt);
  if (!row || row.sessionJson === null || row.attempt !== attempt) return null;
  const session = JSON.parse(row.sessionJson) as unknown;
  if (!session || typeof session !== 'object' || Array.isArray(session)) return null;
  return { source: row.source, truncated_in_result: row.truncatedInResult, session: session as AtifSession['session'] };
}

/**
 * `?format=atif`: one ATIF trajectory per line (JSON Lines), one per matching finished task, in the
 * export's order and keyset batches. Each task's session is read and mapped on its own, so memory
 * holds one batch of rows and one session at a time.
 */
export async function* exportAtifLines(db: SqlClient, filter: ExportTasksQuery, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<string> {
  const taskType = await taskTypeResolver(db);
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const rows = await readExportBatch(db, filter, after, batchSize);
    for (const row of rows) {
      const line = JSON.parse(lineOf(row, await taskType(row))) as AtifExportLine;
      yield `${JSON.stringify(toAtifTrajectory(line, await sessionOf(db, row.id, line.attempt)))}\n`;
    }
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1];
    after = { createdAt: last.created_at, id: last.id };
  }
}

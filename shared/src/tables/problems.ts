import type { SqlClient, SqlDb } from '../db/sql';

export interface ProblemRow {
  id: string;
  task_type: string;
  source: string;
  /** Null for a problem this service runs. */
  unsupported_reason: string | null;
}

/** Every stored problem, by id (empty until a runner refreshed the catalog). */
export function readProblemRows(db: SqlClient): Promise<ProblemRow[]> {
  return db.$queryRaw<ProblemRow[]>`SELECT id, task_type, source, unsupported_reason FROM problems ORDER BY id`;
}

/** Replaces every row in one transaction. */
export async function replaceProblemRows(db: SqlDb, rows: { id: string; task_type: string; reason: string | null }[], source: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`DELETE FROM problems`;
    await tx.$executeRaw`
      INSERT INTO problems (id, task_type, source, unsupported_reason, updated_at)
      SELECT id, task_type, ${source}, reason, now()
      FROM unnest(${rows.map((p) => p.id)}::text[], ${rows.map((p) => p.task_type)}::text[], ${rows.map((p) => p.reason)}::text[]) AS p(id, task_type, reason)`;
  });
}

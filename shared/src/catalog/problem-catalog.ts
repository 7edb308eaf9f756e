import defaultCatalog from './default-problems.json';
import type { SqlDb } from '../db/sql';

export interface ProblemEntry {
  id: string;
  task_type: string;
}

export const DEFAULT_PROBLEMS: readonly ProblemEntry[] = defaultCatalog.problems;

/** The known problems: the refreshed table, or the checked-in default while it is empty. */
export async function listProblems(db: SqlDb): Promise<{ problems: ProblemEntry[]; source: string }> {
  const rows = await db.$queryRaw<{ id: string; task_type: string; source: string }[]>`SELECT id, task_type, source FROM problems ORDER BY id`;
  if (rows.length === 0) return { problems: [...DEFAULT_PROBLEMS].sort((a, b) => a.id.localeCompare(b.id)), source: 'default' };
  return { problems: rows.map((row) => ({ id: row.id, task_type: row.task_type })), source: rows[0].source };
}

export async function findUnknownProblems(db: SqlDb, ids: string[]): Promise<string[]> {
  const { problems } = await listProblems(db);
  const known = new Set(problems.map((p) => p.id));
  return [...new Set(ids)].filter((id) => !known.has(id));
}

/** Replaces the catalog with what a runner reported (`--list-problems`). */
export async function replaceProblems(db: SqlDb, problems: ProblemEntry[], source: string): Promise<void> {
  if (problems.length === 0) throw new Error('refusing to replace the problem catalog with an empty list');
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`DELETE FROM problems`;
    await tx.$executeRaw`
      INSERT INTO problems (id, task_type, source, updated_at)
      SELECT id, task_type, ${source}, now() FROM unnest(${problems.map((p) => p.id)}::text[], ${problems.map((p) => p.task_type)}::text[]) AS p(id, task_type)`;
  });
}

/**
 * The set of known ids, re-read at most every `ttlMs`: every submission checks it, and the
 * catalog changes only when a runner refreshes it.
 */
export class CachedProblemCatalog {
  private known: Set<string> | null = null;
  private loadedAt = 0;

  constructor(
    private readonly db: SqlDb,
    private readonly ttlMs = 10_000,
  ) {}

  async findUnknown(ids: string[]): Promise<string[]> {
    if (!this.known || Date.now() - this.loadedAt > this.ttlMs) {
      const { problems } = await listProblems(this.db);
      this.known = new Set(problems.map((p) => p.id));
      this.loadedAt = Date.now();
    }
    const known = this.known;
    return [...new Set(ids)].filter((id) => !known.has(id));
  }
}

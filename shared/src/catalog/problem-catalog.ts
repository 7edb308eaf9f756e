import defaultCatalog from './default-problems.json';
import type { Db } from '../db/prisma-client';

export interface ProblemEntry {
  id: string;
  task_type: string;
}

export const DEFAULT_PROBLEMS: readonly ProblemEntry[] = defaultCatalog.problems;

/** The known problems: the refreshed table, or the checked-in default while it is empty. */
export async function listProblems(db: Db): Promise<{ problems: ProblemEntry[]; source: string }> {
  const rows = await db.problem.findMany({ orderBy: { id: 'asc' } });
  if (rows.length === 0) return { problems: [...DEFAULT_PROBLEMS].sort((a, b) => a.id.localeCompare(b.id)), source: 'default' };
  return { problems: rows.map((row) => ({ id: row.id, task_type: row.taskType })), source: rows[0].source };
}

export async function findUnknownProblems(db: Db, ids: string[]): Promise<string[]> {
  const { problems } = await listProblems(db);
  const known = new Set(problems.map((p) => p.id));
  return [...new Set(ids)].filter((id) => !known.has(id));
}

/** Replaces the catalog with what a runner reported (`--list-problems`). */
export async function replaceProblems(db: Db, problems: ProblemEntry[], source: string): Promise<void> {
  if (problems.length === 0) throw new Error('refusing to replace the problem catalog with an empty list');
  await db.$transaction(async (tx) => {
    await tx.problem.deleteMany({});
    await tx.problem.createMany({ data: problems.map((p) => ({ id: p.id, taskType: p.task_type, source })) });
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
    private readonly db: Db,
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

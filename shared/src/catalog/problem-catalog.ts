import defaultCatalog from './default-problems.json';
import type { SqlClient, SqlDb } from '../db/sql';
import { readProblemRows, replaceProblemRows } from '../tables/problems';

export interface ProblemEntry {
  id: string;
  task_type: string;
}

/** A registry problem this service does not run, and why (e.g. it needs Docker on the host). */
export interface UnsupportedProblem extends ProblemEntry {
  reason: string;
}

export interface ProblemCatalog {
  problems: ProblemEntry[];
  unsupported: UnsupportedProblem[];
  source: string;
}

export const DEFAULT_PROBLEMS: readonly ProblemEntry[] = defaultCatalog.problems;
export const DEFAULT_UNSUPPORTED: readonly UnsupportedProblem[] = defaultCatalog.unsupported;

/** The known problems: the refreshed table, or the checked-in default while it is empty. */
export async function listProblems(db: SqlClient): Promise<ProblemCatalog> {
  const rows = await readProblemRows(db);
  if (rows.length === 0) {
    const byId = (a: ProblemEntry, b: ProblemEntry) => a.id.localeCompare(b.id);
    return { problems: [...DEFAULT_PROBLEMS].sort(byId), unsupported: [...DEFAULT_UNSUPPORTED].sort(byId), source: 'default' };
  }
  return {
    problems: rows.filter((row) => row.unsupported_reason === null).map((row) => ({ id: row.id, task_type: row.task_type })),
    unsupported: rows.filter((row) => row.unsupported_reason !== null).map((row) => ({ id: row.id, task_type: row.task_type, reason: row.unsupported_reason! })),
    source: rows[0].source,
  };
}

/** Ids a task may not name: unknown to the registry, or known but not run by this service. */
export async function findUnknownProblems(db: SqlClient, ids: string[]): Promise<string[]> {
  const known = new Set((await listProblems(db)).problems.map((p) => p.id));
  return [...new Set(ids)].filter((id) => !known.has(id));
}

/** Replaces the catalog with what a runner reported (`--list-problems`). */
export async function replaceProblems(db: SqlDb, problems: ProblemEntry[], source: string, unsupported: UnsupportedProblem[] = []): Promise<void> {
  if (problems.length === 0) throw new Error('refusing to replace the problem catalog with an empty list');
  const all = [...problems.map((p) => ({ ...p, reason: null as string | null })), ...unsupported];
  await replaceProblemRows(db, all, source);
}

/** Why a submission may not name `id`, for the 400's message. */
export function unknownProblemMessage(id: string, unsupported: ReadonlyMap<string, string>): string {
  const reason = unsupported.get(id);
  return reason ? `problem "${id}" is not run by this service: ${reason}` : `unknown problem "${id}"; GET /problems lists the known ids`;
}

/**
 * The catalog, re-read at most every `ttlMs`: every submission checks it, and it changes only
 * when a runner refreshes it.
 */
export class CachedProblemCatalog {
  private known: Set<string> | null = null;
  private unsupported: Map<string, string> = new Map();
  private loadedAt = 0;

  constructor(
    private readonly db: SqlClient,
    private readonly ttlMs = 10_000,
  ) {}

  async findUnknown(ids: string[]): Promise<string[]> {
    if (!this.known || Date.now() - this.loadedAt > this.ttlMs) {
      const catalog = await listProblems(this.db);
      this.known = new Set(catalog.problems.map((p) => p.id));
      this.unsupported = new Map(catalog.unsupported.map((p) => [p.id, p.reason]));
      this.loadedAt = Date.now();
    }
    const known = this.known;
    return [...new Set(ids)].filter((id) => !known.has(id));
  }

  /** The 400 message for an id `findUnknown` returned. */
  describeUnknown(id: string): string {
    return unknownProblemMessage(id, this.unsupported);
  }
}

import type { RunAggregates } from '@aiopslab/shared/tables/runs-results';

/**
 * The last computed aggregates of recently read runs, each under the fingerprint of its tasks'
 * states (per-status counts and the last completed_at). Those change whenever anything the
 * table reads changes (a task moves, ends, or a retry adds one; finished tasks never change), so
 * a hit is exact: a dashboard polling a finished or idle run costs one index-only count query.
 * T is what is kept: the aggregates by default, or whatever a view derives from them alone (the
 * results rows with their bootstrap intervals, the per-problem cells), so a hit also skips the
 * bootstrap.
 */
export class ResultsCache<T = RunAggregates> {
  private readonly entries = new Map<string, { fingerprint: string; aggregates: T }>();

  constructor(private readonly maxRuns = 100) {}

  get(runId: string, fingerprint: string): T | undefined {
    const entry = this.entries.get(runId);
    if (!entry || entry.fingerprint !== fingerprint) return undefined;
    this.entries.delete(runId); // most recently used last
    this.entries.set(runId, entry);
    return entry.aggregates;
  }

  set(runId: string, fingerprint: string, aggregates: T): void {
    this.entries.delete(runId);
    this.entries.set(runId, { fingerprint, aggregates });
    while (this.entries.size > this.maxRuns) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** The state of a run's tasks as countRunTasks reads it, as one comparable string. */
export function countsFingerprint(counts: { status: string; n: number; last_completed_at: Date | null }[]): string {
  return counts
    .map((c) => `${c.status}:${c.n}:${c.last_completed_at?.getTime() ?? ''}`)
    .sort()
    .join('|');
}

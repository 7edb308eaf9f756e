import type { SqlClient } from '@aiopslab/shared/db/sql';
import { agentStatusGroups, countRunTasks, findRun, listRunRows } from '@aiopslab/shared/tables/runs';
import { runPendingWork } from '@aiopslab/shared/tables/runs-reconcile';
import type { PriceTable } from '../runs/price-table';
import { presentRun, presentRunSummary } from '../runs/run-presenter';
import { decodeCursor, encodeCursor } from './list-tasks';

export async function getRun(db: SqlClient, runId: string, prices: PriceTable) {
  const run = await findRun(db, runId);
  const [work] = await runPendingWork(db, [runId]);
  return presentRun(run, await agentStatusGroups(db, runId), prices, work);
}

/** Newest first, keyset-paginated on (created_at, id), each run with its counts and status. */
export async function listRuns(db: SqlClient, query: { limit: number; cursor?: string }) {
  const rows = await listRunRows(db, query.limit + 1, query.cursor ? decodeCursor(query.cursor) : undefined);
  const page = rows.slice(0, query.limit);
  const counts = await countRunTasks(
    db,
    page.map((r) => r.id),
  );
  const work = await runPendingWork(
    db,
    page.map((r) => r.id),
  );
  const last = page[page.length - 1];
  return {
    runs: page.map((run) => presentRunSummary(
        run,
        counts.filter((c) => c.run_id === run.id),
        work.find((w) => w.run_id === run.id),
      ),
    ),
    next_cursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

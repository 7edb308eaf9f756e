import type { SqlDb } from '@aiopslab/shared/db/sql';
import { beginRepeatableRead, readTaskSnapshots } from '@aiopslab/shared/tables/tasks';
import { getStatusHistories, StatusHistoryEntry } from '@aiopslab/shared/tables/status-history';
import type { TaskSnapshot } from './history-verification';

export interface TaskFilter {
  taskIds?: readonly string[];
  /** Tasks created at or after this time. */
  since?: Date | null;
}

export interface HistoryPage {
  /** The database's clock when the page was read. */
  asOf: Date;
  tasks: TaskSnapshot[];
  histories: Map<string, StatusHistoryEntry[]>;
}

/**
 * Tasks and their histories, a page at a time in creation order (keyset pagination on the
 * tasks_created index), each page read from one REPEATABLE READ snapshot so a task and its
 * history agree with each other.
 */
export async function* loadTaskHistories(db: SqlDb, filter: TaskFilter, pageSize = 500): AsyncGenerator<HistoryPage> {
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const page = await db.$transaction(async (tx) => {
      const asOf = await beginRepeatableRead(tx);
      const tasks = await readTaskSnapshots(tx, filter, after, pageSize);
      const histories = await getStatusHistories(tx, tasks.map((task) => task.id));
      return { asOf, tasks, histories };
    });
    if (page.tasks.length === 0) return;
    yield page;
    if (page.tasks.length < pageSize) return;
    const last = page.tasks[page.tasks.length - 1];
    after = { createdAt: last.createdAt, id: last.id };
  }
}

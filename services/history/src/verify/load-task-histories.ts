import type { Db, Prisma } from '@aiopslab/shared/db/prisma-client';
import { getStatusHistories, StatusHistoryEntry } from '@aiopslab/shared/db/status-history-queries';
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
export async function* loadTaskHistories(db: Db, filter: TaskFilter, pageSize = 500): AsyncGenerator<HistoryPage> {
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const where: Prisma.TaskWhereInput[] = [];
    if (filter.taskIds) where.push({ id: { in: [...filter.taskIds] } });
    if (filter.since) where.push({ createdAt: { gte: filter.since } });
    if (after) where.push({ OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] });
    const page = await db.$transaction(
      async (tx) => {
        const [{ now }] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
        const tasks = await tx.task.findMany({
          where: { AND: where },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          take: pageSize,
          select: { id: true, status: true, attempt: true, updatedAt: true, createdAt: true },
        });
        const histories = await getStatusHistories(tx, tasks.map((task) => task.id));
        return { asOf: now, tasks, histories };
      },
      { isolationLevel: 'RepeatableRead', timeout: 60_000 },
    );
    if (page.tasks.length === 0) return;
    yield page;
    if (page.tasks.length < pageSize) return;
    const last = page.tasks[page.tasks.length - 1];
    after = { createdAt: last.createdAt, id: last.id };
  }
}

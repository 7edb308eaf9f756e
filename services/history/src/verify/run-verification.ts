import type { SqlDb } from '@aiopslab/shared/db/sql';
import { verifyTaskHistory } from './history-verification';
import { loadTaskHistories, TaskFilter } from './load-task-histories';
import { VerificationReport, VerificationTally } from './verification-report';

/** Loads every matching task page by page and checks each history; memory holds one page. */
export async function runVerification(db: SqlDb, filter: TaskFilter, settleMs: number): Promise<VerificationReport> {
  const tally = new VerificationTally(settleMs);
  for await (const page of loadTaskHistories(db, filter)) {
    for (const task of page.tasks) {
      tally.add(verifyTaskHistory(task, page.histories.get(task.id) ?? [], { asOf: page.asOf, settleMs }), page.asOf);
    }
  }
  return tally.report();
}

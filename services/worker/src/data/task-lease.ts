import type { Db, Tx } from '@aiopslab/shared/db/prisma-client';
import type { TaskOwner } from './task-logs';

export type LeaseRenewal = { held: true; cancelRequested: boolean } | { held: false };

/**
 * Extends the lease of the attempt that holds the task, on the database clock (the reaper
 * compares with the same clock). Also reports a cancel request, in case the control message
 * was lost.
 */
export async function renewLease(db: Db, owner: TaskOwner, leaseMs: number): Promise<LeaseRenewal> {
  const rows = await db.$queryRaw<{ cancel_requested_at: Date | null }[]>`
    UPDATE tasks SET lease_expires_at = now() + ${leaseMs}::int * interval '1 millisecond'
    WHERE id = ${owner.taskId}::uuid AND attempt = ${owner.attempt}::int AND worker_id = ${owner.workerId} AND status = 'processing'
    RETURNING cancel_requested_at`;
  if (rows.length === 0) return { held: false };
  return { held: true, cancelRequested: rows[0].cancel_requested_at !== null };
}

/** The database's clock plus `ms`: lease expiry times are always on that clock. */
export async function databaseTimePlus(tx: Tx | Db, ms: number): Promise<Date> {
  const rows = await tx.$queryRaw<{ at: Date }[]>`SELECT now() + ${ms}::int * interval '1 millisecond' AS at`;
  return rows[0].at;
}

/** Locks the task row for the rest of the transaction, so reads and the guarded update agree. */
export async function lockTask(tx: Tx, taskId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM tasks WHERE id = ${taskId}::uuid FOR UPDATE`;
}

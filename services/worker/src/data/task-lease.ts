import type { SqlClient } from '@aiopslab/shared/db/sql';
import type { TaskOwner } from './task-logs';

export type LeaseRenewal = { held: true; cancelRequested: boolean } | { held: false };

/**
 * Extends the lease of the attempt that holds the task, on the database clock (the reaper
 * compares with the same clock). Also reports a cancel request, in case the control message
 * was lost.
 */
export async function renewLease(db: SqlClient, owner: TaskOwner, leaseMs: number): Promise<LeaseRenewal> {
  const rows = await db.$queryRaw<{ cancel_requested_at: Date | null }[]>`
    UPDATE tasks SET lease_expires_at = now() + ${leaseMs}::int * interval '1 millisecond'
    WHERE id = ${owner.taskId}::uuid AND attempt = ${owner.attempt}::int AND worker_id = ${owner.workerId} AND status = 'processing'
    RETURNING cancel_requested_at`;
  if (rows.length === 0) return { held: false };
  return { held: true, cancelRequested: rows[0].cancel_requested_at !== null };
}

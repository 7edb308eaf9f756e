import type { SqlClient } from '../db/sql';
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

/** Processing tasks whose lease ran out, the longest expired first. */
export async function findExpiredLeases(db: SqlClient, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM tasks WHERE status = 'processing' AND lease_expires_at < now() ORDER BY lease_expires_at LIMIT ${limit}::int`;
  return rows.map((row) => row.id);
}

export interface ExpiredLease {
  id: string;
  attempt: number;
  worker_id: string | null;
  max_retries: number;
  priority: number;
  cancel_requested_at: Date | null;
  lease_expires_at: Date | null;
}

/** The task, locked, if its lease is still expired (a worker that renewed at the last moment keeps it). */
export async function lockExpiredLease(tx: SqlClient, taskId: string): Promise<ExpiredLease | null> {
  const rows = await tx.$queryRaw<ExpiredLease[]>`
    SELECT id::text, attempt, worker_id, max_retries, priority, cancel_requested_at, lease_expires_at FROM tasks
    WHERE id = ${taskId}::uuid AND status = 'processing' AND lease_expires_at < now() FOR UPDATE`;
  return rows[0] ?? null;
}

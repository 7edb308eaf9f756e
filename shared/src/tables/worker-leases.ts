import type { SqlClient } from '../db/sql';
import type { WorkerHeartbeat, WorkerRegistration } from './workers';

/**
 * The WORKER_ID lease: `workers.holder` names the process that holds the id, and every heartbeat
 * (guarded by it) renews the lease by moving `last_heartbeat_at`. No session is held in between,
 * so a worker costs the database nothing while it waits for its next beat, and all of it works
 * through PgBouncer in transaction mode. docs/design-decisions.md, "Leases, not sessions".
 */

/** Who holds a WORKER_ID, as the refusal names it. */
export interface WorkerIdHolder {
  holder: string | null;
  hostname: string;
  status: string;
  lastHeartbeatAt: Date;
  /** Milliseconds since its last heartbeat, on the database clock. */
  silentMs: number;
}

export interface WorkerIdClaim {
  registration: WorkerRegistration;
  holder: string;
  /** A holder silent this long (or offline) has lost the id. */
  staleMs: number;
  /** A holder known to be dead (same host, its process gone): taken at once, compare-and-set on it. */
  deadHolder?: string | null;
}

/**
 * Registers the worker as the holder of its id, in one statement: a new row, or the row of a holder
 * that is offline, silent for `staleMs`, or the known-dead `deadHolder`. Returns false when a live
 * holder keeps it (the row is locked by the upsert, so two claimers cannot both win).
 */
export async function claimWorkerId(db: SqlClient, claim: WorkerIdClaim): Promise<boolean> {
  const { registration: r } = claim;
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO workers (id, hostname, cluster_name, backend, version, status, current_task_id, registered_at, last_heartbeat_at, holder)
     VALUES ($1, $2, $3, $4, $5, 'idle', NULL, now(), now(), $6)
     ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, cluster_name = EXCLUDED.cluster_name, backend = EXCLUDED.backend,
       version = EXCLUDED.version, status = 'idle', current_task_id = NULL, health_reason = NULL, registered_at = now(),
       last_heartbeat_at = now(), holder = EXCLUDED.holder
     WHERE workers.holder = EXCLUDED.holder OR workers.status = 'offline' OR workers.holder = $8::text
       OR workers.last_heartbeat_at < now() - $7::float8 * interval '1 millisecond'
     RETURNING id`,
    r.id,
    r.hostname,
    r.clusterName ?? null,
    r.backend,
    r.version,
    claim.holder,
    claim.staleMs,
    claim.deadHolder ?? null,
  );
  return rows.length === 1;
}

export async function findWorkerIdHolder(db: SqlClient, id: string): Promise<WorkerIdHolder | null> {
  const rows = await db.$queryRawUnsafe<WorkerIdHolder[]>(
    `SELECT holder, hostname, status, last_heartbeat_at AS "lastHeartbeatAt",
       (extract(epoch FROM now() - last_heartbeat_at) * 1000)::float8 AS "silentMs"
     FROM workers WHERE id = $1`,
    id,
  );
  return rows[0] ?? null;
}

/** What a heartbeat learns: the reaper lease's remaining life (null: no lease yet), so non-leaders need no statement of their own. */
export interface HeartbeatAnswer {
  leaderLeaseMs: number | null;
}

/**
 * The heartbeat: status, current task and lease renewal, only while `holder` still holds the id.
 * Null when it does not (taken over, or the row was deleted): the caller asks why.
 */
export async function beatAsHolder(db: SqlClient, heartbeat: WorkerHeartbeat, holder: string, leaderLease: string): Promise<HeartbeatAnswer | null> {
  const rows = await db.$queryRawUnsafe<HeartbeatAnswer[]>(
    `UPDATE workers SET status = $2, current_task_id = $3::uuid, last_heartbeat_at = now(),
       cluster_name = CASE WHEN $4::boolean THEN $5 ELSE cluster_name END,
       health_reason = CASE WHEN $2 = 'unhealthy' THEN $6 ELSE NULL END
     WHERE id = $1 AND holder = $7
     RETURNING (SELECT (extract(epoch FROM expires_at - now()) * 1000)::float8 FROM leader_leases WHERE name = $8) AS "leaderLeaseMs"`,
    heartbeat.id,
    heartbeat.status,
    heartbeat.currentTaskId ?? null,
    heartbeat.clusterName !== undefined,
    heartbeat.clusterName ?? null,
    heartbeat.healthReason ?? null,
    holder,
    leaderLease,
  );
  return rows[0] ?? null;
}

/** A clean shutdown: offline, and the id free at once, unless another process holds it by now. */
export async function releaseWorkerId(db: SqlClient, id: string, holder: string): Promise<void> {
  await db.$executeRaw`UPDATE workers SET status = 'offline', current_task_id = NULL, health_reason = NULL, holder = NULL WHERE id = ${id} AND holder = ${holder}`;
}

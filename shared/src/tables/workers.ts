import type { SqlClient } from '../db/sql';
import type { Worker } from '../db/generated/client';

export type { Worker } from '../db/generated/client';

const WORKER_COLUMNS = `id, hostname, cluster_name AS "clusterName", backend, status, current_task_id::text AS "currentTaskId", version,
  registered_at AS "registeredAt", last_heartbeat_at AS "lastHeartbeatAt", health_reason AS "healthReason"`;

/** `unhealthy`: the worker's environment is broken (health_reason says why); `preparing`: it is getting its cluster ready between tasks. Neither consumes. */
export const WORKER_STATUSES = ['idle', 'busy', 'preparing', 'draining', 'unhealthy', 'offline'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export interface WorkerRegistration {
  id: string;
  hostname: string;
  clusterName?: string | null;
  backend: string;
  version: string;
}

export interface WorkerHeartbeat {
  id: string;
  status: Exclude<WorkerStatus, 'offline'>;
  currentTaskId?: string | null;
  clusterName?: string | null;
  /** Why the worker is unhealthy; stored only with status `unhealthy` (cleared otherwise). */
  healthReason?: string | null;
}

/** Registers (or re-registers after a restart) a worker as idle. */
export async function registerWorker(db: SqlClient, registration: WorkerRegistration): Promise<Worker> {
  const rows = await db.$queryRawUnsafe<Worker[]>(
    `INSERT INTO workers (id, hostname, cluster_name, backend, version, status, current_task_id, registered_at, last_heartbeat_at)
     VALUES ($1, $2, $3, $4, $5, 'idle', NULL, now(), now())
     ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, cluster_name = EXCLUDED.cluster_name, backend = EXCLUDED.backend,
       version = EXCLUDED.version, status = 'idle', current_task_id = NULL, health_reason = NULL, registered_at = now(), last_heartbeat_at = now()
     RETURNING ${WORKER_COLUMNS}`,
    registration.id,
    registration.hostname,
    registration.clusterName ?? null,
    registration.backend,
    registration.version,
  );
  return rows[0];
}

/** Records a heartbeat; returns null when the worker never registered. */
export async function recordHeartbeat(db: SqlClient, heartbeat: WorkerHeartbeat): Promise<Worker | null> {
  const rows = await db.$queryRawUnsafe<Worker[]>(
    `UPDATE workers SET status = $2, current_task_id = $3::uuid, last_heartbeat_at = now(),
       cluster_name = CASE WHEN $4::boolean THEN $5 ELSE cluster_name END,
       health_reason = CASE WHEN $2 = 'unhealthy' THEN $6 ELSE NULL END
     WHERE id = $1 RETURNING ${WORKER_COLUMNS}`,
    heartbeat.id,
    heartbeat.status,
    heartbeat.currentTaskId ?? null,
    heartbeat.clusterName !== undefined,
    heartbeat.clusterName ?? null,
    heartbeat.healthReason ?? null,
  );
  return rows[0] ?? null;
}

export async function findWorker(db: SqlClient, id: string): Promise<Worker | null> {
  const rows = await db.$queryRawUnsafe<Worker[]>(`SELECT ${WORKER_COLUMNS} FROM workers WHERE id = $1`, id);
  return rows[0] ?? null;
}

export async function markWorkerOffline(db: SqlClient, id: string): Promise<void> {
  await db.$executeRaw`UPDATE workers SET status = 'offline', current_task_id = NULL, health_reason = NULL WHERE id = ${id}`;
}

/** Workers whose heartbeats stopped for longer than `staleAfterMs` become offline. */
export async function markStaleWorkersOffline(db: SqlClient, staleAfterMs: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE workers SET status = 'offline', current_task_id = NULL, health_reason = NULL
    WHERE status <> 'offline' AND last_heartbeat_at < now() - ${staleAfterMs}::float8 * interval '1 millisecond'
    RETURNING id`;
  return rows.map((row) => row.id);
}

/** Every worker (or those in one status), by id. */
export function listWorkerRows(db: SqlClient, status?: WorkerStatus): Promise<Worker[]> {
  return db.$queryRawUnsafe<Worker[]>(`SELECT ${WORKER_COLUMNS} FROM workers WHERE $1::text IS NULL OR status = $1 ORDER BY id`, status ?? null);
}

import type { Db } from './prisma-client';
import type { Worker } from './generated/client';

export type { Worker } from './generated/client';

export const WORKER_STATUSES = ['idle', 'busy', 'draining', 'offline'] as const;
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
}

/** Registers (or re-registers after a restart) a worker as idle. */
export async function registerWorker(db: Db, registration: WorkerRegistration): Promise<Worker> {
  const now = new Date();
  const fields = {
    hostname: registration.hostname,
    clusterName: registration.clusterName ?? null,
    backend: registration.backend,
    version: registration.version,
    status: 'idle',
    currentTaskId: null,
    lastHeartbeatAt: now,
  };
  return db.worker.upsert({ where: { id: registration.id }, create: { id: registration.id, registeredAt: now, ...fields }, update: { registeredAt: now, ...fields } });
}

/** Records a heartbeat; returns null when the worker never registered. */
export async function recordHeartbeat(db: Db, heartbeat: WorkerHeartbeat): Promise<Worker | null> {
  const rows = await db.worker.updateManyAndReturn({
    where: { id: heartbeat.id },
    data: {
      status: heartbeat.status,
      currentTaskId: heartbeat.currentTaskId ?? null,
      lastHeartbeatAt: new Date(),
      ...(heartbeat.clusterName !== undefined ? { clusterName: heartbeat.clusterName } : {}),
    },
  });
  return rows[0] ?? null;
}

export async function markWorkerOffline(db: Db, id: string): Promise<void> {
  await db.worker.updateMany({ where: { id }, data: { status: 'offline', currentTaskId: null } });
}

/** Workers whose heartbeats stopped for longer than `staleAfterMs` become offline. */
export async function markStaleWorkersOffline(db: Db, staleAfterMs: number): Promise<string[]> {
  const cutoff = new Date(Date.now() - staleAfterMs);
  const rows = await db.worker.updateManyAndReturn({
    where: { status: { not: 'offline' }, lastHeartbeatAt: { lt: cutoff } },
    data: { status: 'offline', currentTaskId: null },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

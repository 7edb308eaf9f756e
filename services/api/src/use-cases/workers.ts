import type { Db } from '@aiopslab/shared/db/prisma-client';
import { recordHeartbeat, registerWorker, Worker, WorkerHeartbeat, WorkerRegistration, WorkerStatus } from '@aiopslab/shared/db/worker-registry';
import { AppError, NotFoundError } from '@aiopslab/shared/errors/app-error';

export function presentWorker(worker: Worker) {
  return {
    worker_id: worker.id,
    hostname: worker.hostname,
    cluster_name: worker.clusterName,
    backend: worker.backend,
    status: worker.status,
    /** Why the worker is unhealthy (its environment is broken and it takes no tasks); null otherwise. */
    health_reason: worker.healthReason,
    current_task_id: worker.currentTaskId,
    version: worker.version,
    registered_at: worker.registeredAt.toISOString(),
    last_heartbeat_at: worker.lastHeartbeatAt.toISOString(),
  };
}

export async function register(db: Db, registration: WorkerRegistration) {
  return presentWorker(await registerWorker(db, registration));
}

export async function heartbeat(db: Db, beat: WorkerHeartbeat) {
  const worker = await recordHeartbeat(db, beat);
  if (!worker) throw new AppError('worker_not_registered', 404, `worker ${beat.id} is not registered; POST /workers/register first`);
  return presentWorker(worker);
}

export async function listWorkers(db: Db, status?: WorkerStatus) {
  const workers = await db.worker.findMany({ where: status ? { status } : {}, orderBy: { id: 'asc' } });
  return { workers: workers.map(presentWorker) };
}

/** A worker with its most recent tasks. */
export async function getWorker(db: Db, id: string, recentLimit = 20) {
  const worker = await db.worker.findUnique({ where: { id } });
  if (!worker) throw new NotFoundError('worker', id);
  const tasks = await db.task.findMany({
    where: { workerId: id },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: recentLimit,
    select: { id: true, problemId: true, status: true, attempt: true, startedAt: true, completedAt: true, runId: true, agentLabel: true },
  });
  return {
    ...presentWorker(worker),
    recent_tasks: tasks.map((t) => ({
      task_id: t.id,
      problem_id: t.problemId,
      status: t.status,
      attempt: t.attempt,
      run_id: t.runId,
      agent_label: t.agentLabel,
      started_at: t.startedAt?.toISOString() ?? null,
      completed_at: t.completedAt?.toISOString() ?? null,
    })),
  };
}

import type { SqlClient } from '@aiopslab/shared/db/sql';
import { recentTasksOfWorker } from '@aiopslab/shared/tables/tasks';
import { findWorker, listWorkerRows, recordHeartbeat, registerWorker, Worker, WorkerHeartbeat, WorkerRegistration, WorkerStatus } from '@aiopslab/shared/tables/workers';
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

export async function register(db: SqlClient, registration: WorkerRegistration) {
  return presentWorker(await registerWorker(db, registration));
}

export async function heartbeat(db: SqlClient, beat: WorkerHeartbeat) {
  const worker = await recordHeartbeat(db, beat);
  if (!worker) throw new AppError('worker_not_registered', 404, `worker ${beat.id} is not registered; POST /workers/register first`);
  return presentWorker(worker);
}

export async function listWorkers(db: SqlClient, status?: WorkerStatus) {
  const workers = await listWorkerRows(db, status);
  return { workers: workers.map(presentWorker) };
}

/** A worker with its most recent tasks. */
export async function getWorker(db: SqlClient, id: string, recentLimit = 20) {
  const worker = await findWorker(db, id);
  if (!worker) throw new NotFoundError('worker', id);
  const tasks = await recentTasksOfWorker(db, id, recentLimit);
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

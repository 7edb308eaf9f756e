import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { SqlClient, SqlDb } from '@aiopslab/shared/db/sql';
import { transitionLockedTasks } from '@aiopslab/shared/transitions/transition-locked-tasks';
import { ConflictError } from '@aiopslab/shared/errors/app-error';
import { enqueueOutbox } from '@aiopslab/shared/tables/outbox';
import { CancelMessage, MESSAGE_TYPES } from '@aiopslab/shared/schemas/messages';
import { findRun, markRunCancelled } from '@aiopslab/shared/tables/runs';
import { lockUnfinishedRunTasks, requestTaskCancellation } from '@aiopslab/shared/tables/tasks';

export interface CancelRunDeps {
  db: SqlDb;
  topology: Topology;
  onCommitted: () => void;
}

export interface CancelRunOutcome {
  run_id: string;
  /** Waiting tasks (pending, retrying) cancelled at once. */
  cancelled: number;
  /** Running tasks whose workers were asked to stop; they record `cancelled` when they do. */
  cancel_requested: number;
}

/**
 * Cancels every unfinished task of the run in one transaction, as DELETE /tasks/{id} does for
 * one: waiting tasks become `cancelled` at once; running ones get cancel_requested_at and a
 * control message to their worker. The run row is locked first, so a concurrent retry of the
 * run waits and sees the cancel.
 */
export async function cancelRun(deps: CancelRunDeps, runId: string, correlationId?: string): Promise<CancelRunOutcome> {
  const outcome = await deps.db.$transaction((tx) => cancelOnce(tx, deps.topology, runId, correlationId));
  deps.onCommitted();
  return outcome;
}

async function cancelOnce(tx: SqlClient, topology: Topology, runId: string, correlationId?: string): Promise<CancelRunOutcome> {
  const run = await findRun(tx, runId, { lock: true });
  const unfinished = await lockUnfinishedRunTasks(tx, runId);
  if (unfinished.length === 0 && !run.cancelled_at) {
    throw new ConflictError('run_finished', `run ${runId} has no unfinished task; a finished run cannot be cancelled (POST /runs/${runId}/retry re-runs its failed tasks)`, { run_id: runId });
  }
  await markRunCancelled(tx, runId);
  const waiting = unfinished.filter((t) => t.status !== 'processing');
  await transitionLockedTasks(tx, topology, waiting, 'cancelled', 'cancelled with its run', correlationId);
  const running = unfinished.filter((t) => t.status === 'processing' && !t.cancel_requested_at);
  if (running.length > 0) {
    const requestedAt = new Date();
    await requestTaskCancellation(tx, running.map((t) => t.id), requestedAt);
    await enqueueOutbox(
      tx,
      running
        .filter((t) => t.worker_id)
        .map((t) => {
          const message: CancelMessage = { task_id: t.id, attempt: t.attempt, requested_at: requestedAt.toISOString() };
          return { exchange: topology.exchanges.control, routingKey: t.worker_id!, type: MESSAGE_TYPES.cancel, payload: message, correlationId };
        }),
    );
  }
  return { run_id: runId, cancelled: waiting.length, cancel_requested: unfinished.length - waiting.length };
}

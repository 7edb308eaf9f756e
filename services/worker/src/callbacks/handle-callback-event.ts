import type { SqlDb } from '@aiopslab/shared/db/sql';
import { findTask } from '@aiopslab/shared/tables/tasks';
import { isTerminal } from '@aiopslab/shared/domain/task-status';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { runWithLogContext } from '@aiopslab/shared/logging/correlation';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';
import type { WorkerMetrics } from '../worker-metrics';
import { recordCallbackAttempt } from '@aiopslab/shared/tables/task-callbacks';
import { CallbackDeps, deliverCallback } from './deliver-callback';

export interface CallbackEventDeps extends CallbackDeps {
  db: SqlDb;
  logger: Logger;
  metrics: WorkerMetrics;
}

/**
 * A terminal event arrived: POST the task's final state to its callback_url, if it has one
 * (`mayHaveCallback` false: the event says it has none, and the task is not read).
 */
export async function handleCallbackEvent(deps: CallbackEventDeps, event: TaskEvent, signal: AbortSignal, mayHaveCallback = true): Promise<'done' | 'aborted'> {
  if (!isTerminal(event.to_status) || !mayHaveCallback) return 'done';
  const task = await findTask(deps.db, event.task_id);
  if (!task?.callbackUrl) return 'done';
  return runWithLogContext({ task_id: task.id, event_id: event.event_id }, async () => {
    const recordAttempt = (status: 'delivered' | 'retrying' | 'failed', error: string | null) =>
      recordCallbackAttempt(deps.db, { taskId: task.id, status, error }).catch((failure: Error) => {
        deps.logger.warn('callback attempt not recorded', { error: failure.message });
      });
    const outcome = await deliverCallback({ ...deps, recordAttempt }, task, event, signal);
    if (outcome.delivered) {
      deps.metrics.callbacks.inc({ result: 'delivered' });
      deps.logger.info('callback delivered', { attempts: outcome.attempts, status: task.status });
      return 'done';
    }
    if (outcome.aborted) return 'aborted';
    deps.metrics.callbacks.inc({ result: 'failed' });
    deps.logger.warn('callback not delivered; giving up', { attempts: outcome.attempts, reason: outcome.reason });
    return 'done';
  });
}

import type { MessageHandler } from '@aiopslab/shared/amqp/queue-consumer';
import { runWithLogContext } from '@aiopslab/shared/logging/correlation';
import type { DispatchMessage } from '@aiopslab/shared/schemas/messages';
import { processTask, ProcessTaskDeps } from './process-task';

/** Runs the task a `tasks.dispatch` message names; a message about no task goes to `tasks.dead`. */
export function createDispatchHandler(deps: ProcessTaskDeps): MessageHandler<DispatchMessage> {
  return async (message, delivery) => {
    const correlationId = delivery.correlationId ?? message.task_id;
    const context = { task_id: message.task_id, correlation_id: correlationId, worker_id: deps.settings.workerId };
    const result = await runWithLogContext(context, () => processTask(deps, delivery, message.task_id, correlationId, message.attempt));
    if (result === 'unknown_task') await delivery.deadLetter('unknown_task', `task ${message.task_id} does not exist`);
  };
}

import { runWithLogContext } from '@aiopslab/shared/logging/correlation';
import { createAjv, createValidator } from '@aiopslab/shared/schemas/validator';
import { DispatchMessage, dispatchMessageSchema } from '@aiopslab/shared/schemas/messages';
import { processTask, ProcessTaskDeps } from '../use-cases/process-task';
import type { DeadLetterPublisher } from './dead-letter-publisher';
import type { Delivery } from './delivery';

/** Parses a `tasks.dispatch` message and runs its task; poison goes to `tasks.dead`. */
export function createDispatchHandler(deps: ProcessTaskDeps, deadLetters: DeadLetterPublisher) {
  const validate = createValidator<DispatchMessage>(createAjv(), dispatchMessageSchema, 'dispatch message');
  return async (delivery: Delivery): Promise<void> => {
    let message: DispatchMessage;
    try {
      message = validate(JSON.parse(delivery.message.content.toString('utf8')));
    } catch (error) {
      return deadLetters.deadLetter(delivery, `invalid dispatch message: ${(error as Error).message}`);
    }
    const correlationId = delivery.correlationId ?? message.task_id;
    const context = { task_id: message.task_id, correlation_id: correlationId, worker_id: deps.settings.env.WORKER_ID };
    const result = await runWithLogContext(context, () => processTask(deps, delivery, message.task_id, correlationId, message.attempt));
    if (result === 'unknown_task') await deadLetters.deadLetter(delivery, `task ${message.task_id} does not exist`);
  };
}

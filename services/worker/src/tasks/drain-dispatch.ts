import type { QueueConsumer } from '@aiopslab/shared/amqp/queue-consumer';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { DispatchMessage } from '@aiopslab/shared/schemas/messages';
import type { WorkerActivity } from '../presence/worker-activity';
import type { WorkerPresence } from '../presence/worker-presence';
import type { ActiveRun } from './run/run-control';

export interface DrainDeps {
  dispatch: QueueConsumer<DispatchMessage>;
  activity: WorkerActivity;
  presence: WorkerPresence;
  active: ActiveRun;
  logger: Logger;
  deadlineMs: number;
}

/** Stop taking tasks; let the running one finish within the deadline, else hand it back. */
export async function drainDispatch({ dispatch, activity, presence, active, logger, deadlineMs }: DrainDeps): Promise<void> {
  activity.draining();
  await presence.beat();
  await dispatch.stopConsuming();
  if (dispatch.isBusy) {
    logger.warn('waiting for the running task to finish, then handing it back', {
      task_id: active.control?.taskId,
      deadline_seconds: deadlineMs / 1000,
      hint: 'a second SIGTERM / Ctrl-C hands it back now',
    });
    const finished = await Promise.race([dispatch.whenIdle().then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), deadlineMs))]);
    if (!finished) {
      logger.warn('shutdown deadline reached; handing the running task back', { task_id: active.control?.taskId });
      active.control?.stop('shutdown');
      await dispatch.whenIdle();
    }
  }
  await dispatch.close();
}

import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { MessageHandler, QueueConsumer } from '@aiopslab/shared/amqp/queue-consumer';
import { assertControlQueue, Topology } from '@aiopslab/shared/amqp/topology';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { createMessageDecoder } from '@aiopslab/shared/schemas/message-decoder';
import { CancelMessage, cancelMessageSchema, DispatchMessage, dispatchMessageSchema, TaskEvent, taskEventSchema } from '@aiopslab/shared/schemas/messages';

/** Callbacks are slow network calls to strangers: a few run side by side. */
const CONCURRENT_CALLBACKS = 4;
const CONCURRENT_CONTROL_MESSAGES = 10;

export interface WorkerConsumerDeps {
  connection: AmqpConnection;
  topology: Topology;
  workerId: string;
  logger: Logger;
  onDeadLettered(): void;
  dispatch: MessageHandler<DispatchMessage>;
  /** Asks the running task to stop; must not throw (the message is acked either way). */
  cancel(message: CancelMessage, correlationId: string | undefined): void;
  /** Delivers a terminal event's callback; 'aborted' (shutdown) puts the event back for another worker. */
  callback(event: TaskEvent, signal: AbortSignal, mayHaveCallback: boolean): Promise<'done' | 'aborted'>;
}

export interface WorkerConsumers {
  /** `tasks.dispatch`, prefetch=1: one task at a time; its message stays unacked while it runs. */
  dispatch: QueueConsumer<DispatchMessage>;
  /** This worker's `task.control.<worker id>`: cancel requests for the task it runs. */
  control: QueueConsumer<CancelMessage>;
  /** `task.callbacks`: the terminal events of every path that ends a task. */
  callbacks: QueueConsumer<TaskEvent>;
}

/** The worker's three consumers; dispatch starts held (until the preflight passes). */
export function createWorkerConsumers(deps: WorkerConsumerDeps): WorkerConsumers {
  const { connection, topology, workerId, logger } = deps;
  const deadLetters = { exchange: topology.exchanges.dead, by: workerId, onDeadLettered: deps.onDeadLettered };
  return {
    dispatch: new QueueConsumer<DispatchMessage>({
      name: 'dispatch',
      connection,
      queue: topology.queues.dispatch,
      prefetch: 1,
      decode: createMessageDecoder<DispatchMessage>(dispatchMessageSchema, 'dispatch message'),
      handle: deps.dispatch,
      deadLetters,
      logger,
      held: true,
    }),
    control: new QueueConsumer<CancelMessage>({
      name: 'control',
      connection,
      queue: (channel) => assertControlQueue(channel, topology, workerId),
      prefetch: CONCURRENT_CONTROL_MESSAGES,
      decode: createMessageDecoder<CancelMessage>(cancelMessageSchema, 'control message'),
      handle: (message, delivery) => {
        try {
          deps.cancel(message, delivery.correlationId);
        } finally {
          delivery.ack();
        }
      },
      deadLetters,
      logger,
    }),
    callbacks: new QueueConsumer<TaskEvent>({
      name: 'callbacks',
      connection,
      queue: topology.queues.callbacks,
      prefetch: CONCURRENT_CALLBACKS,
      decode: createMessageDecoder<TaskEvent>(taskEventSchema, 'task event'),
      handle: async (event, delivery, signal) => {
        if ((await deps.callback(event, signal, delivery.mayHaveCallback)) === 'aborted') delivery.nack(true);
        else delivery.ack();
      },
      deadLetters,
      logger,
    }),
  };
}

import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { OutboxMessageInput } from '@aiopslab/shared/tables/outbox';
import { DispatchMessage, MESSAGE_TYPES } from '@aiopslab/shared/schemas/messages';

/** A (possibly delayed) wake-up for workers, written to the outbox with the transition. */
export function dispatchOutboxMessage(topology: Topology, task: { id: string; attempt: number; priority: number }, correlationId: string, delayMs?: number): OutboxMessageInput {
  const payload: DispatchMessage = { task_id: task.id, attempt: task.attempt };
  return {
    exchange: topology.exchanges.tasks,
    routingKey: topology.routing.dispatch,
    type: MESSAGE_TYPES.dispatch,
    payload,
    priority: task.priority,
    correlationId,
    delayMs,
  };
}

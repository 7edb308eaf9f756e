import type { OutboxMessageInput } from '../tables/outbox';
import { CancelMessage, DispatchMessage, MESSAGE_TYPES, TaskEvent } from '../schemas/messages';
import type { Topology } from './topology';

/**
 * The messages the system publishes, built in one place next to the topology: where each goes
 * (exchange, routing key), its AMQP type, and its headers. The task store writes them to the
 * outbox; nothing else does.
 */

/** A transition's announcement on `task.events` (routing key `task.<to_status>`). */
export function taskEventMessage(topology: Topology, event: TaskEvent, correlationId?: string, callback?: boolean): OutboxMessageInput {
  return {
    exchange: topology.exchanges.events,
    routingKey: topology.eventRoutingKey(event.to_status),
    type: MESSAGE_TYPES.transition,
    payload: event,
    messageId: event.event_id,
    correlationId,
    ...(callback === undefined ? {} : { callback }),
  };
}

/** A (possibly delayed) wake-up for the workers on `tasks.dispatch`. */
export function dispatchMessage(topology: Topology, task: { id: string; attempt: number; priority: number }, correlationId?: string, delayMs?: number): OutboxMessageInput {
  const payload: DispatchMessage = { task_id: task.id, attempt: task.attempt };
  return { ...dispatchRoute(topology), type: MESSAGE_TYPES.dispatch, payload, priority: task.priority, correlationId, delayMs };
}

/** A cancel request to the worker that runs the task (`task.control`, routed by worker id). */
export function cancelMessage(topology: Topology, request: { taskId: string; attempt: number; workerId: string; requestedAt: Date }, correlationId?: string): OutboxMessageInput {
  const payload: CancelMessage = { task_id: request.taskId, attempt: request.attempt, requested_at: request.requestedAt.toISOString() };
  return { exchange: topology.exchanges.control, routingKey: request.workerId, type: MESSAGE_TYPES.cancel, payload, correlationId };
}

/** Where a new task's `pending` event goes. */
export function newTaskRoutes(topology: Topology): { event: { exchange: string; routingKey: string } } {
  return { event: { exchange: topology.exchanges.events, routingKey: topology.eventRoutingKey('pending') } };
}

/** Where the Dispatcher's messages go (the same route as dispatchMessage's). */
export function dispatchRoute(topology: Topology): { exchange: string; routingKey: string } {
  return { exchange: topology.exchanges.tasks, routingKey: topology.routing.dispatch };
}

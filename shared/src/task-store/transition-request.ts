import type { Task } from '../tables/tasks';
import type { TaskStatus } from '../domain/task-status';
import type { DueOutboxRow } from '../tables/outbox';
import type { TaskChanges, TransitionLogLine } from '../tables/tasks-transition';

export type { Task } from '../tables/tasks';
export type { TaskChanges, TransitionLogLine } from '../tables/tasks-transition';

/** One request shape for every transition of every service. */
export interface TransitionRequest {
  taskId: string;
  to: TaskStatus;
  /** The statuses the task may be in (each must be allowed → to); default: every status that can reach `to`. */
  from?: readonly TaskStatus[];
  /** Guards: the attempt and owner the caller believes in (null: no owner), no cancel requested. */
  attempt?: number;
  workerId?: string | null;
  noCancelRequested?: boolean;
  /** The task's timeout_minutes is at most this (a worker refuses longer tasks). */
  timeoutAtMostMinutes?: number;
  data?: TaskChanges;
  /** Human note for the history ("claimed by worker-3"). */
  notes: string;
  /** worker_id of the event; defaults to the task's worker after the change. */
  eventWorkerId?: string | null;
  correlationId?: string;
  /** Dispatch the task again with the change (a retry): its attempt and priority, after delayMs. */
  dispatch?: { attempt: number; priority: number; delayMs?: number };
  /** Appended to task_logs in the same statement. */
  logLines?: TransitionLogLine[];
  /** The row as the caller already read it under FOR UPDATE in this transaction. */
  locked?: Task;
}

export interface TransitionResult {
  from: TaskStatus;
  task: Task;
  /** Committed outbox rows the store publishes itself (a transition that committed on its own). */
  announced?: DueOutboxRow[];
}

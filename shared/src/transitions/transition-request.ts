import type { Task } from '../tables/tasks';
import type { TaskStatus } from '../domain/task-status';
import type { DueOutboxRow, OutboxMessageInput } from '../tables/outbox';

export type { Task } from '../tables/tasks';

/** Columns a transition may change besides status, updated_at and completed_at. */
export interface TaskChanges {
  workerId?: string | null;
  attempt?: { increment: number } | { decrement: number };
  leaseExpiresAt?: Date | null;
  /** lease_expires_at = the database's now() + leaseForMs: leases are always on the reaper's clock. */
  leaseForMs?: number;
  startedAt?: Date;
  /** JSON; null clears the column. */
  result?: unknown;
  error?: unknown;
  cancelRequestedAt?: Date | null;
}

/** A task_logs line written with a transition (attempt = the request's `attempt`, else the row's). */
export interface TransitionLogLine {
  ts: Date;
  stream: string;
  level: string;
  message: string;
}

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
  /** More messages to publish atomically with the change (dispatch, control). */
  messages?: OutboxMessageInput[];
  /** Appended to task_logs in the same statement. */
  logLines?: TransitionLogLine[];
  /** The row as the caller already read it under FOR UPDATE in this transaction. */
  locked?: Task;
  /**
   * The caller publishes the transition's due messages itself right after (OutboxRelay.committed
   * with `announced`), with no relay claim in between. Honoured only on a pool, where the
   * transition commits before applyTransition returns.
   */
  publishDirectly?: boolean;
}

export interface TransitionResult {
  from: TaskStatus;
  task: Task;
  /** With publishDirectly: the committed outbox rows the caller publishes now. */
  announced?: DueOutboxRow[];
}

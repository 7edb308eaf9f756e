import { cancelMessage, dispatchRoute, newTaskRoutes } from '../amqp/outbound-messages';
import type { Topology } from '../amqp/topology';
import type { SqlClient, SqlDb } from '../db/sql';
import { CLAIMABLE_STATUSES, TaskStatus } from '../domain/task-status';
import { DueOutboxRow, enqueueOutbox } from '../tables/outbox';
import { requestTaskCancellation } from '../tables/tasks';
import { insertTasks, InsertedTasks, NewTask } from '../tables/tasks-insert';
import type { DispatchWindow } from '../tables/tasks-dispatch';
import { applyTransition } from './apply-transition';
import { Dispatcher } from './dispatcher';
import { toTaskRows } from './new-tasks';
import { LockedTask, transitionMany } from './transition-many';
import type { TransitionRequest, TransitionResult } from './transition-request';

/** Where committed outbox rows go next (OutboxRelay.committed): published at once, or a relay pass woken. */
export interface OutboxWake {
  committed(direct?: readonly DueOutboxRow[]): void;
}

/** The new tasks' ids in the order given, and those actually created (an existing idempotency key skips its task). */
export type SubmittedTasks = InsertedTasks & { ids: string[] };

/** What a task store does on the pool and inside a transaction alike. */
export interface TaskWriter {
  /** Tasks with their `pending` events and dispatches, in one statement. */
  submit(tasks: NewTask[], correlationId?: string): Promise<SubmittedTasks>;
  /** THE way to change a task's status: a guarded compare-and-set with its event (rules in apply-transition.ts). */
  transition(request: TransitionRequest): Promise<TransitionResult>;
}

/** A task store bound to one transaction: everything commits together, then is published. */
export interface TaskTransaction extends TaskWriter {
  /** The transaction, for reads and for the other tables' rows written with the tasks. */
  readonly sql: SqlClient;
  /** The set form of transition, for rows locked in this transaction (a run's cancel). */
  transitionMany(rows: LockedTask[], to: TaskStatus, notes: string, correlationId?: string): Promise<void>;
  /**
   * Asks the workers running these tasks to stop: cancel_requested_at, and a control message to
   * each task's worker. `attempt` guards a single task. Returns how many rows were marked.
   */
  requestCancel(tasks: { id: string; attempt: number; workerId: string | null }[], requestedAt: Date, options?: { attempt?: number; correlationId?: string }): Promise<number>;
}

/**
 * Tasks and their announcements. Every write commits its state change and its outbox messages
 * together, then publishes what it wrote itself: rows written by a statement that commits on its
 * own are published directly (no relay claim), a transaction wakes the relay after its commit.
 * Nothing outside the store writes an outbox row.
 */
export interface TaskStore extends TaskWriter {
  /** For reads. */
  readonly db: SqlDb;
  readonly topology: Topology;
  /** `timeoutMs`: how long the transaction may take (Prisma's default is 5 s; a 50,000-task run needs more). */
  inTransaction<T>(fn: (tx: TaskTransaction) => Promise<T>, options?: { timeoutMs?: number }): Promise<T>;
  /** Who writes new tasks' dispatch messages: nudged by this store's writes; `pass()` for the reaper's leader. */
  readonly dispatcher: Dispatcher;
}

/** What the store's Dispatcher needs: the window's size, and where to report a failed pass. */
export interface DispatchOptions {
  window: DispatchWindow;
  onError: (error: Error) => void;
}

/** A change that may free room in the dispatch window: a waiting task claimed or ended (not a retry, which brings its own dispatch). */
function freesRoom(from: TaskStatus, to: TaskStatus): boolean {
  return CLAIMABLE_STATUSES.includes(from) && to !== 'retrying';
}

export function createTaskStore(deps: { db: SqlDb; topology: Topology; outbox: OutboxWake; dispatch: DispatchOptions }): TaskStore {
  const { db, topology, outbox } = deps;
  const routes = newTaskRoutes(topology);
  const dispatch = { window: deps.dispatch.window, route: dispatchRoute(topology) };
  const dispatcher = new Dispatcher({ db, ...dispatch, outbox, onError: deps.dispatch.onError });
  const committing = { transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => db.$transaction(fn) };
  return {
    db,
    topology,
    dispatcher,
    async submit(tasks, correlationId) {
      const rows = toTaskRows(tasks, correlationId);
      // Dispatched by the INSERT itself while the window has room and nothing waits: one round trip.
      const inserted = await insertTasks(db, routes, rows, { direct: true, dispatch });
      if (inserted.stored.size > 0) outbox.committed(inserted.announced);
      if (inserted.waiting > 0) dispatcher.nudge({ afterSubmission: true });
      return { ...inserted, ids: rows.map((row) => row.id) };
    },
    async transition(request) {
      const result = await applyTransition(db, topology, request, committing);
      outbox.committed(result.announced);
      if (freesRoom(result.from, request.to)) dispatcher.nudge();
      return result;
    },
    async inTransaction(fn, options = {}) {
      const effects = { wrote: false, dispatch: false, submitted: false };
      const timeout = options.timeoutMs === undefined ? undefined : { timeout: options.timeoutMs, maxWait: 10_000 };
      const result = await db.$transaction((sql) => fn(transactionStore(sql, topology, effects)), timeout);
      if (effects.wrote) outbox.committed();
      if (effects.dispatch) dispatcher.nudge({ afterSubmission: effects.submitted });
      return result;
    },
  };
}

function transactionStore(sql: SqlClient, topology: Topology, effects: { wrote: boolean; dispatch: boolean; submitted: boolean }): TaskTransaction {
  const routes = newTaskRoutes(topology);
  const wrote = () => (effects.wrote = true);
  return {
    sql,
    async submit(tasks, correlationId) {
      const rows = toTaskRows(tasks, correlationId);
      const inserted = await insertTasks(sql, routes, rows);
      if (inserted.stored.size > 0) effects.wrote = true;
      if (inserted.waiting > 0) effects.dispatch = effects.submitted = true;
      return { ...inserted, ids: rows.map((row) => row.id) };
    },
    async transition(request) {
      const result = await applyTransition(sql, topology, request, null);
      wrote();
      if (freesRoom(result.from, request.to)) effects.dispatch = true;
      return result;
    },
    async transitionMany(rows, to, notes, correlationId) {
      await transitionMany(sql, topology, rows, to, notes, correlationId);
      if (rows.length > 0) wrote();
      if (rows.some((row) => freesRoom(row.status, to))) effects.dispatch = true;
    },
    async requestCancel(tasks, requestedAt, options = {}) {
      if (tasks.length === 0) return 0;
      const marked = await requestTaskCancellation(sql, tasks.map((t) => t.id), requestedAt, options.attempt);
      if (marked === 0) return 0;
      const messages = tasks.flatMap((t) => (t.workerId ? [cancelMessage(topology, { taskId: t.id, attempt: t.attempt, workerId: t.workerId, requestedAt }, options.correlationId)] : []));
      await enqueueOutbox(sql, messages);
      if (messages.length > 0) wrote();
      return marked;
    },
  };
}

import { isTerminal, CLAIMABLE_STATUSES, TaskStatus } from '@aiopslab/shared/domain/task-status';
import { findTask } from '@aiopslab/shared/db/task-row';
import { Task, transitionIfCurrent, transitionTask } from '@aiopslab/shared/db/task-transition';
import { isStateConflict } from './state-conflict';
import { appendTaskLogs, taskLogUsage } from '../data/task-logs';
import type { LogUsage } from '../logs/log-buffer';
import type { WorkerContext } from '../worker-context';

export type ClaimResult =
  | { kind: 'claimed'; task: Task; attempt: number; logUsage: LogUsage }
  | { kind: 'dropped'; reason: string }
  | { kind: 'unknown' };

const dropped = (reason: string): ClaimResult => ({ kind: 'dropped', reason });

/**
 * Takes a dispatched task: CAS `pending|retrying → processing` with worker, attempt + 1 and a
 * lease. A duplicate or stale wake-up (finished, cancelled, held by a lease) is dropped; a task
 * whose cancel was requested is cancelled instead of started; a task longer than the broker
 * lets a message stay unacked is refused for good.
 */
export async function claimTask(ctx: WorkerContext, taskId: string, correlationId: string, dispatchedAttempt?: number): Promise<ClaimResult> {
  const { db, topology, settings } = ctx;
  const workerId = settings.env.WORKER_ID;
  if (dispatchedAttempt !== undefined) {
    // The common case in one round trip: the task waits at the attempt its message names.
    const attempt = dispatchedAttempt + 1;
    const fast = await transitionIfCurrent(db, topology, {
      taskId,
      to: 'processing',
      from: CLAIMABLE_STATUSES,
      attempt: dispatchedAttempt,
      noCancelRequested: true,
      timeoutAtMostMinutes: settings.env.MAX_TASK_TIMEOUT_MINUTES,
      ...claimChanges(workerId, attempt, settings.leaseMs),
      correlationId,
    });
    if (fast) {
      ctx.wakeRelay();
      return { kind: 'claimed', task: fast.task, attempt, logUsage: attempt > 1 ? await taskLogUsage(db, taskId) : NO_LOGS };
    }
  }
  let announced = false; // a transition committed: its outbox rows wait for the relay
  try {
    const claim = await db.$transaction(async (tx): Promise<ClaimResult> => {
      announced = false;
      const task = await findTask(tx, taskId, { lock: true });
      if (!task) return { kind: 'unknown' };
      const status = task.status as TaskStatus;
      if (isTerminal(status)) return dropped(`the task is already ${status}`);
      if (status === 'processing') return dropped(`the task is held by ${task.workerId} (lease until ${task.leaseExpiresAt?.toISOString() ?? 'unknown'})`);
      if (task.cancelRequestedAt) {
        await transitionTask(tx, topology, {
          taskId,
          to: 'cancelled',
          locked: task,
          data: { error: { kind: 'cancelled', message: 'cancelled by request before it started' } },
          notes: 'cancelled by request before it started',
          eventWorkerId: workerId,
          correlationId,
        });
        announced = true;
        return dropped('a cancel was requested before the task started');
      }
      const attempt = task.attempt + 1;
      const { task: row } = await transitionTask(tx, topology, {
        taskId,
        to: 'processing',
        locked: task,
        expect: { status: CLAIMABLE_STATUSES },
        ...claimChanges(workerId, attempt, settings.leaseMs),
        correlationId,
      });
      announced = true;
      const refusal = timeoutLimitRefusal(task.timeoutMinutes, settings.env.MAX_TASK_TIMEOUT_MINUTES);
      if (!refusal) return { kind: 'claimed', task: row, attempt, logUsage: NO_LOGS };
      await appendTaskLogs(tx, { taskId, attempt, workerId }, [{ ts: new Date(), stream: 'system', level: 'error', message: refusal.message }]);
      await transitionTask(tx, topology, { taskId, to: 'failed', locked: row, expect: { attempt, workerId }, data: { error: refusal }, notes: refusal.message, correlationId });
      return dropped('refused: its timeout exceeds MAX_TASK_TIMEOUT_MINUTES');
    });
    if (announced) ctx.wakeRelay();
    // Caps on log lines span attempts; a first attempt has nothing stored yet.
    if (claim.kind === 'claimed' && claim.attempt > 1) return { ...claim, logUsage: await taskLogUsage(db, taskId) };
    return claim;
  } catch (error) {
    if (isStateConflict(error)) return dropped('another worker changed the task first');
    throw error;
  }
}

const NO_LOGS: LogUsage = { lines: 0, bytes: 0 };

/** What a claim writes, on either path: owner, attempt + 1, start time, a lease on the database clock. */
function claimChanges(workerId: string, attempt: number, leaseMs: number) {
  return {
    data: { workerId, attempt: { increment: 1 }, startedAt: new Date(), leaseForMs: leaseMs },
    notes: `claimed by ${workerId} (attempt ${attempt})`,
  };
}

/** Only a task stored before the limit was lowered gets here: the api refuses longer ones. */
function timeoutLimitRefusal(timeoutMinutes: number, limitMinutes: number): { kind: string; message: string } | null {
  if (timeoutMinutes <= limitMinutes) return null;
  return {
    kind: 'timeout_exceeds_broker_limit',
    message:
      `timeout_minutes ${timeoutMinutes} exceeds MAX_TASK_TIMEOUT_MINUTES (${limitMinutes}) of this worker: ` +
      'the broker would take the message back while the task runs; submit a shorter timeout, or raise MAX_TASK_TIMEOUT_MINUTES on api and workers together with consumer_timeout on the broker',
  };
}

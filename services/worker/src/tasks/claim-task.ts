import { CLAIMABLE_STATUSES, TaskStatus } from '@aiopslab/shared/domain/task-status';
import { findTask } from '@aiopslab/shared/tables/tasks';
import { isNotFound } from '@aiopslab/shared/errors/app-error';
import { isTaskStateConflict } from '@aiopslab/shared/task-store/task-state-conflict';
import type { Task, TransitionRequest } from '@aiopslab/shared/task-store/transition-request';
import { LogUsage, taskLogUsage } from '@aiopslab/shared/tables/task-logs';
import type { WorkerContext } from '../worker-context';
import type { ClaimSettings } from './task-settings';

type ClaimContext = WorkerContext & { settings: ClaimSettings };

export type ClaimResult =
  | { kind: 'claimed'; task: Task; attempt: number; logUsage: LogUsage }
  | { kind: 'dropped'; reason: string }
  | { kind: 'unknown' };

const dropped = (reason: string): ClaimResult => ({ kind: 'dropped', reason });
const NO_LOGS: LogUsage = { lines: 0, bytes: 0 };

/**
 * Takes a dispatched task: CAS `pending|retrying → processing` with worker, attempt + 1 and a
 * lease. A duplicate or stale wake-up (finished, cancelled, held by a lease) is dropped; a task
 * whose cancel was requested is cancelled instead of started; a task longer than the broker
 * lets a message stay unacked is refused for good.
 */
export async function claimTask(ctx: ClaimContext, taskId: string, correlationId: string, dispatchedAttempt?: number): Promise<ClaimResult> {
  let waitingAt = dispatchedAttempt ?? (await findTask(ctx.tasks.db, taskId))?.attempt;
  if (waitingAt === undefined) return { kind: 'unknown' };
  // A stale wake-up names an older attempt: claim again at the attempt the task waits at.
  for (let tries = 0; tries < 3; tries++) {
    try {
      const { task } = await ctx.tasks.transition(claimRequest(ctx, taskId, waitingAt, correlationId));
      const attempt = waitingAt + 1;
      // Caps on log lines span attempts; a first attempt has nothing stored yet.
      return { kind: 'claimed', task, attempt, logUsage: attempt > 1 ? await taskLogUsage(ctx.db, taskId) : NO_LOGS };
    } catch (error) {
      if (isNotFound(error)) return { kind: 'unknown' };
      if (!isTaskStateConflict(error) || !error.current) throw error;
      const current = error.current;
      if (error.reason === 'attempt') waitingAt = current.attempt;
      else if (error.reason === 'cancel_requested') return cancelBeforeStart(ctx, current, correlationId);
      else if (error.reason === 'timeout_limit') return refuseTooLong(ctx, current, correlationId);
      else return dropped(whyNotClaimable(current));
    }
  }
  return dropped('another worker changed the task first');
}

/** What a claim writes: owner, attempt + 1, start time, a lease on the database clock. */
function claimRequest(ctx: ClaimContext, taskId: string, waitingAt: number, correlationId: string, checkTimeout = true): TransitionRequest {
  const { settings } = ctx;
  const { workerId } = settings;
  return {
    taskId,
    to: 'processing',
    from: CLAIMABLE_STATUSES,
    attempt: waitingAt,
    noCancelRequested: true,
    timeoutAtMostMinutes: checkTimeout ? settings.maxTaskTimeoutMinutes : undefined,
    data: { workerId, attempt: { increment: 1 }, startedAt: new Date(), leaseForMs: settings.leaseMs },
    notes: `claimed by ${workerId} (attempt ${waitingAt + 1})`,
    correlationId,
  };
}

function whyNotClaimable(task: Task): string {
  const status = task.status as TaskStatus;
  if (status === 'processing') return `the task is held by ${task.workerId} (lease until ${task.leaseExpiresAt?.toISOString() ?? 'unknown'})`;
  return `the task is already ${status}`;
}

async function cancelBeforeStart(ctx: ClaimContext, task: Task, correlationId: string): Promise<ClaimResult> {
  const message = 'cancelled by request before it started';
  await ctx.tasks.transition({
    taskId: task.id,
    to: 'cancelled',
    from: CLAIMABLE_STATUSES,
    attempt: task.attempt,
    data: { error: { kind: 'cancelled', message } },
    notes: message,
    eventWorkerId: ctx.settings.workerId,
    correlationId,
  }).catch(ignoreLostRace);
  return dropped('a cancel was requested before the task started');
}

/** Only a task stored before the limit was lowered gets here: the api refuses longer ones. */
async function refuseTooLong(ctx: ClaimContext, task: Task, correlationId: string): Promise<ClaimResult> {
  const limit = ctx.settings.maxTaskTimeoutMinutes;
  const refusal = {
    kind: 'timeout_exceeds_broker_limit',
    message:
      `timeout_minutes ${task.timeoutMinutes} exceeds MAX_TASK_TIMEOUT_MINUTES (${limit}) of this worker: ` +
      'the broker would take the message back while the task runs; submit a shorter timeout, or raise MAX_TASK_TIMEOUT_MINUTES on api and workers together with consumer_timeout on the broker',
  };
  const { workerId } = ctx.settings;
  const attempt = task.attempt + 1;
  // Claimed and failed together, so the refusal is recorded as this attempt's.
  const refused = await ctx.tasks
    .inTransaction(async (tx) => {
      await tx.transition(claimRequest(ctx, task.id, task.attempt, correlationId, false));
      const line = { ts: new Date(), stream: 'system', level: 'error', message: refusal.message };
      await tx.transition({ taskId: task.id, to: 'failed', from: ['processing'], attempt, workerId, data: { error: refusal }, notes: refusal.message, correlationId, logLines: [line] });
      return true;
    })
    .catch(ignoreLostRace);
  if (!refused) return dropped('another worker changed the task first');
  return dropped('refused: its timeout exceeds MAX_TASK_TIMEOUT_MINUTES');
}

/** Someone else moved the task first: nothing to do. Anything else is rethrown. */
function ignoreLostRace(error: unknown): false {
  if (isTaskStateConflict(error)) return false;
  throw error;
}

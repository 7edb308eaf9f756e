import type { SqlClient } from '@aiopslab/shared/db/sql';
import { findTask } from '@aiopslab/shared/db/task-row';
import { TaskChanges, transitionIfCurrent, transitionTask } from '@aiopslab/shared/db/task-transition';
import { appendTaskLogs } from '../data/task-logs';
import { FinishPlan, planFinish } from '../run/finish-plan';
import type { AttemptReport, ClaimedAttempt } from './run-attempt';
import { dispatchOutboxMessage } from './dispatch-message';
import { isStateConflict } from './state-conflict';
import type { WorkerContext } from '../worker-context';

export interface FinishOptions {
  /** The delivering channel is gone, so a handed-back task needs a fresh wake-up. */
  redispatchHandBack: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Ends an attempt in one transaction: lock the row, check this attempt still holds it, plan the
 * transition (pure), write the final log line, apply the guarded transition with its outbox
 * events (and the delayed re-dispatch of a retry). Returns null when the attempt no longer owned
 * the task, in which case nothing was written.
 */
export async function finishAttempt(ctx: WorkerContext, claimed: ClaimedAttempt, report: AttemptReport, options: FinishOptions): Promise<FinishPlan | null> {
  if (report.outcome.status === 'fenced') return null;
  for (let tries = 1; ; tries++) {
    try {
      const plan = (await finishIfUnchanged(ctx, claimed, report, options)) ?? (await ctx.db.$transaction((tx) => applyFinish(ctx, tx, claimed, report, options), { timeout: 30_000 }));
      if (plan) ctx.wakeRelay();
      return plan;
    } catch (error) {
      if (isStateConflict(error)) return null;
      if (tries >= 4) throw error;
      ctx.logger.warn('finishing the attempt failed; retrying', { error: (error as Error).message, tries });
      await sleep(500 * tries);
    }
  }
}

/**
 * The common case in one statement: the task is still this attempt's and no cancel arrived, so
 * the plan follows from what the claim read (retries, timeout and priority never change).
 * Null when that does not hold; the locking path then decides.
 */
async function finishIfUnchanged(ctx: WorkerContext, claimed: ClaimedAttempt, report: AttemptReport, options: FinishOptions): Promise<FinishPlan | null> {
  const { topology, settings } = ctx;
  const { task, attempt } = claimed;
  const workerId = settings.env.WORKER_ID;
  const plan = planFinish(report.outcome, report.result, { attempt, maxRetries: task.maxRetries, workerId, timeoutMinutes: task.timeoutMinutes, cancelRequested: false }, settings.retryPolicy);
  if (!plan) return null;
  const finished = await transitionIfCurrent(ctx.db, topology, {
    taskId: task.id,
    to: plan.to,
    from: ['processing'],
    attempt,
    workerId,
    noCancelRequested: true,
    data: finishChanges(plan),
    notes: plan.notes,
    eventWorkerId: workerId,
    correlationId: claimed.correlationId,
    messages: retryDispatch(ctx, claimed, plan, task.priority, options),
    logLines: [{ ts: new Date(), stream: 'system', level: plan.level, message: plan.notes }],
  });
  return finished ? plan : null;
}

function finishChanges(plan: FinishPlan): TaskChanges {
  const data: TaskChanges = { error: plan.error ?? null };
  if (plan.result) data.result = plan.result;
  if (plan.to === 'retrying') data.leaseExpiresAt = null;
  if (plan.uncountAttempt) data.attempt = { decrement: 1 };
  return data;
}

/** A retry's wake-up, delayed by its backoff; a hand-back on a live channel is requeued instead. */
function retryDispatch(ctx: WorkerContext, claimed: ClaimedAttempt, plan: FinishPlan, priority: number, options: FinishOptions) {
  if (plan.to !== 'retrying' || (plan.uncountAttempt && !options.redispatchHandBack)) return [];
  // The attempt the task waits at, so the next claimer's one-statement claim matches it.
  const attempt = plan.uncountAttempt ? claimed.attempt - 1 : claimed.attempt;
  return [dispatchOutboxMessage(ctx.topology, { id: claimed.task.id, attempt, priority }, claimed.correlationId, plan.retryDelayMs ?? 0)];
}

async function applyFinish(ctx: WorkerContext, tx: SqlClient, claimed: ClaimedAttempt, report: AttemptReport, options: FinishOptions): Promise<FinishPlan | null> {
  const { topology, settings } = ctx;
  const taskId = claimed.task.id;
  const workerId = settings.env.WORKER_ID;
  const row = await findTask(tx, taskId, { lock: true });
  if (!row || row.status !== 'processing' || row.attempt !== claimed.attempt || row.workerId !== workerId) return null;
  const plan = planFinish(
    report.outcome,
    report.result,
    { attempt: claimed.attempt, maxRetries: row.maxRetries, workerId, timeoutMinutes: row.timeoutMinutes, cancelRequested: row.cancelRequestedAt !== null },
    settings.retryPolicy,
  );
  if (!plan) return null;
  await appendTaskLogs(tx, { taskId, attempt: claimed.attempt, workerId }, [{ ts: new Date(), stream: 'system', level: plan.level, message: plan.notes }]);
  const messages = retryDispatch(ctx, claimed, plan, row.priority, options);
  const data = finishChanges(plan);
  await transitionTask(tx, topology, {
    taskId,
    to: plan.to,
    locked: row,
    expect: { status: ['processing'], attempt: claimed.attempt, workerId },
    data,
    notes: plan.notes,
    eventWorkerId: workerId,
    correlationId: claimed.correlationId,
    messages,
  });
  return plan;
}

import type { TaskChanges, TransitionRequest } from '@aiopslab/shared/task-store/transition-request';
import { isTaskStateConflict } from '@aiopslab/shared/task-store/task-state-conflict';
import { isNotFound } from '@aiopslab/shared/errors/app-error';
import { FinishPlan, planFinish } from './run/finish-plan';
import type { AttemptReport, ClaimedAttempt } from './run-attempt';
import type { WorkerContext } from '../worker-context';
import type { FinishSettings } from './task-settings';

type FinishContext = WorkerContext & { settings: FinishSettings };
import { sleep } from '@aiopslab/shared/lifecycle/sleep';

export interface FinishOptions {
  /** The delivering channel is gone, so a handed-back task needs a fresh wake-up. */
  redispatchHandBack: boolean;
}

/**
 * Ends an attempt: plan the transition (pure), then apply it guarded by this attempt's ownership,
 * with the final log line and its outbox events (and the delayed re-dispatch of a retry). The plan
 * assumes no cancel arrived; if one did, it is planned again as a cancel. Returns null when the
 * attempt no longer owned the task, in which case nothing was written.
 */
export async function finishAttempt(ctx: FinishContext, claimed: ClaimedAttempt, report: AttemptReport, options: FinishOptions): Promise<FinishPlan | null> {
  if (report.outcome.status === 'fenced') return null;
  let cancelRequested = false;
  for (let tries = 1; ; tries++) {
    try {
      return await applyFinish(ctx, claimed, report, options, cancelRequested);
    } catch (error) {
      if (isTaskStateConflict(error) && error.reason === 'cancel_requested' && !cancelRequested) {
        cancelRequested = true;
        continue;
      }
      if (isTaskStateConflict(error) || isNotFound(error)) return null;
      if (tries >= 4) throw error;
      ctx.logger.warn('finishing the attempt failed; retrying', { error: (error as Error).message, tries });
      await sleep(500 * tries);
    }
  }
}

/** The plan follows from what the claim read (retries, timeout and priority never change). */
async function applyFinish(ctx: FinishContext, claimed: ClaimedAttempt, report: AttemptReport, options: FinishOptions, cancelRequested: boolean): Promise<FinishPlan | null> {
  const { settings } = ctx;
  const { task, attempt } = claimed;
  const { workerId } = settings;
  const plan = planFinish(report.outcome, report.result, { attempt, maxRetries: task.maxRetries, workerId, timeoutMinutes: task.timeoutMinutes, cancelRequested }, settings.retryPolicy);
  if (!plan) return null;
  await ctx.tasks.transition({
    taskId: task.id,
    to: plan.to,
    from: ['processing'],
    attempt,
    workerId,
    noCancelRequested: !cancelRequested,
    data: finishChanges(plan),
    notes: plan.notes,
    eventWorkerId: workerId,
    correlationId: claimed.correlationId,
    dispatch: retryDispatch(claimed, plan, task.priority, options),
    logLines: [...report.lastLogLines, { ts: new Date(), stream: 'system', level: plan.level, message: plan.notes }],
  });
  return plan;
}

function finishChanges(plan: FinishPlan): TaskChanges {
  const data: TaskChanges = { error: plan.error ?? null };
  if (plan.result) data.result = plan.result;
  if (plan.to === 'retrying') data.leaseExpiresAt = null;
  if (plan.uncountAttempt) data.attempt = { decrement: 1 };
  return data;
}

/** A retry's wake-up, delayed by its backoff; a hand-back on a live channel is requeued instead. */
function retryDispatch(claimed: ClaimedAttempt, plan: FinishPlan, priority: number, options: FinishOptions): TransitionRequest['dispatch'] {
  if (plan.to !== 'retrying' || (plan.uncountAttempt && !options.redispatchHandBack)) return undefined;
  // The attempt the task waits at, so the next claimer's one-statement claim matches it.
  const attempt = plan.uncountAttempt ? claimed.attempt - 1 : claimed.attempt;
  return { attempt, priority, delayMs: plan.retryDelayMs ?? 0 };
}

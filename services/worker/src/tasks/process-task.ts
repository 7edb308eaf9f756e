import path from 'node:path';
import { SPEC_FILE_NAME } from './executors/runner-env';
import type { AttemptReport } from './run-attempt';
import type { ActiveRun } from './run/run-control';
import type { WorkerActivity } from '../presence/worker-activity';
import type { RunnerContext } from '../worker-context';
import { claimTask } from './claim-task';
import { finishAttempt } from './finish-attempt';
import { keepAttemptSession } from './keep-attempt-session';
import { runAttempt } from './run-attempt';
import { sleep } from '@aiopslab/shared/lifecycle/sleep';

/** How the use case settles the message that woke it (on the channel that delivered it). */
export interface MessageSettlement {
  readonly channelOpen: boolean;
  ack(): boolean;
  nack(requeue: boolean): boolean;
}

/** Where an attempt that blamed the worker's environment is reported (health/worker-health.ts). */
export interface EnvironmentHealth {
  /** Stops consumption (before the message is requeued) and marks the worker unhealthy. */
  environmentFailed(reason: string): Promise<void>;
  environmentWorked(): void;
  /** Before the message is settled: stops consuming while the cluster is prepared for the next task. */
  beforeNextTask(): Promise<void>;
}

export interface ProcessTaskDeps extends RunnerContext {
  active: ActiveRun;
  activity: WorkerActivity;
  health: EnvironmentHealth;
  /** Heartbeat soon, so status changes show within a moment. */
  beat(): void;
}

export type ProcessResult = 'unknown_task' | 'dropped' | 'finished' | 'requeued';

/**
 * The life of one dispatch: claim → run the attempt → finish it in the database → release the
 * cluster (how the run left it) → hold consumption while the cluster is prepared again → settle the
 * message. The message is acked only after the commit; a handed-back task is requeued; a claim
 * that fails for lack of a database is requeued after a pause.
 */
export async function processTask(deps: ProcessTaskDeps, message: MessageSettlement, taskId: string, correlationId: string, dispatchedAttempt?: number): Promise<ProcessResult> {
  const { logger, metrics } = deps;
  let claim;
  try {
    claim = await claimTask(deps, taskId, correlationId, dispatchedAttempt);
  } catch (error) {
    logger.error('claim failed; requeueing the message', { error: (error as Error).message });
    await sleep(1000);
    message.nack(true);
    return 'requeued';
  }
  if (claim.kind === 'unknown') return 'unknown_task';
  if (claim.kind === 'dropped') {
    metrics.dropped.inc();
    logger.info('dispatch message dropped', { reason: claim.reason });
    message.ack();
    return 'dropped';
  }

  const claimed = { task: claim.task, attempt: claim.attempt, correlationId, logUsage: claim.logUsage };
  const control = deps.active.begin(taskId, claim.attempt);
  deps.activity.busy(taskId);
  metrics.busy.set(1);
  deps.beat();
  const startedAt = Date.now();
  try {
    const report = await runAttempt(deps, claimed, control);
    if (report.cluster?.name) deps.activity.clusterName = report.cluster.name;
    await keepAttemptSession(deps, claimed, report);
    const plan = await finishAttempt(deps, claimed, report, { redispatchHandBack: !message.channelOpen });
    metrics.attempts.inc({ status: plan?.to ?? 'fenced' });
    metrics.attemptSeconds.observe((Date.now() - startedAt) / 1000);
    logger.info('attempt finished', { attempt: claim.attempt, status: plan?.to ?? 'not written (lease lost)', notes: plan?.notes });
    // Consumption stops before the requeue, so the broker hands the task to another worker.
    const { outcome } = report;
    if (outcome.status === 'handed_back' && outcome.cause === 'environment') await deps.health.environmentFailed(outcome.reason);
    else if (outcome.status !== 'handed_back' && outcome.status !== 'fenced') deps.health.environmentWorked();
    await releaseCluster(deps, report);
    await deps.health.beforeNextTask();
    if (plan?.uncountAttempt) message.nack(true);
    else message.ack();
    if (report.request) await deps.executor.cleanup(report.request).catch((error) => logger.warn('work dir cleanup failed', { error: (error as Error).message }));
    return 'finished';
  } catch (error) {
    logger.error('attempt could not be finished; its lease will expire and the reaper will retry it', { error: (error as Error).message, stack: (error as Error).stack });
    message.nack(true);
    return 'requeued';
  } finally {
    deps.active.end(control);
    deps.activity.idle();
    metrics.busy.set(0);
    deps.beat();
  }
}

async function releaseCluster(deps: ProcessTaskDeps, report: AttemptReport): Promise<void> {
  if (!report.cluster) return;
  try {
    await deps.clusters.release(report.clusterUsage, report.request ? path.join(report.request.workDir, SPEC_FILE_NAME) : null);
  } catch (error) {
    deps.logger.error('cluster release failed', { error: (error as Error).message });
  }
}

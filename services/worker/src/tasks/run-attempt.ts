import type { Task } from '@aiopslab/shared/tables/tasks';
import { MAX_PROTOCOL_LINE_BYTES } from '@aiopslab/shared/schemas/runner-protocol';
import type { ClusterHandle, ClusterUsage } from '../clusters/cluster-provider';
import { agentShellFor } from './executors/agent-shell';
import type { ExecutionRequest, ExecutorExit, OutputStream, RunningProcess } from './executors/executor';
import { attemptWorkDir, buildTaskSpec } from './executors/task-spec';
import type { LogLine, LogUsage } from '@aiopslab/shared/tables/task-logs';
import { TaskLogWriter } from './logs/task-log-writer';
import { describeEvent } from './protocol/event-log-line';
import { LeaseKeeper } from './lease-keeper';
import type { RunControl } from './run/run-control';
import { clusterUsage } from './run/cluster-usage';
import { decideOutcome, RunOutcome, RunSummary, StopReason } from './run/run-outcome';
import { RunRecord, TaskResult } from './run/run-record';
import type { RunnerContext } from '../worker-context';
import type { AttemptSettings } from './task-settings';

type AttemptContext = Omit<RunnerContext, 'settings'> & { settings: AttemptSettings };

export interface ClaimedAttempt {
  task: Task;
  attempt: number;
  correlationId: string;
  logUsage: LogUsage;
}

export interface AttemptReport {
  outcome: RunOutcome;
  result: TaskResult;
  /** The cluster was acquired and must be released. */
  cluster: ClusterHandle | null;
  /** How the attempt left the cluster (released with it). */
  clusterUsage: ClusterUsage;
  request: ExecutionRequest | null;
  /** Log lines not yet stored: the finish writes them in its own statement. */
  lastLogLines: LogLine[];
}

const STOP_MESSAGES: Record<StopReason, string> = {
  timeout: 'timeout reached; stopping the runner',
  cancelled: 'cancel requested; stopping the runner',
  fenced: 'this worker lost the task (lease expired or taken over); stopping the runner',
  shutdown: 'worker shutting down; stopping the runner to hand the task back',
};

/**
 * Runs one claimed attempt: keeps the lease, acquires the cluster the worker prepared, runs the
 * executor under the task's timeout (from the runner's start: cluster setup is never the task's),
 * streams its output into task_logs and its events into the run record, and says how it ended.
 * Writes no status: finish-attempt.ts does, in one guarded transaction.
 */
export async function runAttempt(ctx: AttemptContext, claimed: ClaimedAttempt, control: RunControl): Promise<AttemptReport> {
  const { settings, logger } = ctx;
  const { task, attempt } = claimed;
  const owner = { taskId: task.id, attempt, workerId: settings.workerId };
  const logs = new TaskLogWriter(ctx.db, owner, settings.logLimits, claimed.logUsage, logger);
  const record = new RunRecord();
  logs.onFenced(() => control.stop('fenced'));
  control.onStop((reason) => {
    record.markStopRequested();
    logs.system(reason === 'timeout' ? 'error' : 'warn', `${STOP_MESSAGES[reason]} (SIGTERM, SIGKILL after ${settings.killGraceMs / 1000} s)`);
  });
  logs.system('info', `attempt ${attempt} claimed by ${owner.workerId} (timeout ${task.timeoutMinutes} min, max ${task.maxSteps} steps)`);

  const lease = new LeaseKeeper(ctx.db, owner, settings.leaseMs, {
    onLost: (reason) => {
      logger.warn('lease lost; stopping the run', { reason });
      control.stop('fenced');
    },
    onCancelRequested: () => control.stop('cancelled'),
    onRenewed: (validForMs) => lifeline.renewed(validForMs),
  }, logger);
  const lifeline = new LeaseLifeline(() => lease.remainingMs());
  lease.start();
  const claimedAt = Date.now();
  const clock = new AttemptClock(() => control.stop('timeout'), task.timeoutMinutes * settings.timeoutMinuteMs);
  let cluster: ClusterHandle | null = null;
  let request: ExecutionRequest | null = null;
  let exit: ExecutorExit | null = null;
  let startFailure: RunSummary['startFailure'] = null;
  try {
    try {
      cluster = await ctx.clusters.acquire();
    } catch (error) {
      startFailure = { kind: 'cluster_unavailable', message: `the ${ctx.clusters.name} cluster could not be acquired: ${(error as Error).message}` };
      logs.system('error', startFailure.message);
    }
    if (cluster && !control.stopReason) {
      logs.system('info', cluster.name ? `cluster ${cluster.name} (${cluster.provider}, context ${cluster.context ?? 'default'})` : `cluster provider ${cluster.provider}`);
      request = executionRequest(ctx, claimed, cluster);
      exit = await execute(ctx, request, logs, record, control, lifeline, clock);
      if (exit.startError) startFailure = { kind: 'runner_start_failed', message: exit.startError };
    }
  } finally {
    clock.stop();
    lease.stop();
  }
  const outcome = decideOutcome({
    startFailure,
    exit,
    hasResult: record.result !== null,
    error: record.error,
    errorBeforeStop: record.errorBeforeStop,
    teardownError: record.teardownError,
    stopReason: control.stopReason,
    timeoutMinutes: task.timeoutMinutes,
    protocolEvents: record.events,
  });
  const lastLogLines = await logs.closeAndTakeRest();
  const result = record.toResult({
    attempt,
    workerId: owner.workerId,
    runSeconds: clock.runSeconds(),
    clusterWaitSeconds: ((clock.startedAt ?? Date.now()) - claimedAt) / 1000,
    exit,
    logs: { truncated: logs.truncated, dropped: logs.dropped },
    cluster: cluster?.timing,
  });
  const usage = clusterUsage({ runnerStarted: clock.startedAt !== null && !exit?.startError, outcome, error: record.error });
  return { outcome, result, cluster, clusterUsage: usage, request, lastLogLines };
}

function executionRequest(ctx: AttemptContext, claimed: ClaimedAttempt, cluster: ClusterHandle): ExecutionRequest {
  const workDir = attemptWorkDir(ctx.settings.workDir, claimed.task.id, claimed.attempt);
  const spec = buildTaskSpec(claimed.task, claimed.attempt, cluster, workDir, agentShellFor(cluster, ctx.settings.agentShell));
  return { taskId: claimed.task.id, attempt: claimed.attempt, correlationId: claimed.correlationId, spec, cluster, workDir };
}

/** The task's own time: its timeout runs from the runner's start to its exit. */
class AttemptClock {
  startedAt: number | null = null;
  private endedAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onTimeout: () => void,
    private readonly timeoutMs: number,
  ) {}

  runnerStarted(): void {
    this.startedAt = Date.now();
    this.timer = setTimeout(this.onTimeout, this.timeoutMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.endedAt ??= Date.now();
  }

  runSeconds(): number {
    return this.startedAt === null ? 0 : ((this.endedAt ?? Date.now()) - this.startedAt) / 1000;
  }
}

/** Forwards lease renewals to the running process, starting with what is left of the claim. */
class LeaseLifeline {
  private running: RunningProcess | null = null;

  constructor(private readonly remainingMs: () => number) {}

  attach(running: RunningProcess): void {
    this.running = running;
    running.leaseRenewed(this.remainingMs());
  }

  renewed(validForMs: number): void {
    this.running?.leaseRenewed(validForMs);
  }
}

async function execute(ctx: AttemptContext, request: ExecutionRequest, logs: TaskLogWriter, record: RunRecord, control: RunControl, lifeline: LeaseLifeline, clock: AttemptClock): Promise<ExecutorExit> {
  const output = {
    line: (stream: OutputStream, text: string, cutBytes: number): boolean => {
      if (stream !== 'protocol') return logs.output(stream, 'info', cutBytes > 0 ? `${text}… [${cutBytes} bytes cut]` : text);
      if (cutBytes > 0) {
        record.invalidLines++;
        return logs.output('system', 'warn', `invalid protocol line (${MAX_PROTOCOL_LINE_BYTES + cutBytes} bytes, over the ${MAX_PROTOCOL_LINE_BYTES}-byte limit) discarded`);
      }
      if (text.trim() === '') return true;
      const parsed = ctx.parser(text);
      if (!parsed.ok) {
        record.invalidLines++;
        return logs.output('system', 'warn', `invalid protocol line (${parsed.reason}): ${text.length > 500 ? `${text.slice(0, 500)}…` : text}`);
      }
      record.apply(parsed.event);
      let accepting = true;
      for (const line of describeEvent(parsed.event)) accepting = logs.output('system', line.level, line.message) && accepting;
      return accepting;
    },
    writable: () => logs.writable(),
  };
  let running;
  try {
    running = await ctx.executor.start(request, output);
  } catch (error) {
    return { code: null, signal: null, startError: `could not prepare the runner: ${(error as Error).message}` };
  }
  clock.runnerStarted();
  logs.system('info', `runner started (${ctx.executor.name}${running.pid ? `, pid ${running.pid}` : ''})`);
  control.onStop(() => running.stop());
  lifeline.attach(running);
  const exit = await running.exited;
  if (!exit.startError) logs.system(exit.code === 0 ? 'info' : 'warn', exit.signal ? `runner ended by ${exit.signal}` : `runner exited with code ${exit.code}`);
  else logs.system('error', exit.startError);
  if (exit.forced === 'killed') logs.system('warn', `processes of the runner did not stop on SIGTERM and were killed with SIGKILL after ${ctx.settings.killGraceMs / 1000} s`);
  if (exit.forced === 'stuck') logs.system('error', 'processes of the runner survived SIGKILL (uninterruptible sleep?); the cluster is treated as dirty');
  return exit;
}

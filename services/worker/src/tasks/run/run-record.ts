import type { ResultEvent, RunnerErrorEvent, RunnerEvent, SetupDoneEvent, StepUsage } from '@aiopslab/shared/schemas/runner-protocol';
import { jsonbSafe } from './jsonb-safe';
import type { RunExit } from './run-outcome';
import type { ClusterTiming } from '../../clusters/cluster-provider';

/** One agent action and the environment's answer: the unit of a trajectory (online RL data). */
export interface TrajectoryStep {
  n: number;
  action: string | null;
  observation: unknown;
  duration_s: number | null;
  usage: StepUsage | null;
  ts: string | null;
  observation_truncated?: true;
}

/** tasks.result (services/worker/README.md): the evaluation plus everything recorded about the attempt. */
export interface TaskResult {
  results: Record<string, unknown> | null;
  framework_overhead: number | null;
  session: Record<string, unknown> | null;
  session_id: string | null;
  setup: { task_description: string | null; instructions: string | null; apis: Record<string, unknown> } | null;
  trajectory: TrajectoryStep[];
  trajectory_truncated: boolean;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; steps_with_usage: number };
  /** run_s: from the runner's start to its exit (what timeout_minutes bounds); cluster_wait_s: from the claim to the runner's start. */
  durations: { setup_s: number | null; loop_s: number | null; teardown_s: number | null; run_s: number; cluster_wait_s: number };
  metrics: Record<string, { value: number; unit: string | null }>;
  runner: { exit_code: number | null; signal: string | null; invalid_protocol_lines: number };
  logs: { truncated: boolean; dropped_lines: number; dropped_bytes: number };
  attempt: number;
  worker_id: string;
  /** How the worker made its cluster ready before it took this task (kind: create/reset/preload/warm seconds); not part of run_s. */
  cluster?: ClusterTiming;
}

export interface ResultContext {
  attempt: number;
  workerId: string;
  runSeconds: number;
  clusterWaitSeconds: number;
  exit: RunExit | null;
  logs: { truncated: boolean; dropped: { lines: number; bytes: number } };
  cluster?: ClusterTiming;
}

export const DEFAULT_MAX_TRAJECTORY_BYTES = 32 * 1024 * 1024;
const TRUNCATED_OBSERVATION_CHARS = 2000;

/**
 * Accumulates one attempt's protocol events into the task's result (pure). Steps become the
 * `trajectory`; past `maxTrajectoryBytes` later observations are shortened and flagged, so a
 * runaway agent cannot exhaust the worker's memory.
 */
export class RunRecord {
  sessionId: string | null = null;
  setup: SetupDoneEvent | null = null;
  result: ResultEvent | null = null;
  error: RunnerErrorEvent | null = null;
  errorBeforeStop = false;
  teardownError: RunnerErrorEvent | null = null;
  invalidLines = 0;
  /** Valid events applied (zero: the runner never spoke the protocol). */
  events = 0;
  private readonly steps: TrajectoryStep[] = [];
  private trajectoryBytes = 0;
  private trajectoryTruncated = false;
  private readonly metrics: TaskResult['metrics'] = {};
  private stopRequested = false;

  constructor(private readonly maxTrajectoryBytes = DEFAULT_MAX_TRAJECTORY_BYTES) {}

  /** From now on, runner errors are consequences of the worker's stop, not causes. */
  markStopRequested(): void {
    this.stopRequested = true;
  }

  get stepCount(): number {
    return this.steps.length;
  }

  apply(event: RunnerEvent): void {
    this.events++;
    switch (event.type) {
      case 'session_started':
        this.sessionId = event.session_id;
        return;
      case 'setup_done':
        this.setup = event;
        return;
      case 'step':
        this.addStep(event);
        return;
      case 'metric':
        this.metrics[event.name] = { value: event.value, unit: event.unit ?? null };
        return;
      case 'result':
        this.result ??= event;
        return;
      case 'error':
        if (event.phase === 'teardown') this.teardownError ??= event;
        else if (!this.error) {
          this.error = event;
          this.errorBeforeStop = !this.stopRequested;
        }
        return;
      default:
        return;
    }
  }

  toResult(context: ResultContext): TaskResult {
    const result = this.result;
    const durations = result?.durations ?? {};
    return jsonbSafe({
      results: result?.results ?? null,
      framework_overhead: result?.framework_overhead ?? null,
      session: result?.session ?? null,
      session_id: this.sessionId ?? sessionIdOf(result?.session),
      setup: this.setup ? { task_description: this.setup.task_description, instructions: this.setup.instructions, apis: this.setup.apis } : null,
      trajectory: this.steps,
      trajectory_truncated: this.trajectoryTruncated,
      usage: this.usage(),
      durations: {
        setup_s: durations.setup_s ?? this.setup?.duration_s ?? null,
        loop_s: durations.loop_s ?? null,
        teardown_s: durations.teardown_s ?? null,
        run_s: Math.round(context.runSeconds * 1000) / 1000,
        cluster_wait_s: Math.round(context.clusterWaitSeconds * 1000) / 1000,
      },
      metrics: this.metrics,
      runner: { exit_code: context.exit?.code ?? null, signal: context.exit?.signal ?? null, invalid_protocol_lines: this.invalidLines },
      logs: { truncated: context.logs.truncated, dropped_lines: context.logs.dropped.lines, dropped_bytes: context.logs.dropped.bytes },
      attempt: context.attempt,
      worker_id: context.workerId,
      ...(context.cluster ? { cluster: context.cluster } : {}),
    });
  }

  private addStep(event: Extract<RunnerEvent, { type: 'step' }>): void {
    let step: TrajectoryStep = { n: event.n, action: event.action, observation: event.observation, duration_s: event.duration_s ?? null, usage: event.usage ?? null, ts: event.ts ?? null };
    let bytes = JSON.stringify(step).length;
    if (this.trajectoryTruncated || this.trajectoryBytes + bytes > this.maxTrajectoryBytes) {
      this.trajectoryTruncated = true;
      const text = typeof step.observation === 'string' ? step.observation : JSON.stringify(step.observation) ?? '';
      step = { ...step, action: step.action?.slice(0, TRUNCATED_OBSERVATION_CHARS) ?? null, observation: text.slice(0, TRUNCATED_OBSERVATION_CHARS), observation_truncated: true };
      bytes = JSON.stringify(step).length;
    }
    this.trajectoryBytes += bytes;
    this.steps.push(step);
  }

  private usage(): TaskResult['usage'] {
    const total = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, steps_with_usage: 0 };
    for (const step of this.steps) {
      if (!step.usage) continue;
      total.steps_with_usage++;
      total.prompt_tokens += step.usage.prompt_tokens ?? 0;
      total.completion_tokens += step.usage.completion_tokens ?? 0;
      total.total_tokens += step.usage.total_tokens ?? (step.usage.prompt_tokens ?? 0) + (step.usage.completion_tokens ?? 0);
    }
    return total;
  }
}

function sessionIdOf(session: Record<string, unknown> | null | undefined): string | null {
  const id = session?.session_id;
  return typeof id === 'string' ? id : null;
}

/**
 * The outcome class of a finished task (pure): whose result it is. `solved` and `unsolved` are
 * the agent's score; `agent_error` is a failure of the task's own making (its agent config, its
 * agent's requests, a crash while the agent ran); `infra_error` is the cluster's or the harness's
 * (setup failed, the worker was lost, a timeout before the agent got the problem), which the
 * results keep out of the denominators and the api retries on the run's own budget.
 *
 * The inputs are what the worker writes (services/worker/src/tasks/run/run-outcome.ts, finish-plan.ts,
 * claim-task.ts, reap-expired-leases.ts): `error.kind` is runner_error (with the runner's
 * `phase` and `error_type`), runner_crashed, timeout, cancelled, lost_worker or
 * timeout_exceeds_broker_limit; cluster_unavailable / runner_start_failed and runner errors of
 * origin `environment` hand the task back uncounted, so they end a task only if a future worker
 * writes them. The worker stores the runner's `origin` with the error: `environment` is the
 * infrastructure's whatever the phase; without it (older tasks) the runner's error types stand in
 * (services/worker/runner/aiopslab_runner/errors.py).
 */
export const OUTCOME_CLASSES = ['solved', 'unsolved', 'agent_error', 'infra_error'] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

export interface TaskOutcome {
  solved: boolean;
  /** null only for tasks that never got an evaluation and were nobody's failure: cancelled or unfinished. */
  outcome_class: OutcomeClass | null;
  /** Where the outcome came from: evaluation, timeout, agent, agent_config, task_spec, cluster, setup, … */
  outcome_origin: string | null;
}

export interface OutcomeInput {
  status: string;
  /** The problem's task type (detection is graded by "Detection Accuracy"); null when unknown. */
  taskType: string | null;
  /** AIOpsLab's results dict (tasks.result.results). */
  results: Record<string, unknown> | null;
  /** tasks.error: kind, message, phase, error_type, origin. */
  error: { kind?: unknown; phase?: unknown; error_type?: unknown; origin?: unknown } | null;
  /** The runner reported setup_done (the agent got the problem): a task description, a step, or a loop time. */
  setupReached: boolean;
}

/** Runner error types that are the agent's own doing, whatever the phase. */
export const AGENT_ERROR_TYPES: Record<string, string> = {
  InvalidAgentConfig: 'agent_config',
  AgentDependencyMissing: 'agent_config',
  LLMRequestError: 'agent',
  ScriptExhausted: 'agent',
};
/** Runner error types that are the task's own submission: a retry ends the same way. */
export const TASK_SPEC_ERROR_TYPES: ReadonlySet<string> = new Set(['InvalidTaskSpec', 'UnknownProblemId', 'UnsupportedProblem', 'UsageError']);

/** The worker's own error kinds that mean the infrastructure failed, with their origin. */
export const INFRA_KINDS: Record<string, string> = {
  lost_worker: 'lost_worker',
  cluster_unavailable: 'cluster',
  runner_start_failed: 'runner_start',
  timeout_exceeds_broker_limit: 'deployment_limit',
};

/** Infra origins that a new attempt cannot fix (the deployment's limits): never retried automatically. */
export const NON_RETRYABLE_INFRA_ORIGINS: readonly string[] = ['deployment_limit'];

const outcome = (outcomeClass: OutcomeClass | null, origin: string | null, solved = false): TaskOutcome => ({ solved, outcome_class: outcomeClass, outcome_origin: origin });

/** Solved as the results table defines it: detection by "Detection Accuracy", the others by results.success. */
export function isSolved(taskType: string | null, results: Record<string, unknown> | null): boolean {
  if (!results) return false;
  const detection = taskType === 'detection' || ((taskType === null || taskType === 'unknown') && 'Detection Accuracy' in results);
  return detection ? results['Detection Accuracy'] === 'Correct' : results.success === true;
}

function runnerErrorOutcome(phase: string, errorType: string, setupReached: boolean): TaskOutcome {
  if (AGENT_ERROR_TYPES[errorType]) return outcome('agent_error', AGENT_ERROR_TYPES[errorType]);
  if (TASK_SPEC_ERROR_TYPES.has(errorType)) return outcome('agent_error', 'task_spec');
  switch (phase) {
    case 'loop':
      return outcome('agent_error', 'agent');
    case 'eval':
      return outcome('infra_error', 'evaluation');
    case 'teardown':
      return outcome('infra_error', 'teardown');
    default:
      return setupReached ? outcome('agent_error', 'agent') : outcome('infra_error', 'setup');
  }
}

/** The outcome class of a task from its status, result and error. */
export function classifyOutcome(input: OutcomeInput): TaskOutcome {
  const kind = typeof input.error?.kind === 'string' ? input.error.kind : null;
  switch (input.status) {
    case 'completed':
      return isSolved(input.taskType, input.results) ? outcome('solved', 'evaluation', true) : outcome('unsolved', 'evaluation');
    case 'timed_out':
      return input.setupReached ? outcome('unsolved', 'timeout') : outcome('infra_error', 'timeout_during_setup');
    case 'cancelled':
      return outcome(null, 'cancelled');
    case 'failed':
      break;
    default:
      return outcome(null, null);
  }
  if (kind === 'runner_error') {
    if (input.error?.origin === 'environment') return outcome('infra_error', 'environment');
    return runnerErrorOutcome(String(input.error?.phase ?? 'setup'), String(input.error?.error_type ?? ''), input.setupReached);
  }
  if (kind === 'runner_crashed') return input.setupReached ? outcome('agent_error', 'runner_crash_in_loop') : outcome('infra_error', 'runner_crash');
  if (kind === 'timeout') return input.setupReached ? outcome('unsolved', 'timeout') : outcome('infra_error', 'timeout_during_setup');
  if (kind && INFRA_KINDS[kind]) return outcome('infra_error', INFRA_KINDS[kind]);
  return outcome('agent_error', kind ?? 'unknown');
}

/** True when the runner got past setup: it wrote setup_done, a step, or a loop time (tasks.result). */
export function setupReachedOf(result: unknown): boolean {
  if (!result || typeof result !== 'object') return false;
  const r = result as { setup?: unknown; trajectory?: unknown; durations?: { loop_s?: unknown } | null };
  return (r.setup !== null && r.setup !== undefined) || (Array.isArray(r.trajectory) && r.trajectory.length > 0) || typeof r.durations?.loop_s === 'number';
}

/** The classification of a stored task row (status, result jsonb, error jsonb). */
export function outcomeOfTask(task: { status: string; result: unknown; error: unknown }, taskType: string | null): TaskOutcome {
  const result = task.result && typeof task.result === 'object' ? (task.result as { results?: unknown }) : null;
  const results = result?.results && typeof result.results === 'object' ? (result.results as Record<string, unknown>) : null;
  const error = task.error && typeof task.error === 'object' ? (task.error as OutcomeInput['error']) : null;
  return classifyOutcome({ status: task.status, taskType, results, error, setupReached: setupReachedOf(task.result) });
}

/** Whether a task's outcome is an infrastructure error the api may retry on the run's infra budget. */
export function isRetryableInfraError(outcome: TaskOutcome): boolean {
  return outcome.outcome_class === 'infra_error' && !NON_RETRYABLE_INFRA_ORIGINS.includes(outcome.outcome_origin ?? '');
}

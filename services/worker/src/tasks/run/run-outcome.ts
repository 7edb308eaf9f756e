import type { RunnerErrorEvent } from '@aiopslab/shared/schemas/runner-protocol';
import { environmentFailure } from './environment-failure';

/** Why the worker stopped a runner before it ended on its own. */
export type StopReason = 'timeout' | 'cancelled' | 'fenced' | 'shutdown';

/** tasks.error: what went wrong, for people and for code that branches on `kind`. */
export interface TaskError {
  kind: string;
  message: string;
  phase?: string;
  error_type?: string;
  traceback?: string;
  /** The runner's word on whose fault it is (`environment`: the worker's), and whether it reached the cluster. */
  origin?: 'task' | 'environment';
  cluster_touched?: boolean;
}

export interface RunExit {
  code: number | null;
  signal: string | null;
}

/** Everything that decides how an attempt ended. */
export interface RunSummary {
  /** The attempt could not start: no cluster, or the runner could not be spawned. */
  startFailure: { kind: 'cluster_unavailable' | 'runner_start_failed'; message: string } | null;
  exit: RunExit | null;
  hasResult: boolean;
  /** The runner's first error outside teardown, and whether it came before the worker stopped it. */
  error: RunnerErrorEvent | null;
  errorBeforeStop: boolean;
  teardownError: RunnerErrorEvent | null;
  stopReason: StopReason | null;
  timeoutMinutes: number;
  /** Valid protocol events the runner wrote (none at all points at a runner that never ran). */
  protocolEvents: number;
}

export type RunOutcome =
  | { status: 'completed'; clusterDirty: boolean }
  | { status: 'failed'; retryable: boolean; error: TaskError }
  | { status: 'timed_out'; error: TaskError }
  | { status: 'cancelled'; error: TaskError }
  | { status: 'handed_back'; cause: 'shutdown' }
  /** The worker's environment is broken: not the task's fault, so the attempt is not counted. */
  | { status: 'handed_back'; cause: 'environment'; reason: string }
  | { status: 'fenced' };

const MAX_TRACEBACK_CHARS = 16_000;

function runnerError(event: RunnerErrorEvent): TaskError {
  const error: TaskError = { kind: 'runner_error', message: event.message, phase: event.phase, error_type: event.error_type };
  if (event.origin) error.origin = event.origin;
  if (event.cluster_touched !== undefined) error.cluster_touched = event.cluster_touched;
  if (event.traceback) error.traceback = event.traceback.length > MAX_TRACEBACK_CHARS ? `…${event.traceback.slice(-MAX_TRACEBACK_CHARS)}` : event.traceback;
  return error;
}

function describeExit(exit: RunExit | null): string {
  if (!exit) return 'the runner never reported an exit';
  if (exit.signal) return `the runner was killed by ${exit.signal} without reporting a result or an error`;
  return `the runner exited with code ${exit.code} without reporting a result or an error`;
}

/**
 * How an attempt ended (docs/runner-protocol.md "Outcome"), pure. In order: a lost lease writes
 * nothing; a `result` completes the task whatever happened after it; a runner error reported
 * before the worker stepped in decides (handed back when it blames the environment); then the
 * worker's own reason (cancel, timeout, shutdown); then an environment failure (no cluster, no
 * runner); then whatever error came; otherwise the runner crashed.
 */
export function decideOutcome(summary: RunSummary): RunOutcome {
  if (summary.stopReason === 'fenced') return { status: 'fenced' };
  if (summary.hasResult) return { status: 'completed', clusterDirty: summary.teardownError !== null };
  const earlyError = summary.errorBeforeStop ? summary.error : null;
  if (earlyError && earlyError.origin !== 'environment') return { status: 'failed', retryable: earlyError.retryable, error: runnerError(earlyError) };
  const environment = environmentFailure({ startFailure: summary.startFailure, error: earlyError, exit: summary.exit, protocolEvents: summary.protocolEvents });
  if (earlyError && environment) return { status: 'handed_back', cause: 'environment', reason: environment };
  switch (summary.stopReason) {
    case 'cancelled':
      return { status: 'cancelled', error: { kind: 'cancelled', message: 'cancelled by request' } };
    case 'timeout':
      return { status: 'timed_out', error: { kind: 'timeout', message: `the task ran longer than its timeout of ${summary.timeoutMinutes} min and was stopped` } };
    case 'shutdown':
      return { status: 'handed_back', cause: 'shutdown' };
  }
  if (environment) return { status: 'handed_back', cause: 'environment', reason: environment };
  const error = summary.error ?? summary.teardownError;
  if (error) return { status: 'failed', retryable: error.retryable, error: runnerError(error) };
  return { status: 'failed', retryable: true, error: { kind: 'runner_crashed', message: describeExit(summary.exit) } };
}

import type { RunnerErrorEvent } from '@aiopslab/shared/schemas/runner-protocol';
import type { RunExit } from './run-outcome';

/** What decides whether a failed attempt was the worker's fault rather than the task's. */
export interface EnvironmentEvidence {
  /** The attempt could not start: no cluster (ClusterError from acquire), or the runner could not be spawned. */
  startFailure: { kind: 'cluster_unavailable' | 'runner_start_failed'; message: string } | null;
  /** The runner's first error, when it came before the worker stopped the run. */
  error: RunnerErrorEvent | null;
  exit: RunExit | null;
  /** Valid protocol events the runner wrote. */
  protocolEvents: number;
}

/** /bin/sh's exit codes for "found but not executable" and "command not found". */
const SHELL_CANNOT_RUN = new Set([126, 127]);

/**
 * Why this attempt failed because of the worker's environment, or null when the task is to blame
 * (pure). Environment failures: an `error` event with `origin: "environment"` (AIOpsLab not
 * importable, no kubeconfig), a cluster that could not be acquired, a runner that could not be
 * spawned, and a RUNNER_COMMAND the shell could not run (exit 126/127 before any protocol line).
 * A runner that crashes silently for another reason stays the task's failure: it could be the
 * task that crashes it, and an uncounted attempt would then bounce between workers forever.
 */
export function environmentFailure(evidence: EnvironmentEvidence): string | null {
  if (evidence.error?.origin === 'environment') return `${evidence.error.error_type}: ${evidence.error.message}`;
  if (evidence.startFailure) return `${evidence.startFailure.kind}: ${evidence.startFailure.message}`;
  const code = evidence.exit?.code;
  if (!evidence.error && evidence.protocolEvents === 0 && code != null && SHELL_CANNOT_RUN.has(code)) {
    return `runner_not_runnable: RUNNER_COMMAND exited with code ${code} (${code === 127 ? 'command not found' : 'not executable'}) before writing any protocol line`;
  }
  return null;
}

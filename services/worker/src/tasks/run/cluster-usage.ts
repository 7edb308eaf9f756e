import type { RunnerErrorEvent } from '@aiopslab/shared/schemas/runner-protocol';
import type { ClusterUsage } from '../../clusters/cluster-provider';
import type { RunOutcome } from './run-outcome';

export interface ClusterUsageEvidence {
  /** The runner process was started against the cluster. */
  runnerStarted: boolean;
  outcome: RunOutcome;
  /** The runner's first error outside teardown. */
  error: RunnerErrorEvent | null;
}

/**
 * How an attempt left the cluster (pure). Untouched: no runner ran, or the runner said its failure
 * came before it reached the cluster (`cluster_touched: false`: a bad spec or agent config, an
 * unsupported problem). Clean: completed with a clean teardown. Anything else may have left faults
 * injected, so it is dirty: the worker resets the cluster before its next task.
 */
export function clusterUsage(evidence: ClusterUsageEvidence): ClusterUsage {
  if (!evidence.runnerStarted) return 'untouched';
  if (evidence.outcome.status === 'completed') return evidence.outcome.clusterDirty ? 'dirty' : 'clean';
  if (evidence.error?.cluster_touched === false) return 'untouched';
  return 'dirty';
}

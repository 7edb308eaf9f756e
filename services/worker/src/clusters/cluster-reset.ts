import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterReset } from './cluster-provider';
import { isAborted, type CommandRunner } from './command-runner';
import { OPENEBS_NAMESPACE, PROMETHEUS_NAMESPACE } from './warm-components';

/**
 * Namespaces the sweep leaves alone: Kubernetes' and kind's own, the warm components (the warm-up
 * checks those itself), and Chaos Mesh, which AIOpsLab's symptom injector installs once and never
 * removes (its experiments live in the app's namespace, which is swept).
 */
export const KEPT_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage', OPENEBS_NAMESPACE, PROMETHEUS_NAMESPACE, 'chaos-mesh'];

/** Runs the problem's own cleanup (`RUNNER_COMMAND --cleanup-problem`) for the task whose spec this is. */
export type ProblemCleanup = (specFile: string, signal: AbortSignal) => Promise<void>;

export interface ResetTarget {
  kubeconfig: string;
  context: string;
}

export interface ResetDeps {
  run: CommandRunner;
  logger: Logger;
  cleanupProblem: ProblemCleanup | null;
}

const LIST_MS = 60_000;
const SWEEP_SECONDS = 300;

/**
 * Puts a cluster that a failed or stopped run left dirty back to its state before the problem:
 * the problem's own cleanup first (fault recovery, then the app's removal, as AIOpsLab's teardown
 * does), then every namespace not in KEPT_NAMESPACES is deleted. A cleanup that fails is recorded
 * and the sweep still runs; a sweep that fails throws (the caller recreates the cluster).
 */
export async function resetCluster(deps: ResetDeps, target: ResetTarget, specFile: string | null, signal: AbortSignal): Promise<ClusterReset> {
  const started = Date.now();
  let cleanupError: string | null = null;
  if (deps.cleanupProblem && specFile) {
    try {
      await deps.cleanupProblem(specFile, signal);
    } catch (error) {
      if (signal.aborted || isAborted(error)) throw error;
      cleanupError = (error as Error).message;
      deps.logger.warn("the problem's own cleanup failed; sweeping its namespaces anyway", { error: cleanupError });
    }
  }
  const swept = await sweepNamespaces(deps.run, target);
  return { reset_s: Math.round(Date.now() - started) / 1000, cleanup_error: cleanupError, swept_namespaces: swept };
}

/** Deletes the namespaces a problem left (waiting until they are gone); returns their names. */
export async function sweepNamespaces(run: CommandRunner, target: ResetTarget): Promise<string[]> {
  const kubectl = (args: string[], timeoutMs: number) => run('kubectl', ['--kubeconfig', target.kubeconfig, '--context', target.context, ...args], { timeoutMs, env: { KUBECONFIG: target.kubeconfig } });
  const { stdout } = await kubectl(['get', 'namespaces', '-o', 'json'], LIST_MS);
  const leftovers = namespacesToSweep(stdout);
  if (leftovers.length === 0) return [];
  try {
    await kubectl(['delete', 'namespace', ...leftovers, '--wait=true', `--timeout=${SWEEP_SECONDS}s`], (SWEEP_SECONDS + 30) * 1000);
  } catch (error) {
    throw new Error(`namespaces ${leftovers.join(', ')} could not be deleted: ${(error as Error).message}`, { cause: error });
  }
  return leftovers;
}

/** The names in `kubectl get namespaces -o json` that are not kept (pure). */
export function namespacesToSweep(json: string): string[] {
  const list = JSON.parse(json) as { items?: { metadata?: { name?: string } }[] };
  if (!Array.isArray(list.items)) throw new Error('kubectl get namespaces -o json returned no items array');
  return list.items.map((item) => item.metadata?.name ?? '').filter((name) => name !== '' && !KEPT_NAMESPACES.includes(name));
}

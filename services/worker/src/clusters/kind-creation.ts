import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterMetrics } from './cluster-metrics';
import { ClusterError } from './cluster-errors';
import type { KindCli } from './kind-cli';

export interface KindCreation {
  clusterName: string;
  configFile: string;
  nodeImage?: string;
  waitSeconds: number;
  timeoutMs: number;
}

export interface KindCreationDeps {
  kind: KindCli;
  logger: Logger;
  metrics: ClusterMetrics;
  labels: { provider: string; cluster: string };
  /** Removes what a failed create left; runs even when the creation was aborted. */
  removeLeftovers: () => Promise<void>;
}

/** `kind create cluster` and its kubeconfig; returns the seconds it took; throws cluster_unavailable. */
export async function createKindCluster(deps: KindCreationDeps, creation: KindCreation): Promise<number> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const { clusterName } = creation;
  deps.logger.info('creating kind cluster', { cluster: clusterName, config: creation.configFile, node_image: creation.nodeImage ?? null });
  try {
    await deps.kind.create({ configFile: creation.configFile, nodeImage: creation.nodeImage, waitSeconds: creation.waitSeconds, timeoutMs: creation.timeoutMs });
    await deps.kind.finishKubeconfig();
  } catch (error) {
    deps.metrics.createSeconds.observe({ ...deps.labels, outcome: 'failure' }, seconds());
    deps.logger.error('kind cluster creation failed', { cluster: clusterName, duration_s: seconds(), error: (error as Error).message });
    await deps.removeLeftovers().catch(() => undefined);
    throw new ClusterError('cluster_unavailable', `kind create cluster ${clusterName} failed: ${(error as Error).message}`, { cause: error });
  }
  deps.metrics.createSeconds.observe({ ...deps.labels, outcome: 'success' }, seconds());
  deps.metrics.tasksSinceCreate.set(deps.labels, 0);
  const took = Math.round(seconds() * 1000) / 1000;
  deps.logger.info('kind cluster created', { cluster: clusterName, duration_s: took });
  return took;
}

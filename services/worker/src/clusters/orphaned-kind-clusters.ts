import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';

/** The label kind puts on every node container: its value is the cluster name. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

const WORKER_CLUSTER_NAME = /^worker-(.+)-kind$/;

/** `worker-<id>-kind` → `<id>`; any other name → null (never ours to touch). */
export function workerIdOfCluster(clusterName: string): string | null {
  return WORKER_CLUSTER_NAME.exec(clusterName)?.[1] ?? null;
}

export interface OrphanCleanupDeps {
  docker: Docker;
  logger: Logger;
  /** This worker: its own cluster is never an orphan (it is reused or recreated instead). */
  ownWorkerId: string;
  isWorkerActive: (workerId: string) => Promise<boolean>;
}

export interface OrphanCleanupResult {
  removed: string[];
  kept: string[];
}

/**
 * Removes the node containers of `worker-*-kind` clusters whose worker is not active. A cluster
 * whose worker cannot be looked up is kept: deleting a live worker's cluster would break its task.
 */
export async function removeOrphanedKindClusters(deps: OrphanCleanupDeps): Promise<OrphanCleanupResult> {
  const containers = await deps.docker.listContainers({ all: true, filters: { label: [KIND_CLUSTER_LABEL] } });
  const byCluster = new Map<string, string[]>();
  for (const container of containers) {
    const cluster = container.Labels?.[KIND_CLUSTER_LABEL];
    if (!cluster) continue;
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), container.Id]);
  }
  const result: OrphanCleanupResult = { removed: [], kept: [] };
  for (const [cluster, ids] of byCluster) {
    const workerId = workerIdOfCluster(cluster);
    if (workerId === null || workerId === deps.ownWorkerId) continue;
    let active: boolean;
    try {
      active = await deps.isWorkerActive(workerId);
    } catch (error) {
      deps.logger.warn('cannot tell whether a cluster owner is active; keeping its cluster', { cluster, owner_worker_id: workerId, error: (error as Error).message });
      result.kept.push(cluster);
      continue;
    }
    if (active) {
      result.kept.push(cluster);
      continue;
    }
    await removeContainers(deps, cluster, ids);
    result.removed.push(cluster);
  }
  return result;
}

async function removeContainers(deps: OrphanCleanupDeps, cluster: string, ids: string[]): Promise<void> {
  deps.logger.info('removing orphaned kind cluster of an offline worker', { cluster, containers: ids.length });
  for (const id of ids) {
    try {
      await deps.docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 404) throw error;
    }
  }
}

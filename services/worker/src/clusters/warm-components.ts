/**
 * What AIOpsLab's CI pre-installs before running problems (.github/workflows/integration-test.yml,
 * "Pre-install OpenEBS" and "Pre-install Prometheus"), and the pure reads that tell whether a
 * cluster still has it. AIOpsLab's orchestrator removes both at the end of every problem.
 */
export type WarmComponent = 'openebs' | 'prometheus';

export const WARM_COMPONENTS: readonly WarmComponent[] = ['openebs', 'prometheus'];

/** Names fixed by AIOpsLab: its OpenEBS manifest's namespace and storage class, and aiopslab/service/metadata/prometheus.json. */
export const OPENEBS_NAMESPACE = 'openebs';
export const OPENEBS_STORAGE_CLASS = 'openebs-hostpath';
export const PROMETHEUS_NAMESPACE = 'observe';
export const PROMETHEUS_RELEASE = 'prometheus';
export const PROMETHEUS_CHART = 'aiopslab/observer/prometheus/prometheus';
export const PROMETHEUS_PVC = 'aiopslab/observer/prometheus/prometheus-pvc.yml';

/** The patch the workflow (and AIOpsLab's init_problem) applies to make OpenEBS the default storage class. */
export const DEFAULT_CLASS_PATCH = '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}';

export interface PodReadiness {
  total: number;
  notReady: string[];
}

interface PodList {
  items?: { metadata?: { name?: string }; status?: { phase?: string; conditions?: { type?: string; status?: string }[] } }[];
}

/** Reads `kubectl get pods -o json`: a pod counts when it is Ready or has Succeeded (as AIOpsLab's wait_for_ready). */
export function parsePodReadiness(json: string): PodReadiness {
  const list = JSON.parse(json) as PodList;
  if (!Array.isArray(list.items)) throw new Error('kubectl get pods -o json returned no items array');
  const notReady: string[] = [];
  for (const pod of list.items) {
    const ready = pod.status?.phase === 'Succeeded' || (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
    if (!ready) notReady.push(pod.metadata?.name ?? '(unnamed)');
  }
  return { total: list.items.length, notReady };
}

/** True when all pods of a namespace are ready and there is at least one. */
export function allPodsReady(readiness: PodReadiness): boolean {
  return readiness.total > 0 && readiness.notReady.length === 0;
}

/** Reads `kubectl get storageclass <name> -o json`: is it annotated as the default class? */
export function isDefaultStorageClass(json: string): boolean {
  const sc = JSON.parse(json) as { metadata?: { annotations?: Record<string, string> } };
  return sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
}

/** Reads `helm status` output the way AIOpsLab's Prometheus._is_prometheus_running does: `STATUS: deployed`. */
export function helmReleaseStatus(output: string): string | null {
  for (const line of output.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('STATUS:')) return trimmed.slice('STATUS:'.length).trim().toLowerCase();
  }
  return null;
}

import { abortableSleep, throwIfAborted } from './abortable';
import type { CommandRunner } from './command-runner';

export interface NodeReadiness {
  total: number;
  ready: number;
  notReady: string[];
}

export interface ClusterHealth {
  healthy: boolean;
  /** Why it is unhealthy (null when healthy). */
  reason: string | null;
  nodes: NodeReadiness | null;
  durationMs: number;
}

interface NodeList {
  items?: { metadata?: { name?: string }; status?: { conditions?: { type?: string; status?: string }[] } }[];
}

/** Reads `kubectl get nodes -o json`: a node is ready when its Ready condition is "True". */
export function parseNodeReadiness(json: string): NodeReadiness {
  const list = JSON.parse(json) as NodeList;
  if (!Array.isArray(list.items)) throw new Error('kubectl get nodes -o json returned no items array');
  const notReady: string[] = [];
  for (const node of list.items) {
    const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    if (!ready) notReady.push(node.metadata?.name ?? '(unnamed)');
  }
  return { total: list.items.length, ready: list.items.length - notReady.length, notReady };
}

export interface HealthProbeTarget {
  kubeconfig: string;
  context: string;
  timeoutMs: number;
}

/**
 * Probes a cluster through its own kubeconfig and context (never the current context of a shared
 * file): the API server answers /readyz, and every node is Ready.
 */
export async function probeClusterHealth(run: CommandRunner, target: HealthProbeTarget): Promise<ClusterHealth> {
  const started = Date.now();
  const seconds = Math.max(1, Math.ceil(target.timeoutMs / 1000));
  const base = ['--kubeconfig', target.kubeconfig, '--context', target.context, `--request-timeout=${seconds}s`];
  const options = { timeoutMs: target.timeoutMs + 5000, env: { KUBECONFIG: target.kubeconfig } };
  const unhealthy = (reason: string, nodes: NodeReadiness | null = null): ClusterHealth => ({ healthy: false, reason, nodes, durationMs: Date.now() - started });
  try {
    const readyz = await run('kubectl', [...base, 'get', '--raw', '/readyz'], options);
    if (readyz.stdout.trim() !== 'ok') return unhealthy(`API server /readyz answered ${JSON.stringify(readyz.stdout.trim().slice(0, 200))}`);
  } catch (error) {
    return unhealthy(`API server not reachable: ${(error as Error).message}`);
  }
  let nodes: NodeReadiness;
  try {
    const listed = await run('kubectl', [...base, 'get', 'nodes', '-o', 'json'], options);
    nodes = parseNodeReadiness(listed.stdout);
  } catch (error) {
    return unhealthy(`cannot list nodes: ${(error as Error).message}`);
  }
  if (nodes.total === 0) return unhealthy('the cluster has no nodes', nodes);
  if (nodes.notReady.length > 0) return unhealthy(`nodes not Ready: ${nodes.notReady.join(', ')}`, nodes);
  return { healthy: true, reason: null, nodes, durationMs: Date.now() - started };
}

/** Probes until healthy or the grace period is over; returns the last probe. */
export async function waitUntilHealthy(probe: () => Promise<ClusterHealth>, options: { graceMs: number; pollIntervalMs: number; signal: AbortSignal }): Promise<ClusterHealth> {
  const deadline = Date.now() + options.graceMs;
  for (;;) {
    throwIfAborted(options.signal);
    const health = await probe();
    if (health.healthy || Date.now() + options.pollIntervalMs > deadline) return health;
    await abortableSleep(options.pollIntervalMs, options.signal);
  }
}

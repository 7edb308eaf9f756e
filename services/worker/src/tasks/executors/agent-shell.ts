import type { ClusterConfig } from '../../clusters/cluster-config';
import type { ClusterHandle } from '../../clusters/cluster-provider';

/** Where the agent's exec_shell runs (docs/runner-protocol.md, `agent_shell` in the spec). */
export type AgentShellSpec =
  | { mode: 'kind'; container: string }
  | { mode: 'localhost' }
  | { mode: 'ssh'; host: string; user: string | null; key_path: string | null };

/**
 * As upstream runs it: with Kind, inside the cluster's control-plane container — this worker's
 * own, `<cluster>-control-plane`, not upstream's hard-coded `kind-control-plane` — so the agent
 * never shares the worker's environment or Docker socket. An existing cluster offers localhost or
 * ssh, as upstream does; without a cluster, localhost.
 */
export function agentShellFor(cluster: ClusterHandle, config: Pick<ClusterConfig, 'EXISTING_AGENT_SHELL' | 'EXISTING_SSH_HOST' | 'EXISTING_SSH_USER' | 'EXISTING_SSH_KEY'>): AgentShellSpec {
  if (cluster.provider === 'kind' && cluster.name) return { mode: 'kind', container: `${cluster.name}-control-plane` };
  if (cluster.provider === 'existing' && config.EXISTING_AGENT_SHELL === 'ssh' && config.EXISTING_SSH_HOST) {
    return { mode: 'ssh', host: config.EXISTING_SSH_HOST, user: config.EXISTING_SSH_USER ?? null, key_path: config.EXISTING_SSH_KEY ?? null };
  }
  return { mode: 'localhost' };
}

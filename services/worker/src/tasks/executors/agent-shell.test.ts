import { agentShellFor } from './agent-shell';
import { DEFAULT_CLUSTER_CONFIG } from '../../clusters/cluster-config';
import type { ClusterHandle } from '../../clusters/cluster-provider';

const kind: ClusterHandle = { provider: 'kind', name: 'worker-w7-kind', kubeconfig: '/k', context: 'kind-worker-w7-kind' };
const existing: ClusterHandle = { provider: 'existing', name: null, kubeconfig: '/k', context: 'lab' };

describe('agentShellFor', () => {
  it("runs a Kind worker's agent shell in that worker's own control-plane container", () => {
    expect(agentShellFor(kind, DEFAULT_CLUSTER_CONFIG)).toEqual({ mode: 'kind', container: 'worker-w7-kind-control-plane' });
  });

  it('offers localhost or ssh for an existing cluster, as upstream does', () => {
    expect(agentShellFor(existing, DEFAULT_CLUSTER_CONFIG)).toEqual({ mode: 'localhost' });
    const ssh = { ...DEFAULT_CLUSTER_CONFIG, EXISTING_AGENT_SHELL: 'ssh' as const, EXISTING_SSH_HOST: 'node-1', EXISTING_SSH_USER: 'ops' };
    expect(agentShellFor(existing, ssh)).toEqual({ mode: 'ssh', host: 'node-1', user: 'ops', key_path: null });
  });

  it('uses localhost without a cluster', () => {
    expect(agentShellFor({ provider: 'none', name: null, kubeconfig: null, context: null }, DEFAULT_CLUSTER_CONFIG)).toEqual({ mode: 'localhost' });
  });
});

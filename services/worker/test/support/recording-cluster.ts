import type { ClusterHandle, ClusterProvider, ClusterUsage } from '../../src/clusters/cluster-provider';

/**
 * A ClusterProvider stand-in that records preparations and releases, and can fail its first
 * preparations (the cluster cannot be made ready) or acquisitions (it turned unhealthy while idle).
 */
export class RecordingClusterProvider implements ClusterProvider {
  readonly name = 'kind' as const;
  readonly releases: ClusterUsage[] = [];
  preparations = 0;
  acquisitions = 0;
  isReady = false;

  constructor(private failing: { preparations?: number; acquisitions?: number } = {}) {}

  async checkPrerequisites(): Promise<void> {}
  async start(): Promise<void> {}
  async prepare(): Promise<null> {
    this.preparations++;
    if ((this.failing.preparations ?? 0) > 0) {
      this.failing.preparations!--;
      throw new Error('kind create cluster failed: node container exited');
    }
    this.isReady = true;
    return null;
  }
  async acquire(): Promise<ClusterHandle> {
    this.acquisitions++;
    if ((this.failing.acquisitions ?? 0) > 0) {
      this.failing.acquisitions!--;
      this.isReady = false;
      throw new Error('kind cluster worker-test-kind turned unhealthy while idle');
    }
    return { provider: 'kind', name: 'worker-test-kind', kubeconfig: '/tmp/worker-test-kind.kubeconfig', context: 'kind-worker-test-kind' };
  }
  async release(usage: ClusterUsage): Promise<void> {
    this.releases.push(usage);
    if (usage !== 'untouched') this.isReady = false;
  }
  async shutdown(): Promise<void> {}
}

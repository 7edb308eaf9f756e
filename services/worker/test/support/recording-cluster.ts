import type { ClusterHandle, ClusterProvider, RunOutcome } from '../../src/clusters/cluster-provider';

/** A ClusterProvider stand-in that records releases and can fail its first acquisitions. */
export class RecordingClusterProvider implements ClusterProvider {
  readonly name = 'kind' as const;
  readonly releases: RunOutcome[] = [];
  acquisitions = 0;

  constructor(private failingAcquisitions = 0) {}

  async checkPrerequisites(): Promise<void> {}
  async start(): Promise<void> {}
  async acquire(): Promise<ClusterHandle> {
    this.acquisitions++;
    if (this.failingAcquisitions > 0) {
      this.failingAcquisitions--;
      throw new Error('kind create cluster failed: node container exited');
    }
    return { provider: 'kind', name: 'worker-test-kind', kubeconfig: '/tmp/worker-test-kind.kubeconfig', context: 'kind-worker-test-kind' };
  }
  async release(outcome: RunOutcome): Promise<void> {
    this.releases.push(outcome);
  }
  async shutdown(): Promise<void> {}
}

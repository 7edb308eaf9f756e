import type { ClusterHandle, ClusterProvider } from './cluster-provider';

/** No cluster at all: for stand-in runners and dry runs. */
export class NoneClusterProvider implements ClusterProvider {
  readonly name = 'none' as const;
  async checkPrerequisites(): Promise<void> {}
  async start(): Promise<void> {}
  async acquire(): Promise<ClusterHandle> {
    return { provider: 'none', name: null, kubeconfig: null, context: null };
  }
  async release(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

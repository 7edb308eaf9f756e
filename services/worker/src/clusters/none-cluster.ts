import type { ClusterHandle, ClusterProvider } from './cluster-provider';

/** No cluster at all: for stand-in runners and dry runs. Always ready; nothing to prepare. */
export class NoneClusterProvider implements ClusterProvider {
  readonly name = 'none' as const;
  readonly isReady = true;
  async checkPrerequisites(): Promise<void> {}
  async start(): Promise<void> {}
  async prepare(): Promise<null> {
    return null;
  }
  async acquire(): Promise<ClusterHandle> {
    return { provider: 'none', name: null, kubeconfig: null, context: null };
  }
  async release(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

import type { ClusterProvider, ClusterProviderName } from './cluster-provider';
import { NoneClusterProvider } from './none-cluster';

export function createClusterProvider(name: ClusterProviderName): ClusterProvider {
  switch (name) {
    case 'none':
      return new NoneClusterProvider();
    default:
      throw new Error(`CLUSTER_PROVIDER=${name} is not available yet; use CLUSTER_PROVIDER=none`);
  }
}

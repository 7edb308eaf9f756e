import { loadApiConfig } from '../../../services/api/src/config';
import { loadHistoryConfig } from '../../../services/history/src/config';
import { loadWorkerSettings, selectPassthrough, DEFAULT_RUNNER_ENV_PASSTHROUGH } from '../../../services/worker/src/config';
import { clusterEnvProperties } from '../../../services/worker/src/clusters/cluster-config';

export type ServiceName = 'api' | 'worker' | 'history' | 'migrate';

/**
 * The environment variables a config loader reads, found by running the service's own loader on
 * an environment that records every name asked for (loadConfig reads exactly its schema's keys),
 * so this list can never drift from the code.
 */
export function namesReadBy(load: (env: Record<string, string | undefined>) => unknown): Set<string> {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_target, key) {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  try {
    load(env);
  } catch {
    // a loader may reject the empty environment after reading every name; the names are what counts
  }
  return read;
}

export function serviceEnvNames(): Record<ServiceName, Set<string>> {
  const worker = namesReadBy((env) => loadWorkerSettings(env, { hostname: 'test-host' }));
  // The cluster provider's settings are part of the worker's environment (cluster-config.ts).
  for (const name of Object.keys(clusterEnvProperties)) worker.add(name);
  return {
    api: namesReadBy(loadApiConfig),
    worker,
    history: namesReadBy(loadHistoryConfig),
    migrate: new Set(['DATABASE_URL']),
  };
}

/**
 * Variables set on the worker container that the Node worker does not read itself:
 * the image's entrypoint (deploy/worker/entrypoint.sh), kind, docker and the runner read them.
 */
export const WORKER_CONTAINER_ONLY = new Set([
  'WORKER_JOIN_KIND_NETWORK', // entrypoint: join the kind Docker network (compose)
  'WORKER_RUN_AS_ROOT', // entrypoint: skip the drop to uid 10001
  'KIND_EXPERIMENTAL_DOCKER_NETWORK', // entrypoint and kind: the network's name
  'DOCKER_HOST', // docker CLI, kind and dockerode: the dind socket (k8s)
]);

/** Variables the deployment sets that a worker must read but does not yet (none left). */
export const WORKER_REQUESTED = new Set<string>();

/** Names the k8s manifests define only to build AMQP_URL and the pooler's DATABASE_URL from the operators' secrets ($(VAR) expansion). */
export const K8S_COMPOSITION_ONLY = new Set(['AMQP_USERNAME', 'AMQP_PASSWORD', 'DB_USERNAME', 'DB_PASSWORD']);

/** True when the worker hands `name` to the runner (LLM credentials and the like). */
export function passedToRunner(name: string): boolean {
  return name in selectPassthrough({ [name]: 'x' }, DEFAULT_RUNNER_ENV_PASSTHROUGH);
}

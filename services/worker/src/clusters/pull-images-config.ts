import { type EnvSchema, loadConfig } from '@aiopslab/shared/config/load-config';
import { clusterEnvProperties } from './cluster-config';

/**
 * The settings `npm run images:pull` reads: the worker's own preload selection (cluster-config.ts),
 * so the host is filled with exactly what the workers preload.
 */
export interface PullImagesEnv {
  KIND_PRELOAD_APPS: string;
  KIND_PRELOAD_IMAGES_FILE?: string;
}

export const pullImagesEnvSchema: EnvSchema = {
  type: 'object',
  properties: {
    KIND_PRELOAD_APPS: clusterEnvProperties.KIND_PRELOAD_APPS,
    KIND_PRELOAD_IMAGES_FILE: clusterEnvProperties.KIND_PRELOAD_IMAGES_FILE,
  },
};

/** Throws ConfigError naming every bad variable. */
export function loadPullImagesSettings(env: Record<string, string | undefined>): Readonly<PullImagesEnv> {
  return loadConfig<PullImagesEnv>(pullImagesEnvSchema, env);
}

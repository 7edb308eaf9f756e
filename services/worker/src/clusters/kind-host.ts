import { mkdir } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { isInEngine } from './image-preload';

/** What the Kind nodes need from the Docker host, checked when the worker starts (warnings only). */

/** AIOpsLab's kind config mounts this host directory into the nodes (OpenEBS NDM). */
export async function ensureUdevDir(dir: string, logger: Logger): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    // In a container, the Docker daemon creates the bind-mount source on the host anyway.
    logger.warn('cannot create the udev directory the kind nodes mount', { path: dir, error: (error as Error).message });
  }
}

/** kind would pull a missing node image from a registry, where the default pinned one is not published. */
export async function warnIfNodeImageAbsent(docker: Docker, image: string | undefined, logger: Logger): Promise<void> {
  if (!image || (await isInEngine(docker, image))) return;
  logger.warn('the Kind node image is not in the Docker engine; kind will try to pull it', { image, build: 'docker compose --profile kind build kind-node-image (docs/real-aiopslab.md)' });
}

import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { CommandRunner } from './command-runner';
import { selectPreloadImages, type PreloadSelection } from './preload-selection';

export interface ImagePreloadTarget {
  clusterName: string;
  kubeconfig: string;
  selection: PreloadSelection;
  timeoutMs: number;
}

export interface ImagePreloadResult {
  loaded: string[];
  /** Listed but not in the Docker engine: the nodes pull these themselves when a problem needs them. */
  absent: string[];
  /** In the engine, but `kind load` failed or the time was used up. */
  failed: string[];
  /** The first reason of a failure, or null. */
  failure: string | null;
}

/**
 * Loads into a new cluster every selected image (the chosen apps' and the shared components', or an
 * explicit list) that the Docker engine already holds, one
 * `kind load docker-image <image> --name <cluster>` each, as AIOpsLab's kind/load_images.sh does:
 * kind saves each image to a temporary tar first, so one at a time bounds the disk it needs, and
 * one bad image does not void the rest. Images are not pulled here: the host's engine is shared
 * by every worker on it, so an operator pulls once per host (docs/real-aiopslab.md) and every
 * cluster loads from there without the network. Never throws: a node pulls what it lacks, later.
 */
export async function preloadImages(deps: { run: CommandRunner; docker: Docker; logger: Logger }, target: ImagePreloadTarget): Promise<ImagePreloadResult> {
  const result: ImagePreloadResult = { loaded: [], absent: [], failed: [], failure: null };
  let listed: string[];
  try {
    listed = await selectPreloadImages(target.selection);
  } catch (error) {
    return { ...result, failure: (error as Error).message };
  }
  const present: string[] = [];
  for (const image of listed) (await isInEngine(deps.docker, image) ? present : result.absent).push(image);
  const deadline = Date.now() + target.timeoutMs;
  for (const image of present) {
    const remainingMs = deadline - Date.now();
    try {
      if (remainingMs <= 0) throw new Error(`KIND_PRELOAD_TIMEOUT_SECONDS (${target.timeoutMs / 1000} s) used up`);
      await deps.run('kind', ['load', 'docker-image', image, '--name', target.clusterName], { timeoutMs: remainingMs, env: { KUBECONFIG: target.kubeconfig } });
      result.loaded.push(image);
    } catch (error) {
      result.failed.push(image);
      result.failure ??= `${image}: ${(error as Error).message}`;
    }
  }
  return result;
}

/** True when the Docker engine holds the image (GET /images/{name}/json). */
export async function isInEngine(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

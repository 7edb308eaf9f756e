import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { CommandRunner } from './command-runner';
import { parseImageList } from './image-list';

export interface ImagePreloadTarget {
  clusterName: string;
  kubeconfig: string;
  listFile: string;
  timeoutMs: number;
}

export interface ImagePreloadResult {
  loaded: string[];
  /** Listed but not in the Docker engine: the nodes pull these themselves when a problem needs them. */
  absent: string[];
  /** Why `kind load` failed, or null. */
  failure: string | null;
}

/**
 * Loads into a new cluster every listed image the Docker engine already holds, in one
 * `kind load docker-image <images...> --name <cluster>` (what AIOpsLab's kind/load_images.sh does
 * image by image). Images are not pulled here: the host's engine is shared by every worker on it,
 * so an operator pulls once per host (docs/real-aiopslab.md) and every cluster of every worker
 * loads from there without the network. Never throws: a cold node pulls what it lacks, later.
 */
export async function preloadImages(deps: { run: CommandRunner; docker: Docker; logger: Logger }, target: ImagePreloadTarget): Promise<ImagePreloadResult> {
  let listed: string[];
  try {
    listed = parseImageList(await readFile(target.listFile, 'utf8'));
  } catch (error) {
    return { loaded: [], absent: [], failure: `cannot read KIND_PRELOAD_IMAGES_FILE=${target.listFile}: ${(error as Error).message}` };
  }
  const present: string[] = [];
  const absent: string[] = [];
  for (const image of listed) {
    if (await isInEngine(deps.docker, image)) present.push(image);
    else absent.push(image);
  }
  if (present.length === 0) return { loaded: [], absent, failure: null };
  const args = ['load', 'docker-image', ...present, '--name', target.clusterName];
  try {
    await deps.run('kind', args, { timeoutMs: target.timeoutMs, env: { KUBECONFIG: target.kubeconfig } });
  } catch (error) {
    return { loaded: [], absent, failure: (error as Error).message };
  }
  return { loaded: present, absent, failure: null };
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

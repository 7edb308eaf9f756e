import type Docker from 'dockerode';
import { isInEngine } from '../clusters/image-preload';
import { type HostCheck, ok, problem, skip } from './host-check';
import { MISSING_IMAGES_SHOWN } from './host-requirements';

/** The images of `images` the engine does not hold, in list order; a few inspections at a time. */
export async function missingImages(docker: Docker, images: readonly string[], concurrency = 8): Promise<string[]> {
  const present = new Array<boolean>(images.length);
  let next = 0;
  const inspectNext = async (): Promise<void> => {
    while (next < images.length) {
      const index = next++;
      present[index] = await isInEngine(docker, images[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, images.length) }, inspectNext));
  return images.filter((_, index) => !present[index]);
}

/** kind would try to pull a node image the engine lacks, and the default pinned one is published nowhere. */
export function checkNodeImage(image: string, present: boolean): HostCheck {
  if (present) return ok('node-image', 'Kind node image', `${image} is in the Docker engine`);
  return problem(
    'node-image',
    'Kind node image',
    'fail',
    `${image} (KIND_NODE_IMAGE) is not in the Docker engine`,
    'docker compose --profile kind build kind-node-image   (or: docker build -f services/worker/kind/node.Dockerfile -t aiopslab/kind-node:v1.32.1 services/worker/kind)',
  );
}

/** `source` names the selection (the list file, or the manifest and its apps); `pull` fills the engine. */
export type ImageListProbe = { listed: true; source: string; pull: string; wanted: number; missing: string[] } | { listed: false; source: string; error: string };

/**
 * Images missing from the engine are pulled by the nodes when a problem needs them, which is what
 * makes cold setups overrun AIOpsLab's 300 s readiness waits: a warning, not a failure.
 */
export function checkPreloadImages(probe: ImageListProbe, preloadEnabled: boolean): HostCheck {
  const name = 'preload images';
  if (!preloadEnabled) return skip('preload-images', name, 'KIND_PRELOAD_IMAGES=false: the nodes pull every image themselves');
  if (!probe.listed) {
    return problem('preload-images', name, 'fail', probe.error, 'correct KIND_PRELOAD_IMAGES_FILE or KIND_PRELOAD_APPS as the message says, or set KIND_PRELOAD_IMAGES=false');
  }
  if (probe.missing.length === 0) return ok('preload-images', name, `all ${probe.wanted} images (${probe.source}) are in the Docker engine`);
  const shown = probe.missing.slice(0, MISSING_IMAGES_SHOWN).join(', ');
  const more = probe.missing.length > MISSING_IMAGES_SHOWN ? `, and ${probe.missing.length - MISSING_IMAGES_SHOWN} more` : '';
  return problem('preload-images', name, 'warn', `${probe.missing.length} of ${probe.wanted} images (${probe.source}) missing from the Docker engine: ${shown}${more}`, probe.pull);
}

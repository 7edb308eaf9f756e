import { readFile } from 'node:fs/promises';
import { parseImageList } from '../clusters/image-list';

/**
 * The images a Kind worker wants in the Docker engine before its first cluster. Adapter over the
 * union list the worker preloads (KIND_PRELOAD_IMAGES_FILE, by default AIOpsLab's kind/images.txt);
 * when clusters/image-manifest.ts exists, this becomes
 * `imagesForApps(await loadImageManifest(file), 'all')` with the same result shape.
 */
export async function imagesWanted(listFile: string): Promise<string[]> {
  return parseImageList(await readFile(listFile, 'utf8'));
}

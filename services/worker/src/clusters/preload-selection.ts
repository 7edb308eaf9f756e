import { readFile } from 'node:fs/promises';
import { parseImageList } from './image-list';
import { DEFAULT_IMAGE_MANIFEST_FILE, imagesForApps, loadImageManifest } from './image-manifest';

/**
 * Which images a new cluster gets: an explicit list file (KIND_PRELOAD_IMAGES_FILE) as given, or
 * else the image manifest's components plus the chosen apps' images (KIND_PRELOAD_APPS).
 */
export interface PreloadSelection {
  listFile?: string;
  /** Default: services/worker/kind/images-by-app.json. */
  manifestFile?: string;
  /** Default: all. */
  apps?: readonly string[] | 'all';
}

/** Parses KIND_PRELOAD_APPS: `all`, or app names separated by commas. */
export function parsePreloadApps(value: string | undefined): readonly string[] | 'all' {
  const names = (value ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  return names.length === 0 || names.includes('all') ? 'all' : names;
}

/** Throws with what to fix when the list or manifest cannot be read or names an unknown app. */
export async function selectPreloadImages(selection: PreloadSelection): Promise<string[]> {
  if (selection.listFile) {
    try {
      return parseImageList(await readFile(selection.listFile, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read KIND_PRELOAD_IMAGES_FILE=${selection.listFile}: ${(error as Error).message}`);
    }
  }
  const manifest = await loadImageManifest(selection.manifestFile ?? DEFAULT_IMAGE_MANIFEST_FILE);
  try {
    return imagesForApps(manifest, selection.apps ?? 'all');
  } catch (error) {
    throw new Error(`KIND_PRELOAD_APPS: ${(error as Error).message}`);
  }
}

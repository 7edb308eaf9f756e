import path from 'node:path';
import { parsePreloadApps, type PreloadSelection, selectPreloadImages } from '../clusters/preload-selection';

export interface PreloadSettings {
  /** KIND_PRELOAD_IMAGES_FILE: an explicit list wins over the manifest. */
  listFile?: string;
  /** KIND_PRELOAD_APPS (also what `npm run images:pull` pulls): `all` or app names. */
  apps?: string;
}

/** The selection a worker makes (clusters/preload-selection.ts), from the same settings. */
export function preloadSelectionOf(settings: PreloadSettings): PreloadSelection {
  return { listFile: settings.listFile ? path.resolve(settings.listFile) : undefined, apps: parsePreloadApps(settings.apps) };
}

/** The images a Kind worker wants in the Docker engine before it creates a cluster. */
export function imagesWanted(selection: PreloadSelection): Promise<string[]> {
  return selectPreloadImages(selection);
}

/** What puts those images into the engine: `npm run images:pull`, which makes the same selection (with the list file named). */
export function pullCommand(selection: PreloadSelection): string {
  return selection.listFile ? `KIND_PRELOAD_IMAGES_FILE=${selection.listFile} npm run images:pull` : 'npm run images:pull';
}

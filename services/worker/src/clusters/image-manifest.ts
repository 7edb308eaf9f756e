import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** services/worker/kind/images-by-app.json, written by kind/generate_image_manifest.py. */
export const DEFAULT_IMAGE_MANIFEST_FILE = path.resolve(__dirname, '../../kind/images-by-app.json');

export interface ImageGroup {
  images: string[];
  /** Components only: loaded only with these apps (Chaos Mesh, which only their problems install). Absent: every problem uses it. */
  for_apps?: string[];
}

export interface ImageManifest {
  /** Prometheus, OpenEBS, the wrk2 workload generator, Chaos Mesh. */
  components: Record<string, ImageGroup>;
  /** Keyed by app name: hotel_reservation, social_network, astronomy_shop, ... */
  apps: Record<string, ImageGroup>;
  /** Problem id -> the app it deploys. */
  problems: Record<string, string>;
}

export class ImageManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageManifestError';
  }
}

export async function loadImageManifest(file: string = DEFAULT_IMAGE_MANIFEST_FILE): Promise<ImageManifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ImageManifestError(`cannot read the image manifest ${file}: ${(error as Error).message}; regenerate it with services/worker/kind/generate_image_manifest.py`);
  }
  const manifest = parsed as Partial<ImageManifest>;
  for (const key of ['components', 'apps', 'problems'] as const) {
    if (typeof manifest[key] !== 'object' || manifest[key] === null) throw new ImageManifestError(`the image manifest ${file} has no "${key}" object; regenerate it with services/worker/kind/generate_image_manifest.py`);
  }
  return manifest as ImageManifest;
}

/**
 * The images to load for these apps: every component's (Chaos Mesh only with the apps it serves)
 * plus the apps' own, each once, in manifest order. Throws on an app the manifest does not know.
 */
export function imagesForApps(manifest: ImageManifest, apps: readonly string[] | 'all'): string[] {
  const chosen = apps === 'all' ? Object.keys(manifest.apps) : [...apps];
  const unknown = chosen.filter((app) => !(app in manifest.apps));
  if (unknown.length > 0) throw new ImageManifestError(`unknown app(s) ${unknown.join(', ')}; known apps: ${Object.keys(manifest.apps).join(', ')}`);
  const groups = [
    ...Object.values(manifest.components).filter((c) => !c.for_apps || c.for_apps.some((app) => chosen.includes(app))),
    ...chosen.map((app) => manifest.apps[app]),
  ];
  return [...new Set(groups.flatMap((group) => group.images))];
}

/** The apps these problems deploy, each once, in the order first met. Throws on an unknown problem id. */
export function appsForProblems(manifest: ImageManifest, problemIds: readonly string[]): string[] {
  const unknown = problemIds.filter((id) => !(id in manifest.problems));
  if (unknown.length > 0) {
    throw new ImageManifestError(`unknown problem id(s) ${unknown.join(', ')}: not in AIOpsLab's registry as the image manifest recorded it (regenerate services/worker/kind/images-by-app.json if upstream changed)`);
  }
  return [...new Set(problemIds.map((id) => manifest.problems[id]))];
}

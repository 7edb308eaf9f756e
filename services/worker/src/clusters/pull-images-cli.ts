import path from 'node:path';
import Docker from 'dockerode';
import { isInEngine } from './image-preload';
import { loadPullImagesSettings } from './pull-images-config';
import { dockerCliPuller, type ImagePuller, pullMissingImages, type PullSummary } from './pull-images';
import { imagesForApps, loadImageManifest } from './image-manifest';
import { parsePreloadApps, selectPreloadImages } from './preload-selection';

export const PULL_IMAGES_USAGE = `Usage: npm run images:pull -- [--apps all|app,app] [--dry-run]

Pulls into this host's Docker engine the images the Kind workers preload into every new cluster
(kind load docker-image), so no cluster fetches them from a registry: the shared components
(Prometheus, OpenEBS, the wrk2 workload; Chaos Mesh with the apps whose problems use it) and the
chosen apps' images, from services/worker/kind/images-by-app.json. The same selection as the
workers', from the same settings:
  --apps          default KIND_PRELOAD_APPS, else all
  KIND_PRELOAD_IMAGES_FILE=<list>   an explicit list (e.g. services/worker/kind/images.txt, AIOpsLab's
                  union list) wins over the apps, as in the workers
  --dry-run       print the images, one per line, and pull nothing

Images the engine holds are skipped; a failed pull is reported and the others go on.
Exit code: 0 every image is present, 1 a pull failed or the engine is unreachable, 2 bad usage.`;

export interface PullImagesIo {
  out(text: string): void;
  err(text: string): void;
  /** The Docker client that checks presence; a function defers construction (a bad DOCKER_HOST throws there). */
  docker: () => Docker;
  pull: ImagePuller;
}

type Parsed = { help: true } | { help: false; apps?: string; dryRun: boolean };

function parseArgs(argv: readonly string[]): Parsed {
  const parsed: { apps?: string; dryRun: boolean } = { dryRun: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--dry-run') parsed.dryRun = true;
    else if (arg === '--apps') {
      if (i + 1 >= argv.length) throw new Error('--apps needs a value: all, or app names separated by commas');
      parsed.apps = argv[++i];
    } else if (arg.startsWith('--apps=')) parsed.apps = arg.slice('--apps='.length);
    else throw new Error(`unknown argument ${arg}`);
  }
  return { help: false, ...parsed };
}

/**
 * The worker's preload selection for these settings (preload-selection.ts, image-manifest.ts):
 * KIND_PRELOAD_IMAGES_FILE's list when set, else the manifest's images for --apps, else for
 * KIND_PRELOAD_APPS. Throws with what to fix.
 */
async function selectImages(env: Record<string, string | undefined>, apps: string | undefined, io: PullImagesIo): Promise<{ images: string[]; source: string }> {
  const settings = loadPullImagesSettings(env);
  if (settings.KIND_PRELOAD_IMAGES_FILE) {
    const listFile = path.resolve(settings.KIND_PRELOAD_IMAGES_FILE);
    if (apps !== undefined) io.err(`pull-images: --apps ${apps} is ignored: KIND_PRELOAD_IMAGES_FILE=${listFile} is set, and its list wins (as in the workers)`);
    return { images: await selectPreloadImages({ listFile }), source: `KIND_PRELOAD_IMAGES_FILE=${listFile}` };
  }
  const [name, value] = apps !== undefined ? ['--apps', apps] : ['KIND_PRELOAD_APPS', settings.KIND_PRELOAD_APPS];
  const manifest = await loadImageManifest();
  try {
    return { images: imagesForApps(manifest, parsePreloadApps(value)), source: `manifest, ${name}=${value}` };
  } catch (error) {
    throw new Error(`${name}=${value}: ${(error as Error).message}`);
  }
}

/** `npm run images:pull`: selects, then pulls what the engine lacks; returns the exit code. */
export async function pullImagesCli(argv: readonly string[], env: Record<string, string | undefined>, io: PullImagesIo): Promise<number> {
  let images: string[];
  let source: string;
  let dryRun: boolean;
  try {
    const parsed = parseArgs(argv);
    if (parsed.help) {
      io.out(PULL_IMAGES_USAGE);
      return 0;
    }
    dryRun = parsed.dryRun;
    ({ images, source } = await selectImages(env, parsed.apps, io));
  } catch (error) {
    io.err(`pull-images: ${(error as Error).message}\n\n${PULL_IMAGES_USAGE}`);
    return 2;
  }
  if (dryRun) {
    for (const image of images) io.out(image);
    return 0;
  }
  return pullAll(images, source, io);
}

async function pullAll(images: string[], source: string, io: PullImagesIo): Promise<number> {
  let docker: Docker;
  try {
    docker = io.docker();
    await docker.ping();
  } catch (error) {
    io.err(`pull-images: the Docker engine is not reachable (${(error as Error).message}): start Docker, or set DOCKER_HOST to the engine the workers use`);
    return 1;
  }
  io.out(`pull-images: ${images.length} images (${source})`);
  let summary: PullSummary;
  try {
    summary = await pullMissingImages(images, { isPresent: (image) => isInEngine(docker, image), pull: io.pull, out: io.out });
  } catch (error) {
    io.err(`pull-images: ${(error as Error).message}`); // the docker CLI cannot start: no pull can succeed
    return 1;
  }
  io.out(`pull-images: ${summary.pulled.length} pulled, ${summary.present.length} already present, ${summary.failed.length} failed`);
  if (summary.failed.length === 0) return 0;
  io.err(`pull-images: ${summary.failed.length} of ${images.length} images could not be pulled; check the network and registry access, then run again (present images are skipped):`);
  for (const line of summary.failed) io.err(`  ${line}`);
  return 1;
}

if (require.main === module) {
  // `npm run images:pull -- --dry-run | head`: a closed pipe ends the listing, not in a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const io: PullImagesIo = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    docker: () => new Docker({ timeout: 30_000 }),
    pull: dockerCliPuller((text) => process.stderr.write(text)),
  };
  void pullImagesCli(process.argv.slice(2), process.env, io).then((code) => {
    process.exitCode = code;
  });
}

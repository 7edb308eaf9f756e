import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { imagesForApps, loadImageManifest } from '../src/clusters/image-manifest';
import { selectPreloadImages } from '../src/clusters/preload-selection';
import { StandinWorld } from './fixtures/cluster-standins/standin-world';
import { hasImage } from './fixtures/cluster-standins/standin-engine';

/**
 * `npm run images:pull` as a process: the built CLI (npm run build). No test pulls for real (no
 * registry access here): a stand-in `docker` first on PATH records each call and fails the pulls of
 * the images named in FAIL_IMAGES. Whether an image is present is asked of the REAL engine, which
 * holds this test's own tags (world.tagImages).
 */
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.resolve(__dirname, '../dist/clusters/pull-images-cli.js');

let world: StandinWorld;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

beforeEach(() => {
  world = new StandinWorld([], { engine: true });
});

afterEach(() => {
  world.cleanup();
});

/** A bin directory whose `docker` records its arguments, one call per line. */
function standinDocker(): { dir: string; calls: () => string[] } {
  const dir = mkdtempSync(path.join(world.root, 'docker-bin-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(
    path.join(dir, 'docker'),
    `#!/bin/sh\necho "$*" >> '${log}'\n[ "$1" = pull ] || exit 3\ncase " $FAIL_IMAGES " in *" $2 "*) echo "Error response from daemon: pull access denied for $2" >&2; exit 1;; esac\necho "Status: Downloaded newer image for $2"\n`,
  );
  chmodSync(path.join(dir, 'docker'), 0o755);
  return { dir, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

function pullImages(args: string[], env: Record<string, string> = {}, dockerDir = standinDocker().dir) {
  const engine = process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {};
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { PATH: `${dockerDir}:${process.env.PATH ?? ''}`, ...engine, ...env } });
}

const lines = (text: string) => text.trim().split('\n');

describe('npm run images:pull (services/worker/src/clusters/pull-images-cli.ts)', () => {
  test('is the root package script, run from the built worker', () => {
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['images:pull']).toBe('node services/worker/dist/clusters/pull-images-cli.js');
  });

  test('--dry-run prints the images the worker preloads for those apps, one per line, and neither asks the engine nor pulls', async () => {
    const docker = standinDocker();
    const run = pullImages(['--dry-run', '--apps', 'social_network,hotel_reservation'], { DOCKER_HOST: `unix://${path.join(world.root, 'no-engine.sock')}` }, docker.dir);
    expect(run.status).toBe(0);
    expect(lines(run.stdout)).toEqual(imagesForApps(await loadImageManifest(), ['social_network', 'hotel_reservation']));
    expect(docker.calls()).toEqual([]);
  });

  test('without --apps it takes KIND_PRELOAD_APPS, then all', async () => {
    const manifest = await loadImageManifest();
    expect(lines(pullImages(['--dry-run'], { KIND_PRELOAD_APPS: 'train_ticket' }).stdout)).toEqual(imagesForApps(manifest, ['train_ticket']));
    expect(lines(pullImages(['--dry-run']).stdout)).toEqual(imagesForApps(manifest, 'all'));
  });

  test('a KIND_PRELOAD_IMAGES_FILE list wins over the apps, as in the worker: its images in order, once each, and --apps is said to be ignored', async () => {
    const list = path.join(world.root, 'images.txt');
    writeFileSync(list, '// upstream format\nmongo:4.4.6\n\n  redis:7  \r\n# another comment\nmongo:4.4.6\nbusybox:1.36\n');
    const run = pullImages(['--dry-run', '--apps', 'hotel_reservation'], { KIND_PRELOAD_IMAGES_FILE: list, KIND_PRELOAD_APPS: 'train_ticket' });
    expect(run.status).toBe(0);
    expect(lines(run.stdout)).toEqual(['mongo:4.4.6', 'redis:7', 'busybox:1.36']);
    expect(lines(run.stdout)).toEqual(await selectPreloadImages({ listFile: list }));
    expect(run.stderr).toContain(`--apps hotel_reservation is ignored: KIND_PRELOAD_IMAGES_FILE=${list} is set`);
  });

  test('pulls each image the engine lacks once with docker pull, goes on after a failure, and lists the failures with exit 1', async () => {
    const docker = standinDocker();
    const selected = imagesForApps(await loadImageManifest(), ['hotel_reservation']);
    // the engine is shared: whatever it already holds is (rightly) skipped
    const lacking = selected.filter((image) => !hasImage(world.engine!, image));
    expect(lacking).toContain('mongo:4.4.6');
    const run = pullImages(['--apps=hotel_reservation'], { FAIL_IMAGES: 'mongo:4.4.6' }, docker.dir);
    expect(docker.calls()).toEqual(lacking.map((image) => `pull ${image}`));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`[1/${lacking.length}] docker pull ${lacking[0]}`);
    expect(run.stdout).toContain(`Status: Downloaded newer image for ${lacking[0]}`);
    expect(run.stdout).toContain(`pull-images: ${lacking.length - 1} pulled, ${selected.length - lacking.length} already present, 1 failed`);
    expect(run.stderr).toContain(`1 of ${selected.length} images could not be pulled`);
    expect(run.stderr).toContain('  mongo:4.4.6 (Error response from daemon: pull access denied for mongo:4.4.6)');
  });

  test('images the engine already holds are skipped; the run succeeds when every pull does', () => {
    const [held, alsoHeld, lacking] = [world.image('present:1.0'), world.image('present:2.0'), world.image('absent:1.0')];
    world.tagImages([held, alsoHeld]);
    const list = path.join(world.root, 'images.txt');
    writeFileSync(list, `${held}\n${lacking}\ndocker.io/${alsoHeld}\n`);
    const docker = standinDocker();
    const run = pullImages([], { KIND_PRELOAD_IMAGES_FILE: list }, docker.dir);
    expect(docker.calls()).toEqual([`pull ${lacking}`]);
    expect(run.stdout).toContain('pull-images: 1 pulled, 2 already present, 0 failed');
    expect(run.status).toBe(0);
  });

  test('an unknown app, an unknown argument, a bad KIND_PRELOAD_APPS and an unreadable list are refused with exit 2 before any pull', () => {
    const docker = standinDocker();
    const unknownApp = pullImages(['--apps', 'hotel'], {}, docker.dir);
    expect(unknownApp.status).toBe(2);
    expect(unknownApp.stderr).toContain('--apps=hotel: unknown app(s) hotel; known apps: hotel_reservation');
    const unknownArgument = pullImages(['--pull-all'], {}, docker.dir);
    expect(unknownArgument.status).toBe(2);
    expect(unknownArgument.stderr).toContain('unknown argument --pull-all');
    expect(unknownArgument.stderr).toContain('Usage: npm run images:pull');
    const badSetting = pullImages([], { KIND_PRELOAD_APPS: 'Hotel-Reservation' }, docker.dir);
    expect(badSetting.status).toBe(2);
    expect(badSetting.stderr).toContain('KIND_PRELOAD_APPS must match pattern');
    const noList = pullImages([], { KIND_PRELOAD_IMAGES_FILE: path.join(world.root, 'none.txt') }, docker.dir);
    expect(noList.status).toBe(2);
    expect(noList.stderr).toContain(`cannot read KIND_PRELOAD_IMAGES_FILE=${path.join(world.root, 'none.txt')}`);
    expect(docker.calls()).toEqual([]);
  });

  test('an unreachable engine or a missing docker CLI stops it with exit 1 and what to do', () => {
    const docker = standinDocker();
    const noEngine = pullImages(['--apps', 'hotel_reservation'], { DOCKER_HOST: `unix://${path.join(world.root, 'no-engine.sock')}` }, docker.dir);
    expect(noEngine.status).toBe(1);
    expect(noEngine.stderr).toContain('the Docker engine is not reachable');
    expect(noEngine.stderr).toContain('set DOCKER_HOST');
    expect(docker.calls()).toEqual([]);

    const list = path.join(world.root, 'images.txt');
    writeFileSync(list, `${world.image('absent:1.0')}\n`);
    const emptyBin = path.join(world.root, 'empty-bin');
    mkdirSync(emptyBin);
    const engine = process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {};
    const noCli = spawnSync(process.execPath, [CLI], { encoding: 'utf8', timeout: 60_000, env: { PATH: emptyBin, KIND_PRELOAD_IMAGES_FILE: list, ...engine } });
    expect(noCli.status).toBe(1);
    expect(noCli.stderr).toContain('the docker CLI could not be started');
  });
});

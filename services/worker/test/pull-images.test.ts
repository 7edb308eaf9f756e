import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { imagesForApps, loadImageManifest } from '../src/clusters/image-manifest';

const ROOT = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(ROOT, 'scripts/pull-images.js');

/**
 * No test pulls for real (the test machines have no registry access): a stand-in `docker` first on
 * PATH records each call and fails for the images named in FAIL_IMAGES.
 */
function fakeDockerPath(): { dir: string; calls: () => string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-docker-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(path.join(dir, 'docker'), `#!/bin/sh\necho "$*" >> "${log}"\ncase " $FAIL_IMAGES " in *" $2 "*) echo "pull denied" >&2; exit 1;; esac\n`);
  chmodSync(path.join(dir, 'docker'), 0o755);
  return { dir, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
}

function pullImages(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
}

describe('scripts/pull-images.js', () => {
  test('--dry-run prints the images the worker preloads for those apps, one per line, and pulls nothing', async () => {
    const docker = fakeDockerPath();
    const run = pullImages(['--dry-run', '--apps', 'social_network,hotel_reservation'], { PATH: `${docker.dir}:${process.env.PATH}` });
    expect(run.status).toBe(0);
    const manifest = await loadImageManifest();
    expect(run.stdout.trim().split('\n')).toEqual(imagesForApps(manifest, ['social_network', 'hotel_reservation']));
    expect(() => docker.calls()).toThrow(/ENOENT/);
  });

  test('without --apps it takes KIND_PRELOAD_APPS, then all', async () => {
    const manifest = await loadImageManifest();
    expect(pullImages(['--dry-run'], { KIND_PRELOAD_APPS: 'train_ticket' }).stdout.trim().split('\n')).toEqual(imagesForApps(manifest, ['train_ticket']));
    expect(pullImages(['--dry-run']).stdout.trim().split('\n')).toEqual(imagesForApps(manifest, 'all'));
  });

  test('pulls each image once with docker pull, goes on after a failure, and lists the failures with exit 1', async () => {
    const docker = fakeDockerPath();
    const expected = imagesForApps(await loadImageManifest(), ['hotel_reservation']);
    const run = pullImages(['--apps=hotel_reservation'], { PATH: `${docker.dir}:${process.env.PATH}`, FAIL_IMAGES: 'mongo:4.4.6' });
    expect(docker.calls()).toEqual(expected.map((image) => `pull ${image}`));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`1 of ${expected.length} images failed`);
    expect(run.stderr).toContain('mongo:4.4.6 (exit 1)');
  });

  test('an unknown app is refused with the known names before any pull', () => {
    const docker = fakeDockerPath();
    const run = pullImages(['--apps', 'hotel'], { PATH: `${docker.dir}:${process.env.PATH}` });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown app(s) hotel; known apps: hotel_reservation');
    expect(() => docker.calls()).toThrow(/ENOENT/);
  });
});

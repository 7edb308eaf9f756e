import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { CommandRunner } from './command-runner';
import { preloadImages } from './image-preload';

const dir = mkdtempSync(path.join(os.tmpdir(), 'image-preload-'));
const manifestFile = path.join(dir, 'images-by-app.json');
writeFileSync(manifestFile, JSON.stringify({
  components: { prometheus: { images: ['quay.io/prometheus/prometheus:v2.47.2'] }, chaos_mesh: { images: ['ghcr.io/chaos-mesh/chaos-mesh:v2.8.3'], for_apps: ['hotel_reservation'] } },
  apps: { hotel_reservation: { images: ['mongo:4.4.6'] }, social_network: { images: ['redis:6.2.4', 'mongo:4.4.6'] } },
  problems: {},
}));

/** A Docker engine holding these images (GET /images/{name}/json answers only for them). */
function engineHolding(images: string[]): Docker {
  return { getImage: (name: string) => ({ inspect: async () => (images.includes(name) ? {} : Promise.reject(new Error('no such image'))) }) } as unknown as Docker;
}

function recordingKind(): { run: CommandRunner; loaded: string[] } {
  const loaded: string[] = [];
  const run: CommandRunner = async (file, args) => {
    if (file === 'kind' && args[0] === 'load') loaded.push(args[2]);
    return { stdout: '', stderr: '' };
  };
  return { run, loaded };
}

const target = (apps: readonly string[] | 'all') => ({ clusterName: 'c1', kubeconfig: '/k', selection: { manifestFile, apps }, timeoutMs: 60_000 });

describe('preloadImages with the image manifest', () => {
  test('loads the components and the chosen app images the engine holds; the others are reported absent', async () => {
    const kind = recordingKind();
    const docker = engineHolding(['quay.io/prometheus/prometheus:v2.47.2', 'redis:6.2.4', 'mongo:4.4.6']);
    const result = await preloadImages({ run: kind.run, docker, logger: {} as Logger }, target(['social_network']));
    expect(kind.loaded).toEqual(['quay.io/prometheus/prometheus:v2.47.2', 'redis:6.2.4', 'mongo:4.4.6']);
    expect(result).toEqual({ loaded: kind.loaded, absent: [], failed: [], failure: null });
  });

  test('an app outside the selection is not loaded even when the engine holds it', async () => {
    const kind = recordingKind();
    const docker = engineHolding(['redis:6.2.4', 'mongo:4.4.6', 'ghcr.io/chaos-mesh/chaos-mesh:v2.8.3']);
    const result = await preloadImages({ run: kind.run, docker, logger: {} as Logger }, target(['hotel_reservation']));
    expect(kind.loaded).toEqual(['ghcr.io/chaos-mesh/chaos-mesh:v2.8.3', 'mongo:4.4.6']);
    expect(result.absent).toEqual(['quay.io/prometheus/prometheus:v2.47.2']);
  });

  test('an unknown app loads nothing and says why, without throwing', async () => {
    const kind = recordingKind();
    const result = await preloadImages({ run: kind.run, docker: engineHolding(['mongo:4.4.6']), logger: {} as Logger }, target(['hotel']));
    expect(kind.loaded).toEqual([]);
    expect(result.failure).toMatch(/^KIND_PRELOAD_APPS: unknown app\(s\) hotel; known apps: hotel_reservation, social_network/);
  });
});

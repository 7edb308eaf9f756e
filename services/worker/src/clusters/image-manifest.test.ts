import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appsForProblems, imagesForApps, loadImageManifest, type ImageManifest } from './image-manifest';

const manifest: ImageManifest = {
  components: {
    prometheus: { images: ['quay.io/prometheus/prometheus:v2.47.2'] },
    workload_generator: { images: ['deathstarbench/wrk2-client:latest'] },
    chaos_mesh: { images: ['ghcr.io/chaos-mesh/chaos-mesh:v2.8.3'], for_apps: ['hotel_reservation'] },
  },
  apps: {
    hotel_reservation: { images: ['mongo:4.4.6', 'yinfangchen/hotelreservation:latest'] },
    social_network: { images: ['mongo:4.4.6', 'yg397/media-frontend:xenial'] },
    flower: { images: [] },
  },
  problems: {
    'noop_detection_hotel_reservation-1': 'hotel_reservation',
    'pod_kill_hotel_res-detection-1': 'hotel_reservation',
    'scale_pod_zero_social_net-detection-1': 'social_network',
  },
};

describe('imagesForApps', () => {
  test('one app: the shared components, the components serving it, then its images', () => {
    expect(imagesForApps(manifest, ['hotel_reservation'])).toEqual([
      'quay.io/prometheus/prometheus:v2.47.2', 'deathstarbench/wrk2-client:latest', 'ghcr.io/chaos-mesh/chaos-mesh:v2.8.3',
      'mongo:4.4.6', 'yinfangchen/hotelreservation:latest',
    ]);
  });

  test('an app no Chaos Mesh problem uses leaves Chaos Mesh out', () => {
    expect(imagesForApps(manifest, ['social_network'])).not.toContain('ghcr.io/chaos-mesh/chaos-mesh:v2.8.3');
  });

  test('an image two apps share is listed once', () => {
    const images = imagesForApps(manifest, ['hotel_reservation', 'social_network']);
    expect(images.filter((i) => i === 'mongo:4.4.6')).toHaveLength(1);
  });

  test('all is every app', () => {
    expect(imagesForApps(manifest, 'all')).toEqual(imagesForApps(manifest, ['hotel_reservation', 'social_network', 'flower']));
  });

  test('no app still loads the shared components', () => {
    expect(imagesForApps(manifest, [])).toEqual(['quay.io/prometheus/prometheus:v2.47.2', 'deathstarbench/wrk2-client:latest']);
  });

  test('an unknown app is refused with the known names', () => {
    expect(() => imagesForApps(manifest, ['hotel'])).toThrow('unknown app(s) hotel; known apps: hotel_reservation, social_network, flower');
  });
});

describe('appsForProblems', () => {
  test('each app once, in the order its problems come', () => {
    expect(appsForProblems(manifest, ['scale_pod_zero_social_net-detection-1', 'pod_kill_hotel_res-detection-1', 'noop_detection_hotel_reservation-1'])).toEqual(['social_network', 'hotel_reservation']);
  });

  test('an unknown problem id is refused by name', () => {
    expect(() => appsForProblems(manifest, ['pod_kill_hotel_res-detection-1', 'no-such-problem'])).toThrow(/unknown problem id\(s\) no-such-problem/);
  });
});

describe('loadImageManifest', () => {
  test('the checked-in manifest: every registry problem maps to one of its apps', async () => {
    const real = await loadImageManifest();
    expect(Object.keys(real.apps)).toEqual(expect.arrayContaining(['hotel_reservation', 'social_network', 'astronomy_shop', 'tidb_with_operator', 'train_ticket', 'flight_ticket']));
    expect(Object.keys(real.problems)).toHaveLength(89);
    for (const app of Object.values(real.problems)) expect(Object.keys(real.apps)).toContain(app);
  });

  test('a file that is not a manifest names the file and the fix', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'manifest-')), 'm.json');
    writeFileSync(file, JSON.stringify({ apps: {} }));
    await expect(loadImageManifest(file)).rejects.toThrow(`the image manifest ${file} has no "components" object; regenerate it with services/worker/kind/generate_image_manifest.py`);
  });

  test('a missing file names the file', async () => {
    await expect(loadImageManifest('/nonexistent/images-by-app.json')).rejects.toThrow(/cannot read the image manifest \/nonexistent\/images-by-app\.json/);
  });
});

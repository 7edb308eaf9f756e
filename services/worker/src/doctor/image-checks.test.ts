import type Docker from 'dockerode';
import { checkNodeImage, checkPreloadImages, missingImages } from './image-checks';
import { preloadSelectionOf, pullCommand } from './image-source';

/** A stand-in engine that holds the given images (GET /images/{name}/json). */
function engineHolding(images: string[]): Docker {
  return {
    getImage: (name: string) => ({
      inspect: async () => {
        if (!images.includes(name)) throw Object.assign(new Error(`No such image: ${name}`), { statusCode: 404 });
        return { Id: name };
      },
    }),
  } as unknown as Docker;
}

describe('missingImages', () => {
  it('returns the absent images in list order', async () => {
    const wanted = Array.from({ length: 20 }, (_, i) => `app/image-${i}:1`);
    const engine = engineHolding(wanted.filter((_, i) => i % 3 !== 0));
    expect(await missingImages(engine, wanted, 4)).toEqual(['app/image-0:1', 'app/image-3:1', 'app/image-6:1', 'app/image-9:1', 'app/image-12:1', 'app/image-15:1', 'app/image-18:1']);
  });
});

describe('checkPreloadImages', () => {
  it('counts the missing images, names the first five, and gives the pull script', () => {
    const missing = ['a:1', 'b:1', 'c:1', 'd:1', 'e:1', 'f:1', 'g:1'];
    const check = checkPreloadImages({ listed: true, source: 'manifest, KIND_PRELOAD_APPS=all', pull: 'npm run images:pull', wanted: 120, missing }, true);
    expect(check).toMatchObject({ status: 'warn', fix: 'npm run images:pull' });
    expect(check.detail).toBe('7 of 120 images (manifest, KIND_PRELOAD_APPS=all) missing from the Docker engine: a:1, b:1, c:1, d:1, e:1, and 2 more');
  });

  it('passes when the engine holds every image, and is skipped when preloading is off', () => {
    const listed = { listed: true as const, source: 'images.txt', pull: 'KIND_PRELOAD_IMAGES_FILE=images.txt npm run images:pull', wanted: 3 };
    expect(checkPreloadImages({ ...listed, missing: [] }, true).status).toBe('ok');
    expect(checkPreloadImages({ ...listed, missing: ['a:1'] }, false).status).toBe('skip');
  });

  it('fails an unreadable list or an unknown app with the setting to fix', () => {
    const check = checkPreloadImages({ listed: false, source: '/nope.txt', error: 'cannot read KIND_PRELOAD_IMAGES_FILE=/nope.txt: ENOENT' }, true);
    expect(check).toMatchObject({ status: 'fail', detail: 'cannot read KIND_PRELOAD_IMAGES_FILE=/nope.txt: ENOENT' });
    expect(check.fix).toContain('KIND_PRELOAD_APPS');
  });
});

describe('checkNodeImage', () => {
  it('fails a missing node image with the build command', () => {
    const check = checkNodeImage('aiopslab/kind-node:v1.32.1', false);
    expect(check.status).toBe('fail');
    expect(check.fix).toContain('docker compose --profile kind build kind-node-image');
  });
});

describe('the images the doctor looks for', () => {
  it('are the worker\'s selection: an explicit list wins, else the manifest for KIND_PRELOAD_APPS, pulled by npm run images:pull', () => {
    const list = preloadSelectionOf({ listFile: '/srv/images.txt', apps: 'hotel_reservation' });
    expect(list.listFile).toBe('/srv/images.txt');
    expect(pullCommand(list)).toBe('KIND_PRELOAD_IMAGES_FILE=/srv/images.txt npm run images:pull');
    const manifest = preloadSelectionOf({ apps: 'hotel_reservation, social_network' });
    expect(manifest).toEqual({ listFile: undefined, apps: ['hotel_reservation', 'social_network'] });
    expect(pullCommand(manifest)).toBe('npm run images:pull');
    expect(preloadSelectionOf({}).apps).toBe('all');
  });
});

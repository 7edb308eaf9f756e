import type Docker from 'dockerode';
import { checkNodeImage, checkPreloadImages, missingImages } from './image-checks';

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
    const check = checkPreloadImages({ listed: true, listFile: 'images.txt', wanted: 214, missing }, true);
    expect(check).toMatchObject({ status: 'warn', fix: 'npm run images:pull' });
    expect(check.detail).toBe('7 of 214 images missing from the Docker engine: a:1, b:1, c:1, d:1, e:1, and 2 more');
  });

  it('passes when the engine holds every image, and is skipped when preloading is off', () => {
    expect(checkPreloadImages({ listed: true, listFile: 'images.txt', wanted: 3, missing: [] }, true).status).toBe('ok');
    expect(checkPreloadImages({ listed: true, listFile: 'images.txt', wanted: 3, missing: ['a:1'] }, false).status).toBe('skip');
  });

  it('fails an unreadable list with the setting to fix', () => {
    const check = checkPreloadImages({ listed: false, listFile: '/nope.txt', error: 'ENOENT' }, true);
    expect(check.status).toBe('fail');
    expect(check.fix).toContain('KIND_PRELOAD_IMAGES_FILE');
  });
});

describe('checkNodeImage', () => {
  it('fails a missing node image with the build command', () => {
    const check = checkNodeImage('aiopslab/kind-node:v1.32.1', false);
    expect(check.status).toBe('fail');
    expect(check.fix).toContain('docker compose --profile kind build kind-node-image');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePreloadApps, selectPreloadImages } from './preload-selection';

const dir = mkdtempSync(path.join(os.tmpdir(), 'preload-selection-'));
const manifestFile = path.join(dir, 'images-by-app.json');
writeFileSync(manifestFile, JSON.stringify({
  components: { openebs: { images: ['openebs/provisioner-localpv:3.4.0'] } },
  apps: { hotel_reservation: { images: ['mongo:4.4.6'] }, social_network: { images: ['redis:6.2.4'] } },
  problems: {},
}));

describe('parsePreloadApps', () => {
  test.each([
    [undefined, 'all'],
    ['', 'all'],
    ['all', 'all'],
    ['hotel_reservation, social_network', ['hotel_reservation', 'social_network']],
    ['hotel_reservation,,', ['hotel_reservation']],
  ])('%p is %p', (value, expected) => {
    expect(parsePreloadApps(value)).toEqual(expected);
  });
});

describe('selectPreloadImages', () => {
  test('the manifest: the components and the chosen apps only', async () => {
    expect(await selectPreloadImages({ manifestFile, apps: ['social_network'] })).toEqual(['openebs/provisioner-localpv:3.4.0', 'redis:6.2.4']);
  });

  test('an explicit list file wins over the apps', async () => {
    const listFile = path.join(dir, 'images.txt');
    writeFileSync(listFile, '// comment\nbusybox:1.32\n');
    expect(await selectPreloadImages({ listFile, manifestFile, apps: ['social_network'] })).toEqual(['busybox:1.32']);
  });

  test('an unknown app names the setting and the known apps', async () => {
    await expect(selectPreloadImages({ manifestFile, apps: ['hotel'] })).rejects.toThrow('KIND_PRELOAD_APPS: unknown app(s) hotel; known apps: hotel_reservation, social_network');
  });

  test('an unreadable list names the setting', async () => {
    await expect(selectPreloadImages({ listFile: path.join(dir, 'none.txt') })).rejects.toThrow(/cannot read KIND_PRELOAD_IMAGES_FILE=.*none\.txt/);
  });
});

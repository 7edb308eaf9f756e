import { allPodsReady, helmReleaseStatus, isDefaultStorageClass, parsePodReadiness } from './warm-components';
import { parseImageList } from './image-list';

describe('warm component reads', () => {
  test('pods count as ready when Ready or Succeeded; an empty namespace is not ready', () => {
    const pods = JSON.stringify({
      items: [
        { metadata: { name: 'a' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
        { metadata: { name: 'job' }, status: { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'False' }] } },
        { metadata: { name: 'b' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } },
      ],
    });
    expect(parsePodReadiness(pods)).toEqual({ total: 3, notReady: ['b'] });
    expect(allPodsReady(parsePodReadiness(pods))).toBe(false);
    expect(allPodsReady(parsePodReadiness('{"items":[]}'))).toBe(false);
    expect(allPodsReady({ total: 2, notReady: [] })).toBe(true);
    expect(() => parsePodReadiness('{}')).toThrow(/no items array/);
  });

  test('the default storage class annotation and helm status are read as AIOpsLab reads them', () => {
    expect(isDefaultStorageClass('{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}')).toBe(true);
    expect(isDefaultStorageClass('{"metadata":{"annotations":{}}}')).toBe(false);
    expect(helmReleaseStatus('NAME: prometheus\nLAST DEPLOYED: Mon\nNAMESPACE: observe\nSTATUS: deployed\nREVISION: 1\n')).toBe('deployed');
    expect(helmReleaseStatus('NAME: prometheus\n  STATUS: Failed\n')).toBe('failed');
    expect(helmReleaseStatus('nothing here')).toBeNull();
  });
});

describe('image list', () => {
  test("reads upstream's kind/images.txt format: skips blanks and // or # comments, drops duplicates", () => {
    expect(parseImageList('// comment\nmongo:4.4.6\n\n  redis  \n# also a comment\nmongo:4.4.6\nbusybox')).toEqual(['mongo:4.4.6', 'redis', 'busybox']);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseImageList } from '../src/clusters/image-list';

const ROOT = path.resolve(__dirname, '../../..');
const KIND_DIR = path.join(ROOT, 'services/worker/kind');
const UPSTREAM = process.env.AIOPSLAB_UPSTREAM_DIR ?? path.resolve(ROOT, '../shared/upstream/aiopslab');
const manifest = JSON.parse(readFileSync(path.join(KIND_DIR, 'images-by-app.json'), 'utf8'));

/** Docker's name for a reference: docker.io/ and library/ dropped, :latest added (as the generator does). */
const normalized = (ref: string) => {
  const short = ref.replace(/^(docker\.io\/)?(library\/)?/, '');
  return short.includes('@') || short.split('/').pop()!.includes(':') ? short : `${short}:latest`;
};

describe('images-by-app.json against the upstream source', () => {
  test('the problem-to-app map is what the registry and the problem classes say today', () => {
    if (!existsSync(path.join(UPSTREAM, 'aiopslab/orchestrator/problems/registry.py'))) {
      throw new Error(`the real AIOpsLab source is not at ${UPSTREAM}; set AIOPSLAB_UPSTREAM_DIR`);
    }
    const derived = JSON.parse(execFileSync('python3', [path.join(KIND_DIR, 'derive_problem_apps.py'), UPSTREAM], { encoding: 'utf8' }));
    expect(manifest.problems).toEqual(derived.problems);
    const chaosApps = [...new Set(derived.chaos_mesh_problems.map((id: string) => derived.problems[id]))].sort();
    expect(manifest.components.chaos_mesh.for_apps).toEqual(chaosApps);
  });

  test('every image of kind/images.txt is assigned to an app or component, or listed as unassigned with a reason', () => {
    const listed = parseImageList(readFileSync(path.join(KIND_DIR, 'images.txt'), 'utf8'));
    const owned = new Set([...Object.values(manifest.components), ...Object.values(manifest.apps)].flatMap((group: any) => group.images as string[]));
    const unassigned = new Map<string, string>(manifest.images_txt.unassigned.map((u: { image: string; reason: string }) => [u.image, u.reason]));
    for (const image of listed) {
      const accounted = owned.has(normalized(image)) || (unassigned.get(image) ?? '').length > 0;
      expect({ image, accounted }).toEqual({ image, accounted: true });
    }
    expect(manifest.images_txt.assigned + unassigned.size).toBe(listed.length);
  });

  test('the images the apps need beyond images.txt are exactly the recorded difference', () => {
    const listed = new Set(parseImageList(readFileSync(path.join(KIND_DIR, 'images.txt'), 'utf8')).map(normalized));
    const owned = [...Object.values(manifest.components), ...Object.values(manifest.apps)].flatMap((group: any) => group.images as string[]);
    const beyond = [...new Set(owned.filter((image) => !listed.has(image)))].sort();
    expect(beyond).toEqual(manifest.images_txt.not_in_images_txt);
  });
});

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_KIND_NODE_IMAGE } from '../../services/worker/src/clusters/cluster-config';
import { DEFAULT_PRELOAD_IMAGES_FILE } from '../../services/worker/src/clusters/kind-cluster';
import { parseImageList } from '../../services/worker/src/clusters/image-list';
import { parseDockerfile } from './support/dockerfile';
import { loadCompose, ROOT } from './support/compose';

const services = loadCompose().services;

describe('warm Kind clusters on a Docker host (compose profile "kind")', () => {
  test('the pinned node image: KIND_NODE_IMAGE default = the image compose builds from node.Dockerfile, AIOpsLab kind/Dockerfile with a version tag', () => {
    const node = services['kind-node-image'];
    expect(node.image).toBe(DEFAULT_KIND_NODE_IMAGE);
    expect(node.build).toEqual({ context: 'services/worker/kind', dockerfile: 'node.Dockerfile' });
    const dockerfile = parseDockerfile(path.join(ROOT, 'services/worker/kind/node.Dockerfile'));
    const version = DEFAULT_KIND_NODE_IMAGE.slice(DEFAULT_KIND_NODE_IMAGE.lastIndexOf(':') + 1);
    expect(dockerfile.globalArgs.KIND_NODE_BASE).toBe(`kindest/node:${version}`);
    expect(dockerfile.stages.map((s) => s.base)).toEqual(['${KIND_NODE_BASE}']);
    expect(dockerfile.stages[0].instructions.find((i) => i.keyword === 'RUN')?.args).toMatch(/apt-get install -y udev socat/);
    // a build-only service: compose never boots a node
    expect(node.entrypoint).toEqual(['true']);
  });

  test("kind-images pulls the worker's default preload list (AIOpsLab's kind/images.txt) into the host engine", () => {
    const job = services['kind-images'];
    expect(job.volumes).toEqual(expect.arrayContaining(['/var/run/docker.sock:/var/run/docker.sock', './deploy/kind/pull-images.sh:/pull-images.sh:ro', './services/worker/kind/images.txt:/images.txt:ro']));
    expect(DEFAULT_PRELOAD_IMAGES_FILE).toBe(path.join(ROOT, 'services/worker/kind/images.txt'));
    const images = parseImageList(fs.readFileSync(path.join(ROOT, 'services/worker/kind/images.txt'), 'utf8'));
    expect(images.length).toBeGreaterThan(100);
    expect(images).toEqual(expect.arrayContaining(['deathstarbench/social-network-microservices:latest', 'mongo:4.4.6', 'prom/prometheus:v2.46.0']));
  });

  test('pull-images.sh skips comments and present images, goes on after a failed pull, and reports the counts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pull-images-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      const calls = path.join(dir, 'calls');
      fs.writeFileSync(
        path.join(dir, 'bin', 'docker'),
        `#!/bin/sh\necho "$*" >> '${calls}'\ncase "$1 $2" in\n  "image inspect") [ "$3" = "mongo:4.4.6" ] && exit 0; exit 1 ;;\n  "pull --quiet") [ "$3" = "unreachable.example/img" ] && exit 1; exit 0 ;;\nesac\n`,
        { mode: 0o755 },
      );
      const list = path.join(dir, 'images.txt');
      fs.writeFileSync(list, '// comment\nmongo:4.4.6\n\n  redis  \r\nunreachable.example/img\n# another\nbusybox');
      const result = spawnSync('sh', [path.join(ROOT, 'deploy/kind/pull-images.sh'), list], { encoding: 'utf8', env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin` } });
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('pull-images: 2 pulled, 1 already present, 1 failed');
      expect(result.stderr).toContain('could not pull unreachable.example/img (skipped)');
      expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
        'image inspect mongo:4.4.6',
        'image inspect redis', 'pull --quiet redis',
        'image inspect unreachable.example/img', 'pull --quiet unreachable.example/img',
        'image inspect busybox', 'pull --quiet busybox',
      ]);
      const missing = spawnSync('sh', [path.join(ROOT, 'deploy/kind/pull-images.sh'), path.join(dir, 'none.txt')], { encoding: 'utf8' });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('cannot read the image list');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clusterEnvProperties, DEFAULT_CLUSTER_CONFIG, DEFAULT_KIND_NODE_IMAGE } from '../../services/worker/src/clusters/cluster-config';
import { parseImageList } from '../../services/worker/src/clusters/image-list';
import { imagesForApps, loadImageManifest } from '../../services/worker/src/clusters/image-manifest';
import { parseDockerfile } from './support/dockerfile';
import { COMPOSE_FILE, environmentOf, loadCompose, ROOT } from './support/compose';

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

  test("kind-images runs npm run images:pull's CLI in the worker image on the host engine, for the workers' own KIND_PRELOAD_APPS", () => {
    const job = services['kind-images'];
    const worker = services.worker;
    expect([job.image, job.build]).toEqual([worker.image, worker.build]);
    // the image's entrypoint (tini, then deploy/worker/entrypoint.sh: uid 10001 with the socket's group) runs the CLI
    expect(job.entrypoint).toBeUndefined();
    const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['images:pull'];
    expect(job.command).toEqual(script.split(' '));
    expect(job.volumes).toEqual(['/var/run/docker.sock:/var/run/docker.sock']);
    // one setting for what the workers preload and what the job pulls
    expect(environmentOf(job)).toEqual({ KIND_PRELOAD_APPS: 'all' });
    expect(environmentOf(worker).KIND_PRELOAD_APPS).toBe('all');
    const chosen = loadCompose({ KIND_PRELOAD_APPS: 'hotel_reservation,social_network' }).services;
    expect([environmentOf(chosen['kind-images']).KIND_PRELOAD_APPS, environmentOf(chosen.worker).KIND_PRELOAD_APPS]).toEqual(['hotel_reservation,social_network', 'hotel_reservation,social_network']);
    // the worker image holds the built CLI, the manifest and images.txt under /app (its WORKDIR), and the docker CLI
    const runtime = parseDockerfile(path.join(ROOT, 'services/worker/Dockerfile')).stages.at(-1)!;
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toEqual(expect.arrayContaining(['--from=build /app/services/worker/dist services/worker/dist', '--from=build /app/services/worker/kind services/worker/kind', '--from=docker-cli /usr/local/bin/docker /usr/local/bin/docker']));
    expect(runtime.instructions.filter((i) => i.keyword === 'WORKDIR').map((i) => i.args)).toEqual(['/app']);
  });

  test("the job's command, run from the image's layout (the repository's), pulls the workers' default selection, or upstream's images.txt when named", async () => {
    const job = services['kind-images'];
    const [, cli] = job.command as string[];
    expect(fs.existsSync(path.join(ROOT, cli))).toBe(true); // npm run build made it
    const dryRun = (env: Record<string, string>) => spawnSync(process.execPath, [cli, '--dry-run'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
    // the default: the per-app manifest (all apps), exactly what a worker preloads
    const byDefault = dryRun(environmentOf(job));
    expect(byDefault.status).toBe(0);
    expect(byDefault.stdout.trim().split('\n')).toEqual(imagesForApps(await loadImageManifest(), 'all'));
    expect(clusterEnvProperties.KIND_PRELOAD_IMAGES_FILE).not.toHaveProperty('default');
    expect(DEFAULT_CLUSTER_CONFIG.KIND_PRELOAD_IMAGES_FILE).toBeUndefined();
    // images.txt stays AIOpsLab's union list, for KIND_PRELOAD_IMAGES_FILE (as the compose comment shows)
    expect(fs.readFileSync(COMPOSE_FILE, 'utf8')).toContain('-e KIND_PRELOAD_IMAGES_FILE=services/worker/kind/images.txt kind-images');
    const union = parseImageList(fs.readFileSync(path.join(ROOT, 'services/worker/kind/images.txt'), 'utf8'));
    expect(union.length).toBeGreaterThan(100);
    expect(union).toEqual(expect.arrayContaining(['deathstarbench/social-network-microservices:latest', 'mongo:4.4.6', 'prom/prometheus:v2.46.0']));
    const listed = dryRun({ ...environmentOf(job), KIND_PRELOAD_IMAGES_FILE: 'services/worker/kind/images.txt' });
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual(union);
  });
});

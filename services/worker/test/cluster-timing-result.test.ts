import path from 'node:path';
import Docker from 'dockerode';
import { Registry } from 'prom-client';
import { createClusterProvider } from '../src/clusters/create-cluster-provider';
import { WorkerHarness } from './support/worker-harness';
import { StandinWorld } from './fixtures/cluster-standins/standin-world';
import { startFakeDockerApi, type FakeDockerApi } from './fixtures/cluster-standins/fake-docker-api';
import { memoryLogger } from './fixtures/cluster-standins/test-kit';

/**
 * A worker with the real kind provider (over the cluster stand-ins: Kind cannot run here) stores
 * how its cluster was made ready in each task's result, as `cluster`.
 */
describe('worker: cluster create and warm times in the task result', () => {
  let h: WorkerHarness;
  let world: StandinWorld;
  let dockerApi: FakeDockerApi;

  beforeAll(async () => {
    h = await WorkerHarness.create();
    world = new StandinWorld();
    dockerApi = await startFakeDockerApi(path.join(world.root, 'docker.sock'), world.stateDir);
    // two images of the default list (AIOpsLab's kind/images.txt, shipped in services/worker/kind/)
    world.setEngineImages(['deathstarbench/hotel-reservation', 'mongo:4.4.6', 'not-listed:1.0']);
    const clusterProvider = createClusterProvider(
      { CLUSTER_PROVIDER: 'kind', KIND_WARM_AIOPSLAB_DIR: world.aiopslabDir },
      {
        logger: memoryLogger().logger,
        metricsRegistry: new Registry(),
        workerId: 'timing-1',
        workDir: path.join(world.root, 'work'),
        isWorkerActive: async () => true,
        docker: new Docker({ socketPath: dockerApi.socketPath }),
        commandEnv: world.env,
        udevDir: path.join(world.root, 'udev'),
        pollIntervalMs: 5,
        readyGraceMs: { created: 100, existing: 15 },
      },
    );
    await h.startWorker('timing-1', { clusterProvider });
  });
  afterAll(async () => {
    await h.close();
    await dockerApi.close();
    world.cleanup();
  });

  it('the first task records the creation, preload and warm-up; the next one the reuse and the re-install after AIOpsLab\'s teardown', async () => {
    const first = await h.waitForStatus((await h.submit({ fixture: 'succeeds' })).id, 'completed');
    expect((first.result as any).cluster).toEqual({
      provider: 'kind', name: 'worker-timing-1-kind', created: true, reused: false, recreate_reason: null,
      create_s: expect.any(Number), preload_s: expect.any(Number), images_loaded: 2, warm_s: expect.any(Number), warm_installed: ['openebs', 'prometheus'],
    });

    world.aiopslabTeardown('worker-timing-1-kind');
    const second = await h.waitForStatus((await h.submit({ fixture: 'succeeds' })).id, 'completed');
    expect((second.result as any).cluster).toMatchObject({ created: false, reused: true, create_s: null, preload_s: null, warm_installed: ['openebs', 'prometheus'] });
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
  });
});

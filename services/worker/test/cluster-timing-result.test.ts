import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { Registry } from 'prom-client';
import { createClusterProvider } from '../src/clusters/create-cluster-provider';
import { fixtureCommand, WorkerHarness } from './support/worker-harness';
import { StandinWorld } from './fixtures/cluster-standins/standin-world';
import { memoryLogger } from './fixtures/cluster-standins/test-kit';

/**
 * A worker with the real kind provider (over the cluster stand-ins, whose `kind create` starts real
 * node containers on the real Docker engine) stores how its cluster was made ready in each task's
 * result, as `cluster`.
 */
describe('worker: cluster create and warm times in the task result', () => {
  let h: WorkerHarness;
  let world: StandinWorld;
  let workerId: string;

  beforeAll(async () => {
    h = await WorkerHarness.create();
    world = new StandinWorld(undefined, { engine: true });
    workerId = world.workerId('timing');
    // the engine holds two of the three listed images (this world's own tags) and one not listed
    const imageList = path.join(world.root, 'images.txt');
    writeFileSync(imageList, [world.image('mongo:4.4.6'), world.image('memcached:latest'), world.image('absent:1.0')].join('\n'));
    world.tagImages([world.image('mongo:4.4.6'), world.image('memcached:latest'), world.image('not-listed:1.0')]);
    const clusterProvider = createClusterProvider(
      { CLUSTER_PROVIDER: 'kind', KIND_WARM_AIOPSLAB_DIR: world.aiopslabDir, KIND_PRELOAD_IMAGES_FILE: imageList },
      {
        logger: memoryLogger().logger,
        metricsRegistry: new Registry(),
        workerId,
        workDir: path.join(world.root, 'work'),
        isWorkerActive: async () => true,
        docker: new Docker(),
        commandEnv: world.env,
        udevDir: path.join(world.root, 'udev'),
        pollIntervalMs: 5,
        readyGraceMs: { created: 100, existing: 15 },
      },
    );
    // It creates, preloads and warms its cluster on the Docker engine before it consumes: on two
    // busy cores that took more than the default 10 s once.
    await h.startWorker(workerId, { clusterProvider, consumingWithinMs: 60_000, env: { RUNNER_COMMAND: fixtureCommand('select', `STANDIN_STATE_DIR='${world.stateDir}' `) } });
  }, 90_000);
  afterAll(async () => {
    await h.close();
    world.cleanup();
  });

  it('the first task records the creation, preload and warm-up before it; the next one the reuse and the re-install after AIOpsLab\'s teardown', async () => {
    const first = await h.waitForStatus((await h.submit({ fixture: 'cluster-problem' })).id, 'completed');
    expect((first.result as any).cluster).toEqual({
      provider: 'kind', name: `worker-${workerId}-kind`, created: true, reused: false, recreate_reason: null,
      create_s: expect.any(Number), preload_s: expect.any(Number), images_loaded: 2, reset: null, warm_s: expect.any(Number), warm_installed: ['openebs', 'prometheus'],
      setup_s: expect.any(Number), prepared_at: expect.any(String),
    });
    expect((first.result as any).durations).toMatchObject({ run_s: expect.any(Number), cluster_wait_s: expect.any(Number) });

    // the stand-in problem tore OpenEBS and Prometheus down, as AIOpsLab's teardown does
    const second = await h.waitForStatus((await h.submit({ fixture: 'cluster-problem' })).id, 'completed');
    expect((second.result as any).cluster).toMatchObject({ created: false, reused: true, create_s: null, preload_s: null, reset: null, warm_installed: ['openebs', 'prometheus'] });
    expect(Date.parse((second.result as any).cluster.prepared_at)).toBeGreaterThan(Date.parse(first.completedAt!.toISOString()) - 1000);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
  });
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { Registry } from 'prom-client';
import { createClusterProvider } from '../src/clusters/create-cluster-provider';
import { DEFAULT_KIND_NODE_IMAGE, DEFAULT_OPENEBS_MANIFEST, type ClusterConfig } from '../src/clusters/cluster-config';
import type { ClusterProvider, ClusterTiming } from '../src/clusters/cluster-provider';
import { StandinWorld, type Invocation } from './fixtures/cluster-standins/standin-world';
import { hasImage } from './fixtures/cluster-standins/standin-engine';
import { memoryLogger, metricValue, type LogLine } from './fixtures/cluster-standins/test-kit';

/**
 * The Kind warm-up against stand-ins (kind/kubectl/helm/docker on PATH, recording every call) and
 * the REAL Docker engine: image preload after creation, then OpenEBS and Prometheus installed with
 * the commands of AIOpsLab's CI workflow, checked again before every task. `kind create` starts
 * real node containers; the worker's image checks (dockerode) and `kind load` ask the engine,
 * which holds this test's own image tags (world.image(), tags of the local test image). The
 * engine is shared: the worker id and every image name carry the world's id.
 */
let world: StandinWorld;
let CLUSTER: string;
/** Listed and tagged in the engine (the first one twice in the list). */
let IN_ENGINE: string[];
let registry: Registry;
let logs: LogLine[];
let imageList: string;

beforeEach(() => {
  world = new StandinWorld(undefined, { engine: true });
  CLUSTER = `worker-${world.workerId('w1')}-kind`;
  IN_ENGINE = [world.image('hotel-reservation:latest'), world.image('mongo:4.4.6')];
  registry = new Registry();
  imageList = path.join(world.root, 'images.txt');
  // upstream's format: one image per line, `//` comments; one listed image is not in the engine
  writeFileSync(imageList, `// hotel reservation\n${IN_ENGINE[0]}\n\n${world.image('memcached:1.6.7')}\n${IN_ENGINE[1]}\n${IN_ENGINE[0]}\n`);
  // and the engine holds one image the list does not name
  world.tagImages([...IN_ENGINE, world.image('postgres:16')]);
});

afterEach(() => {
  world.cleanup();
});

async function startedKind(config: Partial<ClusterConfig> = {}, tools?: StandinWorld): Promise<ClusterProvider> {
  const memory = memoryLogger();
  logs = memory.lines;
  const provider = createClusterProvider(
    { CLUSTER_PROVIDER: 'kind', KIND_WARM_AIOPSLAB_DIR: world.aiopslabDir, KIND_PRELOAD_IMAGES_FILE: imageList, ...config },
    {
      logger: memory.logger,
      metricsRegistry: registry,
      workerId: world.workerId('w1'),
      workDir: path.join(world.root, 'work-w1'),
      isWorkerActive: async () => true,
      docker: new Docker(),
      commandEnv: (tools ?? world).env,
      udevDir: path.join(world.root, 'run', 'udev'),
      pollIntervalMs: 5,
      readyGraceMs: { created: 100, existing: 15 },
    },
  );
  await provider.checkPrerequisites();
  await provider.start();
  return provider;
}

/** Positions in the whole call sequence of the calls matching tool and words (in order). */
function indicesOf(tool: Invocation['tool'], ...words: string[]): number[] {
  const match = new Set(world.calls(tool, ...words).map((call) => JSON.stringify(call)));
  return world.invocations().flatMap((call, i) => (match.has(JSON.stringify(call)) ? [i] : []));
}

function indexOfCall(tool: Invocation['tool'], ...words: string[]): number {
  return indicesOf(tool, ...words)[0] ?? -1;
}

/** What the worker does before a task: prepare (between tasks, consumption held), then acquire. */
async function ready(provider: ClusterProvider) {
  await provider.prepare(new AbortController().signal);
  return provider.acquire();
}

async function timingOf(provider: ClusterProvider): Promise<ClusterTiming> {
  const handle = await ready(provider);
  if (!handle.timing) throw new Error('acquire() returned no timing');
  return handle.timing;
}

describe('a new kind cluster comes up warm', () => {
  test('it is created, then the listed images the engine holds are loaded, then OpenEBS and Prometheus are installed as AIOpsLab CI does', async () => {
    const provider = await startedKind();
    const timing = await timingOf(provider);

    const order = [
      indexOfCall('kind', 'create', 'cluster'),
      indexOfCall('kind', 'load', 'docker-image'),
      indexOfCall('kubectl', 'apply', '-f', DEFAULT_OPENEBS_MANIFEST),
      indexOfCall('kubectl', 'wait', 'pod', '--all', '-n', 'openebs', '--for=condition=Ready'),
      indexOfCall('kubectl', 'patch', 'storageclass', 'openebs-hostpath'),
      indexOfCall('kubectl', 'apply', '-f', path.join(world.aiopslabDir, 'aiopslab/observer/prometheus/prometheus-pvc.yml'), '-n', 'observe'),
      indexOfCall('helm', 'dependency', 'update', path.join(world.aiopslabDir, 'aiopslab/observer/prometheus/prometheus')),
      indexOfCall('helm', 'install', 'prometheus', path.join(world.aiopslabDir, 'aiopslab/observer/prometheus/prometheus'), '-n', 'observe', '--create-namespace'),
      indexOfCall('kubectl', 'wait', 'pod', '--all', '-n', 'observe', '--for=condition=Ready'),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    // one kind load per listed image present in the engine (as upstream's load_images.sh), into this cluster
    expect(world.calls('kind', 'load', 'docker-image').map((call) => call.argv)).toEqual(IN_ENGINE.map((image) => ['load', 'docker-image', image, '--name', CLUSTER]));
    const cluster = world.cluster(CLUSTER);
    expect(cluster?.loaded_images).toEqual(IN_ENGINE);
    // the state AIOpsLab's init_problem then finds: default storage class, Prometheus deployed, all pods Ready
    expect(cluster?.storage_classes?.['openebs-hostpath']).toEqual({ default: true });
    expect(cluster?.helm_releases?.prometheus).toMatchObject({ namespace: 'observe', status: 'deployed' });
    expect(cluster?.pvcs).toEqual(['observe/prometheus-pvc']);
    for (const ns of ['openebs', 'observe']) expect(cluster?.pods?.[ns]?.every((pod) => pod.ready)).toBe(true);
    // every kubectl and helm call is pinned to this worker's kubeconfig and context
    const kubeconfig = path.join(world.root, 'work-w1', 'kubeconfig');
    for (const call of [...world.invocations('kubectl'), ...world.invocations('helm')]) {
      expect(call.kubeconfig_env).toBe(kubeconfig);
      const contextFlag = call.tool === 'helm' ? '--kube-context' : '--context';
      expect(call.argv[call.argv.indexOf(contextFlag) + 1]).toBe(`kind-${CLUSTER}`);
    }

    expect(timing).toEqual({
      provider: 'kind', name: CLUSTER, created: true, reused: false, recreate_reason: null,
      create_s: expect.any(Number), preload_s: expect.any(Number), images_loaded: 2, reset: null, warm_s: expect.any(Number), warm_installed: ['openebs', 'prometheus'],
      setup_s: expect.any(Number), prepared_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(logs.find((l) => l.message === 'kind images preloaded')).toMatchObject({ loaded: 2, absent_from_engine: 1, failed: 0 });
    expect(await metricValue(registry, 'aiopslab_worker_cluster_warm_seconds_count', { cluster: CLUSTER, outcome: 'success' })).toBe(1);
  });

  test('the next task reuses the cluster: no create, no preload, and the warm components are only checked', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('clean', null);

    const timing = await timingOf(provider);

    expect(timing).toMatchObject({ created: false, reused: true, recreate_reason: null, create_s: null, preload_s: null, images_loaded: 0, warm_installed: [] });
    expect(timing.warm_s).toEqual(expect.any(Number));
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    expect(world.calls('kind', 'load', 'docker-image')).toHaveLength(2);
    expect(world.calls('helm', 'install')).toHaveLength(1);
    expect(world.calls('kubectl', 'apply')).toHaveLength(3); // OpenEBS, namespace, PVC: once
  });

  test('after AIOpsLab tore Prometheus and OpenEBS down at the end of a problem, both are re-installed before the next task', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('clean', null);
    world.aiopslabTeardown(CLUSTER);

    const timing = await timingOf(provider);

    expect(timing).toMatchObject({ created: false, reused: true, warm_installed: ['openebs', 'prometheus'] });
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    expect(world.calls('helm', 'install', 'prometheus')).toHaveLength(2);
    const cluster = world.cluster(CLUSTER);
    expect(cluster?.storage_classes?.['openebs-hostpath']).toEqual({ default: true });
    expect(cluster?.helm_releases?.prometheus?.status).toBe('deployed');
  });

  test('when only Prometheus is missing, only Prometheus is re-installed', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('clean', null);
    world.aiopslabTeardown(CLUSTER, ['prometheus']);

    expect((await timingOf(provider)).warm_installed).toEqual(['prometheus']);
    expect(world.calls('kubectl', 'apply', '-f', DEFAULT_OPENEBS_MANIFEST)).toHaveLength(1);
    expect(world.calls('helm', 'install', 'prometheus')).toHaveLength(2);
  });

  test('a Prometheus release left failed is uninstalled, then installed again', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('clean', null);
    world.setHelmReleaseStatus(CLUSTER, 'prometheus', 'failed');

    expect((await timingOf(provider)).warm_installed).toEqual(['prometheus']);
    expect(indexOfCall('helm', 'uninstall', 'prometheus', '-n', 'observe')).toBeGreaterThan(-1);
    expect(world.cluster(CLUSTER)?.helm_releases?.prometheus?.status).toBe('deployed');
  });

  test('after a dirty run the cluster is reset, not recreated: no create, no preload, the warm components checked', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('dirty', null);

    const timing = await timingOf(provider);

    expect(timing).toMatchObject({ created: false, reused: true, recreate_reason: null, images_loaded: 0, reset: { cleanup_error: null, swept_namespaces: [] }, warm_installed: [] });
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(0);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    expect(world.calls('kind', 'load', 'docker-image')).toHaveLength(2);
    expect(world.calls('kubectl', 'get', 'namespaces', '-o', 'json')).toHaveLength(1);
  });
});

describe('when warming fails', () => {
  test('OpenEBS pods that never turn Ready make the cluster unavailable (retryable); the next preparation warms the same cluster again', async () => {
    world.setBehavior({ pods_never_ready: 'openebs' });
    const provider = await startedKind();

    const error = await ready(provider).then(() => null, (e: unknown) => e as Error & { code: string; retryable: boolean });

    expect(error).toMatchObject({ name: 'ClusterError', code: 'cluster_unavailable', retryable: true });
    expect(error?.message).toMatch(/could not be warmed up: OpenEBS warm-up failed: .*timed out waiting for the condition/);
    expect(error?.message).toContain('KIND_WARM_TIMEOUT_SECONDS');
    expect(world.calls('helm', 'install')).toHaveLength(0);
    expect(await metricValue(registry, 'aiopslab_worker_cluster_warm_seconds_count', { cluster: CLUSTER, outcome: 'failure' })).toBe(1);
    expect(logs.find((l) => l.message === 'kind cluster warm-up failed')).toBeDefined();

    world.setBehavior({});
    const timing = await timingOf(provider);
    expect(timing).toMatchObject({ created: false, reused: true, warm_installed: ['openebs', 'prometheus'] });
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
  });

  test('a cluster that fails its warm-up twice in a row is recreated by the next preparation', async () => {
    world.setBehavior({ pods_never_ready: 'openebs' });
    const provider = await startedKind();
    await expect(ready(provider)).rejects.toMatchObject({ code: 'cluster_unavailable' });
    await expect(ready(provider)).rejects.toMatchObject({ code: 'cluster_unavailable' });
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);

    world.setBehavior({});
    const timing = await timingOf(provider);
    expect(timing).toMatchObject({ created: true, recreate_reason: 'warm_failed', warm_installed: ['openebs', 'prometheus'] });
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(1);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(2);
  });

  test('a failed image load does not fail the cluster, nor the other images: the nodes pull what they lack', async () => {
    world.setBehavior({ kind_load_fails: IN_ENGINE[0] });
    const provider = await startedKind();
    const timing = await timingOf(provider);
    expect(timing).toMatchObject({ created: true, images_loaded: 1, warm_installed: ['openebs', 'prometheus'] });
    expect(world.cluster(CLUSTER)?.loaded_images).toEqual([IN_ENGINE[1]]);
    const warning = logs.find((l) => l.message === 'kind image preload failed; the nodes will pull images themselves');
    expect(warning).toMatchObject({ loaded: 1, failed: 1, failed_images: [IN_ENGINE[0]] });
    expect(warning?.error).toMatch(/ctr --namespace=k8s.io images import/);
  });
});

describe('warm-up settings', () => {
  test('KIND_WARM=false and KIND_PRELOAD_IMAGES=false: no helm, no kind load, and timing says so', async () => {
    const noHelm = new StandinWorld(['kind', 'kubectl', 'docker'], { engine: true });
    try {
      const provider = await startedKind({ KIND_WARM: false, KIND_PRELOAD_IMAGES: false }, noHelm);
      const timing = await timingOf(provider);
      expect(timing).toMatchObject({ created: true, preload_s: null, images_loaded: 0, warm_s: null, warm_installed: [] });
      expect(noHelm.calls('kind', 'load')).toHaveLength(0);
      expect(noHelm.invocations('kubectl').filter((c) => c.argv.includes('apply'))).toHaveLength(0);
    } finally {
      noHelm.cleanup();
    }
  });

  test('with the warm-up on, a missing helm and a missing AIOpsLab checkout stop the worker at start with what to do', async () => {
    const noHelm = new StandinWorld(['kind', 'kubectl', 'docker'], { engine: true });
    try {
      const error = await startedKind({ KIND_WARM_AIOPSLAB_DIR: path.join(world.root, 'no-aiopslab'), KIND_PRELOAD_IMAGES_FILE: path.join(world.root, 'no-list.txt') }, noHelm).then(() => null, (e: unknown) => e as Error);
      expect(error).toMatchObject({ name: 'ClusterError', code: 'cluster_prerequisite_missing' });
      expect(error?.message).toContain('helm is not on PATH');
      expect(error?.message).toContain('KIND_WARM=false');
      expect(error?.message).toMatch(/KIND_WARM_AIOPSLAB_DIR=.*no-aiopslab\/aiopslab\/observer\/prometheus\/prometheus\/Chart\.yaml does not exist/);
      expect(error?.message).toMatch(/KIND_PRELOAD_IMAGES_FILE=.*no-list\.txt does not exist/);
    } finally {
      noHelm.cleanup();
    }
  });

  test('a KIND_NODE_IMAGE missing from the engine is reported at start with how to build it; the pinned default is the image checked', async () => {
    const WARNING = 'the Kind node image is not in the Docker engine; kind will try to pull it';
    const nodeImage = world.image('kind-node:v1.32.1');
    await startedKind({ KIND_NODE_IMAGE: nodeImage });
    expect(logs.find((l) => l.message === WARNING)).toMatchObject({ image: nodeImage, build: expect.stringContaining('--profile kind build kind-node-image') });
    world.tagImages([nodeImage]);
    await startedKind({ KIND_NODE_IMAGE: nodeImage });
    expect(logs.some((l) => l.message.startsWith('the Kind node image is not in the Docker engine'))).toBe(false);
    // without KIND_NODE_IMAGE the pinned default is checked (this shared engine may or may not hold it)
    await startedKind();
    const warned = logs.find((l) => l.message === WARNING);
    expect(warned?.image).toBe(hasImage(world.engine!, DEFAULT_KIND_NODE_IMAGE) ? undefined : DEFAULT_KIND_NODE_IMAGE);
  });

  test('KIND_WARM_OPENEBS_MANIFEST replaces the OpenEBS URL (e.g. a local copy on a host without internet)', async () => {
    const local = path.join(world.root, 'mirror', 'openebs-operator.yaml');
    const provider = await startedKind({ KIND_WARM_OPENEBS_MANIFEST: local });
    await ready(provider);
    expect(world.calls('kubectl', 'apply', '-f', local)).toHaveLength(1);
    expect(world.calls('kubectl', 'apply', '-f', DEFAULT_OPENEBS_MANIFEST)).toHaveLength(0);
  });
});

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { Registry } from 'prom-client';
import { createClusterProvider, type ClusterProviderDeps } from '../src/clusters/create-cluster-provider';
import { DEFAULT_KIND_NODE_IMAGE, type ClusterConfig } from '../src/clusters/cluster-config';
import type { ClusterProvider } from '../src/clusters/cluster-provider';
import { DEFAULT_KIND_CONFIG } from '../src/clusters/kind-cluster';
import { StandinWorld } from './fixtures/cluster-standins/standin-world';
import { WORLD_LABEL } from './fixtures/cluster-standins/standin-engine';
import { memoryLogger, metricValue, type LogLine } from './fixtures/cluster-standins/test-kit';

/**
 * The kind provider against stand-ins on PATH (recording every call) and the REAL Docker engine:
 * `kind create cluster` starts real node containers (busybox, on this test's own kind network),
 * and the worker's dockerode calls (orphan cleanup, image checks, ping) go to the engine. The
 * engine is shared, so worker ids carry the world's id: W('w1') = w1-<id>, cluster C('w1').
 */
let world: StandinWorld;
let docker: Docker;
/** This test's worker id and cluster name for a short name. */
let W: (base: string) => string;
let C: (base: string) => string;
let registry: Registry;
let logs: LogLine[];
let deps: (workerId: string, extra?: Partial<ClusterProviderDeps>) => ClusterProviderDeps;

beforeEach(async () => {
  world = new StandinWorld(undefined, { engine: true });
  W = (base) => world.workerId(base);
  C = (base) => `worker-${world.workerId(base)}-kind`;
  docker = new Docker();
  registry = new Registry();
  const memory = memoryLogger();
  logs = memory.lines;
  deps = (workerId, extra = {}) => ({
    logger: memory.logger,
    metricsRegistry: registry,
    workerId,
    workDir: path.join(world.root, `work-${workerId}`),
    isWorkerActive: async () => true,
    docker,
    commandEnv: world.env,
    udevDir: path.join(world.root, 'run', 'udev'),
    pollIntervalMs: 5,
    readyGraceMs: { created: 100, existing: 15 },
    ...extra,
  });
});

afterEach(() => {
  world.cleanup();
});

/** A provider for worker W(base): unique on the shared engine. */
function kind(base = 'w1', config: Partial<ClusterConfig> = {}, extra: Partial<ClusterProviderDeps> = {}): ClusterProvider {
  return kindWithId(W(base), config, extra);
}

function kindWithId(workerId: string, config: Partial<ClusterConfig> = {}, extra: Partial<ClusterProviderDeps> = {}): ClusterProvider {
  return createClusterProvider({ CLUSTER_PROVIDER: 'kind', KIND_WARM_AIOPSLAB_DIR: world.aiopslabDir, ...config }, deps(workerId, extra));
}

/** The names of the containers labelled io.x-k8s.kind.cluster=<cluster> in the real engine. */
async function nodeContainers(cluster: string): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`io.x-k8s.kind.cluster=${cluster}`] } });
  return list.map((c) => c.Names[0].replace(/^\//, '')).sort();
}

async function startedKind(base = 'w1', config: Partial<ClusterConfig> = {}, extra: Partial<ClusterProviderDeps> = {}): Promise<ClusterProvider> {
  const provider = kind(base, config, extra);
  await provider.checkPrerequisites();
  await provider.start();
  return provider;
}

/** What the worker does before a task: prepare (between tasks, consumption held), then acquire. */
async function ready(provider: ClusterProvider) {
  await provider.prepare(new AbortController().signal);
  return provider.acquire();
}

function argAfter(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

describe('kind cluster provider', () => {
  test('start creates nothing; the first preparation creates worker-<id>-kind from the AIOpsLab kind config, with its own kubeconfig', async () => {
    const provider = await startedKind('w1');
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(0);

    const handle = await ready(provider);

    const kubeconfig = path.join(world.root, `work-${W('w1')}`, 'kubeconfig');
    expect(handle).toEqual({ provider: 'kind', name: C('w1'), kubeconfig, context: `kind-${C('w1')}`, timing: expect.objectContaining({ created: true, reused: false }) });
    const creates = world.calls('kind', 'create', 'cluster');
    expect(creates).toHaveLength(1);
    expect(argAfter(creates[0].argv, '--name')).toBe(C('w1'));
    expect(argAfter(creates[0].argv, '--config')).toBe(DEFAULT_KIND_CONFIG);
    expect(argAfter(creates[0].argv, '--kubeconfig')).toBe(kubeconfig);
    // the pinned node image (KIND_NODE_IMAGE's default) replaces the config's unpinned :latest
    expect(argAfter(creates[0].argv, '--image')).toBe(DEFAULT_KIND_NODE_IMAGE);
    const config = readFileSync(DEFAULT_KIND_CONFIG, 'utf8');
    expect(config).toContain('image: jacksonarthurclark/aiopslab-kind-x86:latest');
    expect(config.match(/- role: (control-plane|worker)/g)).toEqual(['- role: control-plane', '- role: worker']);
    expect(config.match(/hostPath: \/run\/udev/g)).toHaveLength(2);
    expect(world.cluster(C('w1'))?.nodes.map((n) => n.name)).toEqual([`${C('w1')}-control-plane`, `${C('w1')}-worker`]);
    expect(JSON.parse(readFileSync(kubeconfig, 'utf8'))['current-context']).toBe(`kind-${C('w1')}`);
    expect(existsSync(path.join(world.root, 'run', 'udev'))).toBe(true);
    // health was checked through that kubeconfig and context before the task
    const readyz = world.calls('kubectl', 'get', '--raw', '/readyz');
    expect(readyz.length).toBeGreaterThanOrEqual(1);
    expect(argAfter(readyz[0].argv, '--context')).toBe(`kind-${C('w1')}`);
    expect(world.calls('kubectl', 'get', 'nodes', '-o', 'json').length).toBeGreaterThanOrEqual(1);
    // creation time and health are logged and exported
    expect(logs.find((l) => l.message === 'kind cluster created')).toMatchObject({ cluster: C('w1'), duration_s: expect.any(Number) });
    expect(await metricValue(registry, 'aiopslab_worker_cluster_create_seconds_count', { cluster: C('w1'), outcome: 'success' })).toBe(1);
    expect(await metricValue(registry, 'aiopslab_worker_cluster_healthy', { cluster: C('w1') })).toBe(1);
    expect(await metricValue(registry, 'aiopslab_worker_cluster_health_check_seconds_count', { cluster: C('w1') })).toBeGreaterThanOrEqual(1);
  });

  test('KIND_NODE_IMAGE and KIND_CONFIG override the node image and the config file', async () => {
    const custom = path.join(world.root, 'my-kind.yaml');
    writeFileSync(custom, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n');
    const provider = await startedKind('w1', { KIND_CONFIG: custom, KIND_NODE_IMAGE: 'jacksonarthurclark/aiopslab-kind-arm:latest', KIND_WAIT_SECONDS: 120 });
    await ready(provider);
    const [create] = world.calls('kind', 'create', 'cluster');
    expect(argAfter(create.argv, '--config')).toBe(custom);
    expect(argAfter(create.argv, '--image')).toBe('jacksonarthurclark/aiopslab-kind-arm:latest');
    expect(argAfter(create.argv, '--wait')).toBe('120s');
    expect(world.cluster(C('w1'))?.nodes).toEqual([expect.objectContaining({ role: 'control-plane', image: 'jacksonarthurclark/aiopslab-kind-arm:latest' })]);
  });

  test('with KIND_INTERNAL_KUBECONFIG (a worker container on the kind network) the kubeconfig is exported with --internal after create and on reuse', async () => {
    const provider = await startedKind('w1', { KIND_INTERNAL_KUBECONFIG: true });
    await ready(provider);
    await provider.release('clean', null);
    await ready(provider);
    const exports = world.calls('kind', 'export', 'kubeconfig');
    expect(exports.length).toBeGreaterThanOrEqual(2);
    for (const call of exports) expect(call.argv).toContain('--internal');
    const plain = await startedKind('w2');
    await ready(plain);
    await plain.release('clean', null);
    await ready(plain);
    expect(world.calls('kind', 'export', 'kubeconfig').filter((c) => c.argv.includes(C('w2'))).every((c) => !c.argv.includes('--internal'))).toBe(true);
  });

  test('acquire hands out only a prepared cluster: before prepare(), and after a task that used it, it refuses', async () => {
    const provider = await startedKind();
    await expect(provider.acquire()).rejects.toMatchObject({ name: 'ClusterError', code: 'cluster_unavailable', message: expect.stringMatching(/not prepared/) });
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(0);
    await ready(provider);
    expect(provider.isReady).toBe(true);
    await provider.release('clean', null);
    expect(provider.isReady).toBe(false); // AIOpsLab's teardown removed OpenEBS and Prometheus: warm again first
    await expect(provider.acquire()).rejects.toMatchObject({ code: 'cluster_unavailable' });
    await ready(provider);
    await provider.release('untouched', null);
    expect(provider.isReady).toBe(true); // nothing reached it
    await provider.acquire();
  });

  test('a prepared cluster that turns unhealthy while idle is refused at acquire, and the next preparation recreates it', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('untouched', null);
    world.setApiReady(C('w1'), false);
    await expect(provider.acquire()).rejects.toMatchObject({ code: 'cluster_unavailable', message: expect.stringMatching(/turned unhealthy while idle/) });
    expect(provider.isReady).toBe(false);
    await ready(provider);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(2);
  });

  test('an aborted preparation stops its commands and reports why', async () => {
    world.setBehavior({ create_delay_ms: 5000 });
    const provider = await startedKind();
    const controller = new AbortController();
    const preparing = provider.prepare(controller.signal);
    setTimeout(() => controller.abort(new Error('CLUSTER_SETUP_TIMEOUT_SECONDS ran out')), 300);
    await expect(preparing).rejects.toMatchObject({ name: 'ClusterError', code: 'cluster_unavailable', message: expect.stringMatching(/setup stopped: CLUSTER_SETUP_TIMEOUT_SECONDS ran out/) });
    expect(provider.isReady).toBe(false);
  });

  test('a healthy cluster is reused for the next task, and checked again before it', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('clean', null);
    const readyzBefore = world.calls('kubectl', 'get', '--raw', '/readyz').length;
    await ready(provider);
    await provider.release('clean', null);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(0);
    expect(world.calls('kubectl', 'get', '--raw', '/readyz').length).toBeGreaterThan(readyzBefore);
    expect(await metricValue(registry, 'aiopslab_worker_cluster_tasks_since_create', { cluster: C('w1') })).toBe(2);
  });

  test('when the API server stops answering, the cluster is deleted and created again', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('clean', null);
    world.setApiReady(C('w1'), false);

    const handle = await ready(provider);

    expect(handle.name).toBe(C('w1'));
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(1);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(2);
    expect(world.cluster(C('w1'))?.api_ready).toBe(true);
    expect(await metricValue(registry, 'aiopslab_worker_cluster_recreations_total', { reason: 'unhealthy' })).toBe(1);
    expect(logs.find((l) => l.message === 'kind cluster unhealthy')?.reason).toMatch(/API server not reachable/);
  });

  test('when a node is NotReady, the cluster is recreated', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('clean', null);
    world.setNodeReady(C('w1'), `${C('w1')}-worker`, false);
    await ready(provider);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(2);
    expect(logs.find((l) => l.message === 'kind cluster unhealthy')?.reason).toBe(`nodes not Ready: ${C('w1')}-worker`);
  });

  test('a leftover cluster without a control plane is recreated, not reused', async () => {
    world.addCluster(C('w1'), [{ role: 'worker' }]);
    const provider = await startedKind();
    await ready(provider);
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(1);
    expect(world.cluster(C('w1'))?.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker']);
    expect(logs.find((l) => l.message === 'kind cluster unhealthy')?.reason).toMatch(/cannot export its kubeconfig: .*could not locate any control plane/);
  });

  test('after a dirty run the cluster is reset, not recreated: the problem\'s own cleanup with the task\'s spec, then the namespace sweep', async () => {
    const cleaned: string[] = [];
    const provider = await startedKind('w1', {}, { cleanupProblem: async (specFile) => void cleaned.push(JSON.parse(readFileSync(specFile, 'utf8')).task_id) });
    await ready(provider);
    world.modify(C('w1'), (cluster) => {
      cluster.namespaces = [...(cluster.namespaces ?? []), 'test-hotel-reservation', 'chaos-mesh'];
      cluster.pods = { ...cluster.pods, 'test-social-network': [{ name: 'nginx-1', ready: false }] };
    });
    const spec = path.join(world.root, 'task-spec.json');
    writeFileSync(spec, JSON.stringify({ task_id: 'task-1', attempt: 1 }));
    await provider.release('dirty', spec);
    const handle = await ready(provider);
    expect(cleaned).toEqual(['task-1']);
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(0);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    expect(handle.timing).toMatchObject({ created: false, reused: true, reset: { cleanup_error: null, swept_namespaces: ['test-hotel-reservation', 'test-social-network'] } });
    const left = world.cluster(C('w1'));
    expect(left?.namespaces).toContain('chaos-mesh'); // AIOpsLab installs Chaos Mesh once and keeps it
    expect(left?.namespaces).not.toContain('test-hotel-reservation');
    // clean again: the next preparation resets nothing
    await provider.release('clean', null);
    expect((await ready(provider)).timing?.reset).toBeNull();
  });

  test('a reset whose sweep fails (a namespace stuck terminating) recreates the cluster', async () => {
    const provider = await startedKind();
    await ready(provider);
    world.modify(C('w1'), (cluster) => void (cluster.namespaces = [...(cluster.namespaces ?? []), 'test-hotel-reservation']));
    world.setBehavior({ namespace_stuck: 'test-hotel-reservation' });
    await provider.release('dirty', null);
    const handle = await ready(provider);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(2);
    expect(handle.timing).toMatchObject({ created: true, recreate_reason: 'reset_failed' });
    expect(await metricValue(registry, 'aiopslab_worker_cluster_recreations_total', { reason: 'reset_failed' })).toBe(1);
  });

  test('after KIND_RECREATE_AFTER_TASKS tasks the cluster is recreated', async () => {
    const provider = await startedKind('w1', { KIND_RECREATE_AFTER_TASKS: 2 });
    for (let i = 0; i < 2; i++) {
      await ready(provider);
      await provider.release('clean', null);
    }
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    await ready(provider);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(2);
    expect(await metricValue(registry, 'aiopslab_worker_cluster_recreations_total', { reason: 'task_limit' })).toBe(1);
  });

  test('a cluster that never turns healthy fails the task retryably (cluster_unavailable)', async () => {
    world.setBehavior({ create_unhealthy: true });
    const provider = await startedKind();
    await expect(ready(provider)).rejects.toMatchObject({ name: 'ClusterError', code: 'cluster_unavailable', retryable: true });
    // the next attempt does not trust it: it is recreated
    world.setBehavior({});
    await ready(provider);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(2);
  });

  test('a failed kind create is cleaned up and reported as cluster_unavailable', async () => {
    world.setBehavior({ create_fails: true });
    const provider = await startedKind();
    await expect(ready(provider)).rejects.toMatchObject({ name: 'ClusterError', code: 'cluster_unavailable', message: expect.stringMatching(/kubeadm/) });
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(1);
    expect(world.cluster(C('w1'))).toBeNull();
    expect(await metricValue(registry, 'aiopslab_worker_cluster_create_seconds_count', { outcome: 'failure' })).toBe(1);
  });

  test('shutdown deletes the cluster', async () => {
    const provider = await startedKind();
    await ready(provider);
    await provider.release('clean', null);
    await provider.shutdown();
    expect(world.cluster(C('w1'))).toBeNull();
    const [deletion] = world.calls('kind', 'delete', 'cluster');
    expect(argAfter(deletion.argv, '--name')).toBe(C('w1'));
    await provider.shutdown(); // idempotent
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(1);
  });

  test('with KIND_KEEP_CLUSTER the cluster survives shutdown and the restarted worker reuses it', async () => {
    const first = await startedKind('w1', { KIND_KEEP_CLUSTER: true });
    await ready(first);
    await first.release('clean', null);
    await first.shutdown();
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(0);
    expect(world.cluster(C('w1'))).not.toBeNull();

    const second = await startedKind('w1', { KIND_KEEP_CLUSTER: true });
    const handle = await ready(second);
    expect(handle.name).toBe(C('w1'));
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    expect(world.calls('kind', 'export', 'kubeconfig').length).toBeGreaterThanOrEqual(1);
  });

  test('a kept cluster that was in use when its worker died counts as dirty and is reset (a sweep: its spec is gone)', async () => {
    const crashed = await startedKind('w1', { KIND_KEEP_CLUSTER: true });
    await ready(crashed); // the worker dies mid-task: no release
    world.modify(C('w1'), (cluster) => void (cluster.namespaces = [...(cluster.namespaces ?? []), 'test-hotel-reservation']));

    const restarted = await startedKind('w1', { KIND_KEEP_CLUSTER: true });
    const handle = await ready(restarted);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    expect(handle.timing?.reset).toMatchObject({ swept_namespaces: ['test-hotel-reservation'] });
  });
});

describe('orphaned kind clusters', () => {
  test('at start, only the worker-*-kind clusters of offline workers are removed', async () => {
    const mine = ['dead', 'alive', 'unknown', 'gone'];
    const others = [`kind-${world.id}`, `dev-${world.id}-kind`];
    for (const name of [...mine.map(C), C('w1'), ...others]) world.addCluster(name);
    const db = `db-${world.id}`;
    world.docker('run', '--detach', '--name', db, '--label', `${WORLD_LABEL}=${world.id}`, '--label', 'app=db', world.engine!.image, '/bin/sleep', '1d');
    const asked: string[] = [];
    // The engine is shared: any worker this test does not know about is someone else's live one.
    const isWorkerActive = async (id: string) => {
      if (!mine.map(W).includes(id)) return true;
      asked.push(id);
      if (id === W('unknown')) throw new Error('database unreachable');
      return id === W('alive');
    };

    await startedKind('w1', {}, { isWorkerActive });

    expect(world.clusterNames()).toEqual([C('alive'), C('unknown'), C('w1'), ...others].sort());
    expect(asked.sort()).toEqual(['alive', 'dead', 'gone', 'unknown'].map(W));
    for (const gone of ['dead', 'gone']) expect(await nodeContainers(C(gone))).toEqual([]);
    expect(await nodeContainers(C('alive'))).toEqual([`${C('alive')}-control-plane`, `${C('alive')}-worker`]);
    // a container without the kind label is never touched
    expect(world.docker('inspect', '--format', '{{.State.Running}}', db).trim()).toBe('true');
    // the worker's own cluster is reused, not treated as an orphan
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(0);
    expect(await nodeContainers(C('w1'))).toHaveLength(2);
  });

  test('a Docker socket that does not answer does not stop the worker', async () => {
    const provider = kind('w1', {}, { docker: new Docker({ socketPath: path.join(world.root, 'nothing.sock') }) });
    await expect(provider.start()).resolves.toBeUndefined();
    expect(logs.find((l) => l.message === 'orphaned kind cluster check failed; going on')).toBeDefined();
  });
});

describe('real node containers', () => {
  test('kind create starts labelled node containers on the kind network, and kind delete removes them', async () => {
    const provider = await startedKind('w1');
    await provider.prepare(new AbortController().signal);

    const [controlPlane] = await docker.listContainers({ filters: { label: [`io.x-k8s.kind.cluster=${C('w1')}`, 'io.x-k8s.kind.role=control-plane'] } });
    expect(controlPlane.Names).toEqual([`/${C('w1')}-control-plane`]);
    expect(controlPlane.State).toBe('running');
    expect(Object.keys(controlPlane.NetworkSettings.Networks)).toEqual([world.engine!.network]);
    const hostname = await docker.getContainer(`${C('w1')}-worker`).inspect();
    expect([hostname.Config.Hostname, hostname.Config.Labels['io.x-k8s.kind.role']]).toEqual([`${C('w1')}-worker`, 'worker']);

    await provider.shutdown();
    expect(await nodeContainers(C('w1'))).toEqual([]);
  });
});

describe('prerequisites', () => {
  test('all present: kind, kubectl, docker CLI, the kind config and the reachable (real) Docker Engine', async () => {
    await expect(kind().checkPrerequisites()).resolves.toBeUndefined();
  });

  test.each(['kind', 'kubectl', 'docker'] as const)('without %s on PATH the worker refuses to start and says what to install', async (missing) => {
    const partial = new StandinWorld((['kind', 'kubectl', 'docker'] as const).filter((t) => t !== missing));
    try {
      const provider = kind('w1', {}, { commandEnv: partial.env });
      const error = await provider.checkPrerequisites().then(() => null, (e: unknown) => e as Error & { code: string });
      expect(error).toMatchObject({ name: 'ClusterError', code: 'cluster_prerequisite_missing' });
      expect(error?.message).toContain(`${missing} is not on PATH: install`);
      expect(error?.message).toContain('CLUSTER_PROVIDER=existing');
      expect(error?.message).toContain('CLUSTER_PROVIDER=none');
    } finally {
      partial.cleanup();
    }
  });

  test('an unreachable Docker socket and a missing KIND_CONFIG are both reported', async () => {
    const provider = kind('w1', { KIND_CONFIG: path.join(world.root, 'missing.yaml') }, { docker: new Docker({ socketPath: path.join(world.root, 'no-docker.sock') }) });
    const error = await provider.checkPrerequisites().then(() => null, (e: unknown) => e as Error);
    expect(error?.message).toContain('the Docker Engine is not reachable at');
    expect(error?.message).toContain('no-docker.sock');
    expect(error?.message).toMatch(/KIND_CONFIG=.*missing\.yaml does not exist/);
  });

  test('a WORKER_ID that cannot name a kind cluster is refused', () => {
    expect(() => kindWithId('Worker_1')).toThrow(/WORKER_ID=Worker_1 cannot name a Kind cluster/);
    // kind caps cluster names at 50 characters: worker-<id>-kind leaves 38 for the id
    expect(() => kindWithId('a'.repeat(39))).toThrow(/cannot name a Kind cluster/);
    expect(() => kindWithId('a'.repeat(38))).not.toThrow();
  });
});

describe('per-worker kubeconfig isolation', () => {
  test('two workers get two clusters and two kubeconfigs, and nothing switches a shared context', async () => {
    const a = await startedKind('a');
    const b = await startedKind('b');
    const [ha, hb] = await Promise.all([ready(a), ready(b)]);

    expect(ha.kubeconfig).not.toBe(hb.kubeconfig);
    const configA = JSON.parse(readFileSync(ha.kubeconfig!, 'utf8'));
    const configB = JSON.parse(readFileSync(hb.kubeconfig!, 'utf8'));
    expect(configA.contexts.map((c: { name: string }) => c.name)).toEqual([`kind-${C('a')}`]);
    expect(configB.contexts.map((c: { name: string }) => c.name)).toEqual([`kind-${C('b')}`]);
    expect(configA['current-context']).toBe(`kind-${C('a')}`);
    expect(configB['current-context']).toBe(`kind-${C('b')}`);

    const calls = world.invocations().filter((call) => call.tool !== 'docker');
    expect(calls.length).toBeGreaterThan(4);
    for (const call of calls) {
      // every kind/kubectl call carries one worker's own kubeconfig, in the flag (if any) and the env
      expect([ha.kubeconfig, hb.kubeconfig]).toContain(call.kubeconfig_env);
      const flag = argAfter(call.argv, '--kubeconfig');
      if (flag !== undefined) expect(flag).toBe(call.kubeconfig_env);
      const context = argAfter(call.argv, '--context');
      if (context !== undefined) expect(context).toBe(call.kubeconfig_env === ha.kubeconfig ? `kind-${C('a')}` : `kind-${C('b')}`);
      expect(call.argv).not.toContain('use-context');
    }
    expect(existsSync(path.join(world.home, '.kube'))).toBe(false);

    await a.shutdown();
    expect(world.clusterNames()).toEqual([C('b')]);
    expect(JSON.parse(readFileSync(hb.kubeconfig!, 'utf8'))['current-context']).toBe(`kind-${C('b')}`);
  });
});

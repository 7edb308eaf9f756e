import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createClusterProvider, type ClusterProviderDeps } from '../src/clusters/create-cluster-provider';
import type { ClusterConfig } from '../src/clusters/cluster-config';
import type { ClusterProvider } from '../src/clusters/cluster-provider';
import { StandinWorld } from './fixtures/cluster-standins/standin-world';
import { memoryLogger, metricValue } from './fixtures/cluster-standins/test-kit';

/**
 * CLUSTER_PROVIDER=existing against a stand-in kubectl (no kind on PATH at all): a user kubeconfig
 * with two contexts, of which only `lab-ctx` points at a live (stand-in) cluster.
 */
let world: StandinWorld;
let registry: Registry;
let userKubeconfig: string;
let userKubeconfigText: string;

beforeEach(() => {
  world = new StandinWorld(['kubectl']);
  registry = new Registry();
  world.addCluster('lab');
  userKubeconfig = path.join(world.root, 'user-kubeconfig');
  const entry = (name: string) => ({ name, cluster: { server: `https://${name}.example:6443` } });
  userKubeconfigText = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [entry('lab'), entry('other')],
    users: [{ name: 'me', user: { token: 'secret' } }],
    contexts: [
      { name: 'lab-ctx', context: { cluster: 'lab', user: 'me' } },
      { name: 'other-ctx', context: { cluster: 'other', user: 'me' } },
    ],
    'current-context': 'other-ctx',
  });
  writeFileSync(userKubeconfig, userKubeconfigText);
});

afterEach(() => world.cleanup());

function existing(config: Partial<ClusterConfig> = {}, extra: Partial<ClusterProviderDeps> = {}): ClusterProvider {
  return createClusterProvider(
    { CLUSTER_PROVIDER: 'existing', EXISTING_KUBECONFIG: userKubeconfig, EXISTING_CONTEXT: 'lab-ctx', ...config },
    {
      logger: memoryLogger().logger,
      metricsRegistry: registry,
      workerId: 'w1',
      workDir: path.join(world.root, 'work-w1'),
      isWorkerActive: async () => true,
      commandEnv: world.env,
      ...extra,
    },
  );
}

async function prerequisiteError(provider: ClusterProvider): Promise<(Error & { code?: string }) | null> {
  return provider.checkPrerequisites().then(() => null, (e: unknown) => e as Error & { code?: string });
}

/** What the worker does before a task: prepare (between tasks, consumption held), then acquire. */
async function ready(provider: ClusterProvider) {
  await provider.prepare(new AbortController().signal);
  return provider.acquire();
}

describe('existing cluster provider', () => {
  test('uses the given context through a private kubeconfig copy and never edits the given file', async () => {
    const provider = existing();
    await provider.checkPrerequisites();
    await provider.start();
    const handle = await ready(provider);

    const privateCopy = path.join(world.root, 'work-w1', 'kubeconfig');
    expect(handle).toEqual({ provider: 'existing', name: null, kubeconfig: privateCopy, context: 'lab-ctx' });
    const copy = JSON.parse(readFileSync(privateCopy, 'utf8'));
    expect(copy['current-context']).toBe('lab-ctx');
    expect(copy.contexts.map((c: { name: string }) => c.name)).toEqual(['lab-ctx']);
    expect(readFileSync(userKubeconfig, 'utf8')).toBe(userKubeconfigText);
    // any context switch happened on the private copy only
    for (const call of world.calls('kubectl', 'use-context')) {
      expect(call.argv[call.argv.indexOf('--kubeconfig') + 1]).toBe(privateCopy);
      expect(call.kubeconfig_env).toBe(privateCopy);
    }
    const readyz = world.calls('kubectl', 'get', '--raw', '/readyz');
    expect(readyz.length).toBeGreaterThanOrEqual(2); // at start and before the task
    expect(readyz.every((call) => call.argv.includes('lab-ctx') && call.kubeconfig_env === privateCopy)).toBe(true);
    expect(await metricValue(registry, 'aiopslab_worker_cluster_healthy', { provider: 'existing' })).toBe(1);
    expect(existsSync(path.join(world.home, '.kube'))).toBe(false);
  });

  test("without EXISTING_CONTEXT it uses the file's current context", async () => {
    writeFileSync(userKubeconfig, userKubeconfigText.replace('"current-context":"other-ctx"', '"current-context":"lab-ctx"'));
    const provider = existing({ EXISTING_CONTEXT: undefined });
    await provider.checkPrerequisites();
    await provider.start();
    expect((await ready(provider)).context).toBe('lab-ctx');
  });

  test('an unhealthy cluster fails its preparation retryably and is never created or deleted', async () => {
    const provider = existing();
    await provider.start();
    world.setApiReady('lab', false);
    await expect(ready(provider)).rejects.toMatchObject({ name: 'ClusterError', code: 'cluster_unavailable', retryable: true, message: expect.stringMatching(/lab-ctx.*not healthy.*API server not reachable/) });
    world.setApiReady('lab', true);
    world.setNodeReady('lab', 'lab-worker', false);
    await expect(ready(provider)).rejects.toMatchObject({ code: 'cluster_unavailable', message: expect.stringMatching(/nodes not Ready: lab-worker/) });
    world.setNodeReady('lab', 'lab-worker', true);
    await expect(ready(provider)).resolves.toMatchObject({ context: 'lab-ctx' });
    expect(world.invocations('kind')).toHaveLength(0);
    expect(await metricValue(registry, 'aiopslab_worker_cluster_healthy', { provider: 'existing' })).toBe(1);
  });

  test("after a dirty run only the problem's own cleanup runs, with the task's spec: nothing is swept on a cluster that is not ours", async () => {
    const cleaned: string[] = [];
    const provider = existing({}, { cleanupProblem: async (specFile) => void cleaned.push(JSON.parse(readFileSync(specFile, 'utf8')).task_id) });
    await provider.start();
    await ready(provider);
    const spec = path.join(world.root, 'task-spec.json');
    writeFileSync(spec, JSON.stringify({ task_id: 'task-9', attempt: 1 }));
    await provider.release('dirty', spec);
    const timing = await provider.prepare(new AbortController().signal);
    expect(cleaned).toEqual(['task-9']);
    expect(timing).toMatchObject({ provider: 'existing', reset: { cleanup_error: null, swept_namespaces: [] } });
    expect(world.calls('kubectl', 'get', 'namespaces')).toHaveLength(0);
  });

  test('a dirty run and shutdown leave the cluster alone; shutdown removes the private copy', async () => {
    const provider = existing();
    await provider.start();
    const handle = await ready(provider);
    await provider.release('dirty', null);
    expect(provider.isReady).toBe(false);
    await ready(provider); // checked again; nothing created, swept or deleted
    expect(world.invocations('kind')).toHaveLength(0);
    await provider.shutdown();
    expect(existsSync(handle.kubeconfig!)).toBe(false);
    expect(world.cluster('lab')).not.toBeNull();
    expect(readFileSync(userKubeconfig, 'utf8')).toBe(userKubeconfigText);
  });

  test('prerequisites: a missing EXISTING_KUBECONFIG is named', async () => {
    const error = await prerequisiteError(existing({ EXISTING_KUBECONFIG: undefined }));
    expect(error).toMatchObject({ name: 'ClusterError', code: 'cluster_prerequisite_missing' });
    expect(error?.message).toContain('EXISTING_KUBECONFIG is not set');
    expect(error?.message).toContain('CLUSTER_PROVIDER=none');
  });

  test('prerequisites: a kubeconfig file that does not exist is named', async () => {
    const error = await prerequisiteError(existing({ EXISTING_KUBECONFIG: path.join(world.root, 'nope') }));
    expect(error?.message).toMatch(/EXISTING_KUBECONFIG=.*nope does not exist or is not readable/);
  });

  test('prerequisites: an unknown context is named with the contexts the file has', async () => {
    const error = await prerequisiteError(existing({ EXISTING_CONTEXT: 'prod' }));
    expect(error?.message).toContain('EXISTING_CONTEXT=prod is not a context of');
    expect(error?.message).toContain('lab-ctx, other-ctx');
  });

  test('prerequisites: kubectl missing from PATH is named', async () => {
    const bare = new StandinWorld([]);
    try {
      const error = await prerequisiteError(existing({}, { commandEnv: bare.env }));
      expect(error?.message).toContain('kubectl is not on PATH: install kubectl');
    } finally {
      bare.cleanup();
    }
  });

  test('prerequisites: with the ssh agent shell, a missing key names EXISTING_SSH_KEY', async () => {
    const error = await prerequisiteError(existing({ EXISTING_AGENT_SHELL: 'ssh', EXISTING_SSH_HOST: 'lab', EXISTING_SSH_KEY: path.join(world.root, 'no-key') }));
    expect(error?.message).toMatch(/EXISTING_SSH_KEY .*=.*no-key does not exist or is not readable/);
    const key = path.join(world.root, 'id_ed25519');
    writeFileSync(key, 'key', { mode: 0o600 });
    expect(await prerequisiteError(existing({ EXISTING_AGENT_SHELL: 'ssh', EXISTING_SSH_HOST: 'lab', EXISTING_SSH_KEY: key }))).toBeNull();
  });

  test('CLUSTER_PROVIDER=none still needs nothing', async () => {
    const none = createClusterProvider('none');
    await none.checkPrerequisites();
    await expect(ready(none)).resolves.toEqual({ provider: 'none', name: null, kubeconfig: null, context: null });
  });
});

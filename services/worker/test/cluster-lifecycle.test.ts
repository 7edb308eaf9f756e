import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { Registry } from 'prom-client';
import { createClusterProvider } from '../src/clusters/create-cluster-provider';
import { createProblemCleanup } from '../src/tasks/executors/problem-cleanup';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { fixtureCommand, TestWorker, WorkerHarness } from './support/worker-harness';
import { StandinWorld } from './fixtures/cluster-standins/standin-world';
import { memoryLogger } from './fixtures/cluster-standins/test-kit';

/**
 * The worker owns its cluster's lifecycle: it prepares the cluster (create, preload, warm; reset
 * after a dirty run) between tasks with its consumer paused, so no task's timeout pays for it.
 * Whole workers with the real kind provider over the cluster stand-ins (whose `kind create` starts
 * real node containers on the real Docker engine, shared: worker ids carry the world's id), and a
 * stand-in runner (fixtures/cluster-problem.js) that deploys, injects and tears down as AIOpsLab
 * does. Task timeouts are scaled: a "minute" is one second here.
 */
const MINUTE_MS = 1000;
const APP_NAMESPACE = 'test-hotel-reservation';

describe('the worker owns its cluster', () => {
  let h: WorkerHarness;
  let world: StandinWorld;
  /** This test's worker id for a short name: unique on the shared engine. */
  let W: (base: string) => string;

  beforeAll(async () => {
    h = await WorkerHarness.create();
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    world = new StandinWorld(undefined, { engine: true });
    W = (base) => world.workerId(base);
  });
  afterEach(async () => {
    for (const worker of [...h.workers]) await h.stopWorker(worker);
    world.cleanup();
  });

  /** Worker W(base) on a kind provider over this test's stand-ins, running fixtures/cluster-problem.js. */
  async function launchKindWorker(base: string): Promise<TestWorker> {
    const id = W(base);
    const command = fixtureCommand('select', `STANDIN_STATE_DIR='${world.stateDir}' `);
    const clusterProvider = createClusterProvider(
      { CLUSTER_PROVIDER: 'kind', KIND_WARM_AIOPSLAB_DIR: world.aiopslabDir, KIND_PRELOAD_IMAGES: false },
      {
        logger: memoryLogger().logger,
        metricsRegistry: new Registry(),
        workerId: id,
        workDir: path.join(world.root, `work-${id}`),
        isWorkerActive: async () => true,
        docker: new Docker(),
        commandEnv: world.env,
        udevDir: path.join(world.root, 'udev'),
        pollIntervalMs: 5,
        readyGraceMs: { created: 500, existing: 15 },
        cleanupProblem: createProblemCleanup({ command, passthroughEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, workRoot: path.join(world.root, `work-${id}`), killGraceMs: 1000 }),
      },
    );
    return h.launchWorker(id, { clusterProvider, env: { RUNNER_COMMAND: command }, overrides: { timeoutMinuteMs: MINUTE_MS } });
  }

  const submitProblem = (outcome: 'solve' | 'fail' | 'bad-agent', extra: Record<string, string> = {}) =>
    h.submit({ fixture: 'cluster-problem', fixtureEnv: { PROBLEM_OUTCOME: outcome, ...extra }, timeoutMinutes: 1, maxRetries: 0 });

  const workerRow = (base: string) => h.db.worker.findUniqueOrThrow({ where: { id: W(base) } });

  function cleanups(): { task_id: string }[] {
    const file = path.join(world.stateDir, 'cleanups.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [];
  }

  it('a cold worker whose cluster takes longer to create than a task\'s timeout consumes nothing meanwhile, then completes its first task', async () => {
    world.setBehavior({ create_delay_ms: 2500 }); // 2.5 "minutes", the task's timeout is 1
    const worker = await launchKindWorker('cold');
    const submitted = await submitProblem('solve');
    await waitUntil(async () => (await workerRow('cold')).status === 'preparing', 10_000, 'the worker to report preparing');
    expect(worker.isConsuming).toBe(false);
    expect((await h.db.task.findUniqueOrThrow({ where: { id: submitted.id } })).status).toBe('pending');

    const task = await h.waitForStatus(submitted.id, 'completed', 30_000);
    const result = task.result as any;
    expect(result.cluster).toMatchObject({ created: true, create_s: expect.any(Number), setup_s: expect.any(Number), warm_installed: ['openebs', 'prometheus'] });
    expect(result.cluster.create_s).toBeGreaterThanOrEqual(2.5);
    expect(result.durations.run_s).toBeLessThan(result.cluster.create_s);
    expect(result.durations.cluster_wait_s).toEqual(expect.any(Number));
  });

  it('after a failed task the cluster is reset between tasks (the problem\'s cleanup, then the namespace sweep), not recreated; the next task runs on it', async () => {
    await launchKindWorker('reset');
    const failed = await h.waitForStatus((await submitProblem('fail')).id, 'failed', 30_000);
    expect(world.cluster(`worker-${W('reset')}-kind`)?.namespaces).toContain(APP_NAMESPACE);

    const good = await h.waitForStatus((await submitProblem('solve')).id, 'completed', 30_000);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
    expect(world.calls('kind', 'delete', 'cluster')).toHaveLength(0);
    expect(cleanups()).toEqual([expect.objectContaining({ task_id: failed.id })]);
    expect((good.result as any).cluster).toMatchObject({ created: false, reused: true, recreate_reason: null, reset: { reset_s: expect.any(Number), cleanup_error: null, swept_namespaces: [] } });
  });

  it('when the problem\'s cleanup fails, the sweep still removes what it left', async () => {
    await launchKindWorker('sweep');
    await h.waitForStatus((await submitProblem('fail', { CLEANUP_FAILS: 'true' })).id, 'failed', 30_000);
    const good = await h.waitForStatus((await submitProblem('solve')).id, 'completed', 30_000);
    const reset = (good.result as any).cluster.reset;
    expect(reset.cleanup_error).toMatch(/^RUNNER_COMMAND --cleanup-problem exited with code 1: cleanup failed: recover_fault/);
    expect(reset.swept_namespaces).toEqual([APP_NAMESPACE]);
    expect(world.calls('kind', 'create', 'cluster')).toHaveLength(1);
  });

  it('an invalid agent config leaves the cluster clean: no reset, no warm-up, nothing held between tasks', async () => {
    await launchKindWorker('clean');
    await h.waitForStatus((await submitProblem('solve')).id, 'completed', 30_000);
    await waitUntil(async () => (await workerRow('clean')).status === 'idle', 10_000, 'the worker to be ready again');
    const kubectlCalls = world.calls('kubectl').length;

    const bad = await h.waitForStatus((await submitProblem('bad-agent')).id, 'failed', 30_000);
    expect(bad.error).toMatchObject({ kind: 'runner_error', error_type: 'InvalidAgentConfig' });
    await waitUntil(async () => (await workerRow('clean')).status === 'idle', 10_000, 'the worker idle');
    // only the acquisition's health probe reached the cluster: no sweep, no warm-up
    const after = world.calls('kubectl').slice(kubectlCalls).map((c) => c.argv);
    expect(after.some((argv) => argv.includes('nodes'))).toBe(true);
    const beyondTheProbe = after.filter((argv) => ['namespaces', 'namespace', 'apply', 'pods', 'storageclass', 'wait', 'patch'].some((word) => argv.includes(word)));
    expect(beyondTheProbe).toEqual([]);
    expect(cleanups()).toEqual([]);
  });

  it('a cluster that cannot be created charges no task: the worker says why, backs off, and runs the task once it can', async () => {
    world.setBehavior({ create_fails: true });
    const worker = await launchKindWorker('broken');
    const submitted = await submitProblem('solve');
    await waitUntil(async () => (await workerRow('broken')).status === 'unhealthy', 10_000, 'the worker to report unhealthy');
    expect((await workerRow('broken')).healthReason).toMatch(new RegExp(`^cluster setup failed: kind create cluster worker-${W('broken')}-kind failed: .*kubeadm`));
    expect(worker.isConsuming).toBe(false);
    expect(await h.db.task.findUniqueOrThrow({ where: { id: submitted.id } })).toMatchObject({ status: 'pending', attempt: 0 });

    world.setBehavior({});
    const task = await h.waitForStatus(submitted.id, 'completed', 30_000);
    expect(task.attempt).toBe(1);
    expect((await h.events(task.id)).map((e) => e.to_status)).toEqual(['processing', 'completed']);
  });
});

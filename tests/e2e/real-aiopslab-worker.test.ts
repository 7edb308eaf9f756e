import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StandinWorld } from '../../services/worker/test/fixtures/cluster-standins/standin-world';
import { freePort, ServiceProcess } from '../support/service-process';
import { waitUntil } from '../support/amqp-helpers';
import { createTestEnv, TestEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');
const RUNNER = path.join(ROOT, 'services/worker/runner/bin/aiopslab-runner');
const UPSTREAM = process.env.AIOPSLAB_UPSTREAM_DIR ?? path.resolve(ROOT, '../shared/upstream/aiopslab');
const STANDINS = path.join(ROOT, 'services/worker/runner/tests/upstream_standins');
const DEBIAN_PYTHON = process.env.AIOPSLAB_PYTHON ?? '/usr/bin/python3';
const FLOWER = 'flower_node_stop-detection';

interface Problems { problems: { id: string }[]; unsupported: { id: string; reason: string }[]; source: string }
interface TaskView { status: string; error: { kind?: string; message?: string } | null }

/**
 * A worker started as a deployment starts it — its own empty HOME, no ~/.kube, the cluster handed
 * over by kubeconfig (CLUSTER_PROVIDER=existing) — running the REAL AIOpsLab source (a copy of
 * ../shared/upstream/aiopslab with Debian's python3 and the four stand-ins): it refreshes the
 * catalog from the real registry and takes a task past import into init_problem.
 */
describe('worker with the real AIOpsLab source, an empty HOME and CLUSTER_PROVIDER=existing', () => {
  let env: TestEnv;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let broken: ServiceProcess;
  let apiUrl: string;
  let world: StandinWorld;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'real-aiopslab-e2e-'));

  beforeAll(async () => {
    if (!fs.existsSync(path.join(UPSTREAM, 'aiopslab', 'orchestrator'))) throw new Error(`the real AIOpsLab source is not at ${UPSTREAM}; set AIOPSLAB_UPSTREAM_DIR`);
    env = await createTestEnv();
    world = new StandinWorld(['kubectl']);
    world.addCluster('lab');
    const kubeconfig = path.join(dir, 'kubeconfig');
    // Nothing listens on this loopback port: AIOpsLab's Kubernetes client fails fast and locally.
    const apiServer = `https://127.0.0.1:${await freePort()}`;
    fs.writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab', cluster: { server: apiServer, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'me', user: { token: 'not-a-secret' } }],
      contexts: [{ name: 'lab-ctx', context: { cluster: 'lab', user: 'me' } }],
      'current-context': 'lab-ctx',
    }));
    const source = path.join(dir, 'AIOpsLab');
    fs.cpSync(UPSTREAM, source, { recursive: true, filter: (file) => !/__pycache__|config\.yml$/.test(file) });
    const home = path.join(dir, 'empty-home');
    fs.mkdirSync(home);

    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = new ServiceProcess('api', 'api', { ...env.env, PORT: String(apiPort), HOST: '127.0.0.1' }, `${apiUrl}/health`, path.join(dir, 'api.log'));
    /** A worker as a deployment starts one: its own empty HOME, the cluster handed over by kubeconfig. */
    const startableWorker = async (id: string, pythonPath: string, readyPath: string, extra: Record<string, string>) => {
      const healthPort = await freePort();
      return new ServiceProcess(id, 'worker', {
        ...env.env,
        HOME: home,
        PATH: `${world.binDir}:${process.env.PATH}`,
        STANDIN_STATE_DIR: world.stateDir,
        WORKER_ID: id,
        CLUSTER_PROVIDER: 'existing',
        EXISTING_KUBECONFIG: kubeconfig,
        RUNNER_COMMAND: `${DEBIAN_PYTHON} ${RUNNER}`,
        PYTHONPATH: pythonPath,
        WORK_DIR: path.join(dir, `work-${id}`),
        HEALTH_PORT: String(healthPort),
        HEALTH_HOST: '127.0.0.1',
        ...extra,
      }, `http://127.0.0.1:${healthPort}${readyPath}`, path.join(dir, `${id}.log`));
    };
    worker = await startableWorker('real-source-e2e', `${source}:${STANDINS}`, '/health', { REFRESH_PROBLEMS_AT_START: 'true', TIKTOKEN_CACHE_DIR: path.join(dir, 'tiktoken') });
    // Beside it, a worker whose runner cannot import AIOpsLab (the four stand-ins are missing); its
    // /health turns 503 once it knows, so its start is awaited on /metrics.
    broken = await startableWorker('real-source-broken', source, '/metrics', { REFRESH_PROBLEMS_AT_START: 'false' });
    await Promise.all([api.start(), worker.start(), broken.start()]);
  }, 120_000);

  afterAll(async () => {
    await broken?.stop();
    await worker?.stop();
    await api?.stop();
    world?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const workerLog = () => fs.readFileSync(path.join(dir, 'real-source-e2e.log'), 'utf8');

  it('refreshes the catalog from the real registry: every problem, the Flower ones apart with their reason', async () => {
    let catalog = {} as Problems;
    await waitUntil(async () => {
      catalog = (await (await fetch(`${apiUrl}/problems`)).json()) as Problems;
      return catalog.source !== 'default';
    }, 90_000, 'the catalog refresh from the real source');
    expect(catalog.problems).toHaveLength(87);
    expect(catalog.unsupported.map((p) => p.id).sort()).toEqual(['flower_model_misconfig-detection', FLOWER]);
    expect(workerLog()).not.toMatch(/refresh failed|ConfigException/);

    const refused = await fetch(`${apiUrl}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ problem_id: FLOWER, agent_config: { kind: 'registry', name: 'gpt' } }) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(/not run by this service: deployed with docker compose/);
  });

  it('takes a task past import into init_problem, and a cancel stops the real runner', async () => {
    const submitted = await fetch(`${apiUrl}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ problem_id: 'k8s_target_port-misconfig-detection-1', max_steps: 3, agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } }),
    });
    expect(submitted.status).toBe(201);
    const { task_id } = (await submitted.json()) as { task_id: string };
    const messages = async () => ((await (await fetch(`${apiUrl}/tasks/${task_id}/logs?limit=5000`)).json()) as { logs: { message: string }[] }).logs.map((l) => l.message);
    // init_problem creates the session first; AIOpsLab prints its id — only after the real import.
    await waitUntil(async () => (await messages()).some((m) => m.includes('Session ID:')), 90_000, 'init_problem to start');
    expect((await messages()).join('\n')).not.toMatch(/ConfigException|importing AIOpsLab failed/);

    expect((await fetch(`${apiUrl}/tasks/${task_id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    let task = {} as TaskView;
    await waitUntil(async () => {
      task = (await (await fetch(`${apiUrl}/tasks/${task_id}`)).json()) as TaskView;
      return task.status === 'cancelled';
    }, 60_000, 'the task to be cancelled');
    expect(task.status).toBe('cancelled');
    expect((task as TaskView & { worker_id: string }).worker_id).toBe('real-source-e2e');
  });

  it('a worker that cannot import AIOpsLab says so and takes no task', async () => {
    interface WorkerView { id: string; status: string; health_reason: string | null }
    let brokenView = {} as WorkerView;
    await waitUntil(async () => {
      brokenView = (await (await fetch(`${apiUrl}/workers/real-source-broken`)).json()) as WorkerView;
      return brokenView.status === 'unhealthy';
    }, 90_000, 'the broken worker to report itself unhealthy');
    expect(brokenView.health_reason).toMatch(/importing AIOpsLab failed.*No module named/);
    const listed = (await (await fetch(`${apiUrl}/tasks?limit=100`)).json()) as { tasks: { worker_id: string | null }[] };
    expect(listed.tasks.length).toBeGreaterThan(0);
    expect(listed.tasks.every((t) => t.worker_id !== 'real-source-broken')).toBe(true);
  });
});

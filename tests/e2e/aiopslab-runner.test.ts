import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RUNNER_ENV_PASSTHROUGH } from '../../services/worker/src/config';
import { StandinWorld } from '../../services/worker/test/fixtures/cluster-standins/standin-world';
import { freePort, ServiceProcess } from '../support/service-process';
import { waitUntil } from '../support/amqp-helpers';
import { createTestEnv, TestEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');
const RUNNER = path.join(ROOT, 'services/worker/runner/bin/aiopslab-runner');
const STANDIN_AIOPSLAB = path.join(ROOT, 'services/worker/runner/tests/standin');
const PROBLEM = 'k8s_target_port-misconfig-detection-1';

/**
 * The whole path a researcher's task takes, with only AIOpsLab and the cluster stood in:
 * api → RabbitMQ → worker (CLUSTER_PROVIDER=existing, stand-in kubectl) → the real Python
 * AIOpsLab runner → the stand-in `aiopslab` package → result, steps and logs back through the API.
 */
describe('api → worker → AIOpsLab runner → stand-in AIOpsLab', () => {
  let env: TestEnv;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let apiUrl: string;
  let world: StandinWorld;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-e2e-'));

  beforeAll(async () => {
    env = await createTestEnv();
    world = new StandinWorld(['kubectl']);
    world.addCluster('lab');
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab', cluster: { server: 'https://lab.example:6443' } }],
      users: [{ name: 'me', user: { token: 'not-a-secret' } }],
      contexts: [{ name: 'lab-ctx', context: { cluster: 'lab', user: 'me' } }],
      'current-context': 'lab-ctx',
    }));
    const lab = path.join(dir, 'aiopslab');
    fs.cpSync(STANDIN_AIOPSLAB, lab, { recursive: true, filter: (source) => !/__pycache__|config\.yml$/.test(source) });
    fs.mkdirSync(path.join(dir, 'markers'));

    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = new ServiceProcess('api', 'api', { ...env.env, PORT: String(apiPort), HOST: '127.0.0.1' }, `${apiUrl}/health`, path.join(dir, 'api.log'));
    const healthPort = await freePort();
    worker = new ServiceProcess('worker', 'worker', {
      ...env.env,
      PATH: `${world.binDir}:${process.env.PATH}`,
      STANDIN_STATE_DIR: world.stateDir,
      WORKER_ID: 'runner-e2e',
      CLUSTER_PROVIDER: 'existing',
      EXISTING_KUBECONFIG: kubeconfig,
      EXISTING_CONTEXT: 'lab-ctx',
      RUNNER_COMMAND: RUNNER,
      REFRESH_PROBLEMS_AT_START: 'false',
      RUNNER_ENV_PASSTHROUGH: `${DEFAULT_RUNNER_ENV_PASSTHROUGH},STANDIN_*`,
      PYTHONPATH: lab,
      STANDIN_MARKER_DIR: path.join(dir, 'markers'),
      TIKTOKEN_CACHE_DIR: path.join(dir, 'tiktoken'),
      WORK_DIR: path.join(dir, 'work'),
      HEALTH_PORT: String(healthPort),
      HEALTH_HOST: '127.0.0.1',
    }, `http://127.0.0.1:${healthPort}/health`, path.join(dir, 'worker.log'));
    await Promise.all([api.start(), worker.start()]);
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    world?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the problem and shows its evaluation, its steps and its logs through the API', async () => {
    const actions = ['exec_shell("kubectl get pods -n test-social-network")', 'submit("Yes")'];
    const submitted = await fetch(`${apiUrl}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ problem_id: PROBLEM, max_steps: 5, agent_config: { kind: 'scripted', actions } }) });
    expect(submitted.status).toBe(201);
    const { task_id } = (await submitted.json()) as { task_id: string };

    interface TaskView { status: string; result: { results: unknown; session: unknown; trajectory: { action: string }[] }; error: unknown }
    let task = { status: 'pending' } as TaskView;
    await waitUntil(async () => {
      task = (await (await fetch(`${apiUrl}/tasks/${task_id}`)).json()) as TaskView;
      return ['completed', 'failed', 'timed_out', 'cancelled'].includes(task.status);
    }, 60_000, 'the task to finish');
    if (task.status !== 'completed') throw new Error(`task ${task.status}: ${JSON.stringify(task.error)}\n${fs.readFileSync(path.join(dir, 'worker.log'), 'utf8').slice(-3000)}`);

    expect(task.result.results).toMatchObject({ 'Detection Accuracy': 'Correct' });
    expect(task.result.trajectory.map((step) => step.action)).toEqual(actions.map((a) => expect.stringContaining(a)));
    expect(task.result.session).toMatchObject({ problem_id: PROBLEM });
    const logs = (await (await fetch(`${apiUrl}/tasks/${task_id}/logs?limit=5000`)).json()) as { logs: { stream: string; message: string }[] };
    expect(logs.logs.some((l) => l.stream === 'stdout' && l.message.includes('Session ID:'))).toBe(true);
    expect(logs.logs.some((l) => l.stream === 'system' && /step 1/i.test(l.message))).toBe(true);
    // kubectl and helm inside the runner follow the worker's private kubeconfig copy, not the user's file.
    expect(world.invocations('kubectl').some((call) => call.argv.includes('--raw'))).toBe(true);
  });
});

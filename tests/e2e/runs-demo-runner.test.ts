import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitUntil } from '../support/amqp-helpers';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');
const DEMO_RUNNER = `'${process.execPath}' '${path.join(ROOT, 'services/worker/runner/demo-runner.js')}'`;
const DETECTION = 'k8s_target_port-misconfig-detection-1';
const NOOP = 'noop_detection_hotel_reservation-1';
const LOCALIZATION = 'k8s_target_port-misconfig-localization-1';

interface ResultsRow {
  agent_label: string;
  task_type: string;
  [key: string]: unknown;
}

/**
 * A small grid run through the real api and two real workers with the demo runner (the `npm
 * start` setup): it finishes, its results table scores what the runner evaluated, and its export
 * holds every task's trajectory.
 */
describe('a run through api + workers + the demo runner', () => {
  let env: TestEnv;
  let api: ServiceProcess;
  const workers: ServiceProcess[] = [];
  let apiUrl: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-e2e-'));

  beforeAll(async () => {
    env = await createTestEnv();
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = new ServiceProcess('api', 'api', { ...env.env, PORT: String(apiPort), HOST: '127.0.0.1' }, `${apiUrl}/health`, path.join(dir, 'api.log'));
    for (const id of ['runs-e2e-w1', 'runs-e2e-w2']) {
      const healthPort = await freePort();
      workers.push(
        new ServiceProcess(id, 'worker', {
          ...env.env,
          WORKER_ID: id,
          CLUSTER_PROVIDER: 'none',
          RUNNER_COMMAND: DEMO_RUNNER,
          DEMO_RUNNER_SPEED: '0.02',
          REFRESH_PROBLEMS_AT_START: 'false',
          WORK_DIR: path.join(dir, id),
          HEALTH_PORT: String(healthPort),
          HEALTH_HOST: '127.0.0.1',
        }, `http://127.0.0.1:${healthPort}/health`, path.join(dir, `${id}.log`)),
      );
    }
    await Promise.all([api.start(), ...workers.map((w) => w.start())]);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await api?.stop();
    await env?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs problems × agents × repeats to the end; the results table and the export reflect what the runner evaluated', async () => {
    const res = await fetch(`${apiUrl}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'e2e grid',
        problem_ids: [DETECTION, NOOP, LOCALIZATION],
        agents: [
          { label: 'demo', agent_config: { kind: 'registry', name: 'gpt' } },
          { label: 'says-no', agent_config: { kind: 'scripted', actions: ['exec_shell("kubectl get pods")', 'submit("No")'] } },
        ],
        repeats: 2,
        max_steps: 10,
      }),
    });
    expect(res.status).toBe(201);
    const { run_id: runId, task_count: taskCount } = (await res.json()) as { run_id: string; task_count: number };
    expect(taskCount).toBe(12);

    let run: { status: string; counts: Record<string, number> } = { status: 'running', counts: {} };
    await waitUntil(async () => {
      run = (await (await fetch(`${apiUrl}/runs/${runId}`)).json()) as typeof run;
      return run.status !== 'running';
    }, 90_000, 'the run to finish');
    expect(run).toMatchObject({ status: 'finished', counts: { completed: 12, failed: 0 } });

    const table = (await (await fetch(`${apiUrl}/runs/${runId}/results`)).json()) as { rows: ResultsRow[] };
    const row = (agent: string, type: string) => table.rows.find((r) => r.agent_label === agent && r.task_type === type);
    expect(row('demo', 'detection')).toMatchObject({ n: 4, solved: 4, success_rate: 1, detection_accuracy: 1, mean_steps: 4, mean_in_tokens: 1200, prompt_tokens: expect.any(Number) });
    expect(row('demo', 'localization')).toMatchObject({ n: 2, solved: 2, localization_accuracy: 100 });
    // "No" is right for the noop problem only.
    expect(row('says-no', 'detection')).toMatchObject({ n: 4, solved: 2, success_rate: 0.5, success_rate_stderr: 0, pass_hat_k: { '1': 0.5, '2': 0.5 }, mean_steps: 2 });
    // submit("No") is not a localization answer (a list of services): unsolved, though the task completed.
    expect(row('says-no', 'localization')).toMatchObject({ n: 2, completed: 2, solved: 0, localization_accuracy: 0 });
    expect(row('says-no', 'all')).toMatchObject({ n: 6, solved: 2, failed: 0, timed_out: 0 });

    const csv = await (await fetch(`${apiUrl}/runs/${runId}/results?format=csv`)).text();
    expect(csv.trim().split('\r\n')).toHaveLength(1 + table.rows.length);

    const lines = (await (await fetch(`${apiUrl}/runs/${runId}/export`)).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12);
    for (const line of lines) {
      expect(line).toMatchObject({ run_id: runId, status: 'completed', attempt: 1, agent_label: expect.any(String), task_type: expect.stringMatching(/^(detection|localization)$/) });
      expect(line.trajectory.length).toBeGreaterThan(0);
      expect(line.setup).toMatchObject({ task_description: expect.stringContaining(line.problem_id), apis: expect.any(Object) });
      expect(line.trajectory[0]).toMatchObject({ n: 1, action: expect.any(String), usage: { prompt_tokens: expect.any(Number) } });
    }
    const filtered = (await (await fetch(`${apiUrl}/tasks/export?run_id=${runId}&agent_label=says-no&problem_id=${NOOP}`)).text()).trim().split('\n');
    expect(filtered.map((l) => JSON.parse(l).results['Detection Accuracy'])).toEqual(['Correct', 'Correct']);
  });
});

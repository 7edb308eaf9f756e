import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitUntil } from '../support/amqp-helpers';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');
const DEMO_RUNNER = `'${process.execPath}' '${path.join(ROOT, 'services/worker/runner/demo-runner.js')}'`;
const DETECTION = 'k8s_target_port-misconfig-detection-1';

/**
 * `?format=atif` through the real api and a worker with the demo runner: each finished task becomes
 * one ATIF trajectory whose agent steps are the messages of the session the worker kept.
 */
describe('ATIF export of a run through api + worker + the demo runner', () => {
  let env: TestEnv;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let apiUrl: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atif-e2e-'));

  beforeAll(async () => {
    env = await createTestEnv();
    const apiPort = await freePort();
    const healthPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = new ServiceProcess('api', 'api', { ...env.env, PORT: String(apiPort), HOST: '127.0.0.1' }, `${apiUrl}/health`, path.join(dir, 'api.log'));
    worker = new ServiceProcess('atif-w1', 'worker', {
      ...env.env, WORKER_ID: 'atif-w1', CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: DEMO_RUNNER, DEMO_RUNNER_SPEED: '0', REFRESH_PROBLEMS_AT_START: 'false',
      WORK_DIR: path.join(dir, 'w1'), HEALTH_PORT: String(healthPort), HEALTH_HOST: '127.0.0.1',
    }, `http://127.0.0.1:${healthPort}/health`, path.join(dir, 'w1.log'));
    await Promise.all([api.start(), worker.start()]);
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await env?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes one valid trajectory per finished task, with the session\'s raw messages, the usage per step and the outcome class', async () => {
    const actions = ['exec_shell("kubectl get pods -n test-hotel-reservation")', 'submit("Yes")'];
    const created = await fetch(`${apiUrl}/runs`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'atif', problem_ids: [DETECTION], agents: [{ label: 'says-yes', agent_config: { kind: 'scripted', actions } }], repeats: 2, max_steps: 5 }),
    });
    expect(created.status).toBe(201);
    const { run_id: runId } = (await created.json()) as { run_id: string };
    await waitUntil(async () => ((await (await fetch(`${apiUrl}/runs/${runId}`)).json()) as { status: string }).status === 'finished', 120_000, 'the run to finish');

    const res = await fetch(`${apiUrl}/runs/${runId}/export?format=atif`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toContain(`run-${runId}.atif.jsonl`);
    const trajectories = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(trajectories).toHaveLength(2);
    const ndjson = (await (await fetch(`${apiUrl}/runs/${runId}/export`)).text()).trim().split('\n').map((l) => JSON.parse(l));
    for (const t of trajectories) {
      const line = ndjson.find((l) => l.task_id === t.extra.task_id);
      const session = (await (await fetch(`${apiUrl}/tasks/${line.task_id}/session`)).json()) as { session: { session_id: string; trace: { role: string; content: string }[] } };
      expect(t).toMatchObject({ schema_version: 'ATIF-v1.6', session_id: session.session.session_id, agent: { name: 'scripted', version: 'unknown', extra: { agent_label: 'says-yes' } } });
      expect(t.extra).toMatchObject({ run_id: runId, problem_id: DETECTION, task_type: 'detection', status: 'completed', solved: line.solved, outcome_class: line.outcome_class, messages_from: 'session' });
      expect(t.steps.map((s: { step_id: number }) => s.step_id)).toEqual(t.steps.map((_: unknown, i: number) => i + 1));
      const agentSteps = t.steps.filter((s: { source: string }) => s.source === 'agent');
      expect(agentSteps.map((s: { message: string }) => s.message)).toEqual(session.session.trace.filter((m) => m.role === 'assistant').map((m) => m.content));
      expect(agentSteps.map((s: { message: string }) => s.message)).toEqual(actions);
      expect(agentSteps[0].observation.results[0].content).toBe(session.session.trace[1].content);
      expect(agentSteps[0].metrics).toEqual({ prompt_tokens: line.trajectory[0].usage.prompt_tokens, completion_tokens: line.trajectory[0].usage.completion_tokens });
      expect(t.final_metrics.total_steps).toBe(t.steps.length);
    }

    const tasks = await fetch(`${apiUrl}/tasks/export?run_id=${runId}&format=atif`);
    expect(tasks.status).toBe(200);
    expect((await tasks.text()).trim().split('\n').map((l) => JSON.parse(l).extra.task_id).sort()).toEqual(trajectories.map((t) => t.extra.task_id).sort());
    expect((await fetch(`${apiUrl}/runs/${runId}/export?format=xml`)).status).toBe(400);
  });
});

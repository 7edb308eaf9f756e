import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * Issue 12, item 3: one source of truth for a task's longest timeout. With every setting at its
 * default, the api refuses a timeout the workers would refuse (400 naming MAX_TASK_TIMEOUT_MINUTES)
 * and the worker runs whatever the api accepted. Both are real processes.
 */
const RUNNER = `'${process.execPath}' '${path.resolve(__dirname, '../../services/worker/test/fixtures/succeeds.js')}'`;
const PROBLEM_ID = 'k8s_target_port-misconfig-detection-1';

let env: TestEnv;
let dir: string;
let api: ServiceProcess;
let worker: ServiceProcess;
let apiUrl: string;

const submit = (timeoutMinutes: number) =>
  fetch(`${apiUrl}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' }, timeout_minutes: timeoutMinutes, max_retries: 0 }) });

beforeAll(async () => {
  env = await createTestEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeout-limit-'));
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  api = new ServiceProcess('api', 'api', { ...env.env, PORT: String(apiPort), HOST: '127.0.0.1' }, `${apiUrl}/health`, path.join(dir, 'api.log'));
  const workerEnv = { ...env.env, WORKER_ID: 'limit-1', RUNNER_COMMAND: RUNNER, RUNNER_PREFLIGHT: 'false', WORK_DIR: dir, CLUSTER_PROVIDER: 'none', HEALTH_HOST: '127.0.0.1', HEALTH_PORT: String(workerPort), REFRESH_PROBLEMS_AT_START: 'false' };
  worker = new ServiceProcess('worker', 'worker', workerEnv, `http://127.0.0.1:${workerPort}/health`, path.join(dir, 'worker.log'));
  await Promise.all([api.start(), worker.start()]);
});

afterAll(async () => {
  await Promise.all([api.stop(), worker.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
  await env.drop();
});

test('above the default limit: 400 naming timeout_minutes, the limit and MAX_TASK_TIMEOUT_MINUTES', async () => {
  const response = await submit(241);
  const body = (await response.json()) as { errors: { field: string; message: string }[] };
  expect(response.status).toBe(400);
  expect(body.errors).toEqual([{ field: 'timeout_minutes', rule: 'maximum', message: expect.stringMatching(/must be <= 240.*MAX_TASK_TIMEOUT_MINUTES/) }]);
});

test('at the default limit: accepted, and the default worker runs it to completion', async () => {
  const response = await submit(240);
  expect(response.status).toBe(201);
  const { task_id: taskId } = (await response.json()) as { task_id: string };
  let task = { status: 'pending', error: null as unknown };
  for (let tries = 0; tries < 300 && !['completed', 'failed', 'timed_out', 'cancelled'].includes(task.status); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    task = (await (await fetch(`${apiUrl}/tasks/${taskId}`)).json()) as typeof task;
  }
  expect({ status: task.status, error: task.error }).toEqual({ status: 'completed', error: null });
}, 60_000);

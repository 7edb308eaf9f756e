import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CallbackServer } from '../../services/worker/test/support/callback-server';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * Issue 12, item 5: a callback_url the workers would refuse is refused at submission (400 naming
 * the field and the policy), unless CALLBACK_ALLOW_PRIVATE allows it; and the task shows how its
 * callback went: status, attempts, last error. api and worker are real processes.
 */
const RUNNER = `'${process.execPath}' '${path.resolve(__dirname, '../../services/worker/test/fixtures/succeeds.js')}'`;
const PROBLEM_ID = 'k8s_target_port-misconfig-detection-1';

let env: TestEnv;
let dir: string;
const services: ServiceProcess[] = [];
const receiver = new CallbackServer();
let strictApi: string;
let openApi: string;

async function startApi(name: string, extra: Record<string, string>): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = new ServiceProcess(name, 'api', { ...env.env, PORT: String(port), HOST: '127.0.0.1', ...extra }, `${url}/health`, path.join(dir, `${name}.log`));
  services.push(api);
  await api.start();
  return url;
}

const post = (api: string, route: string, body: unknown) => fetch(`${api}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  env = await createTestEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callback-policy-'));
  await receiver.start();
  strictApi = await startApi('strict-api', {});
  openApi = await startApi('open-api', { CALLBACK_ALLOW_PRIVATE: 'true' });
  const workerPort = await freePort();
  const worker = new ServiceProcess('worker', 'worker', {
    ...env.env, WORKER_ID: 'cb-e2e', RUNNER_COMMAND: RUNNER, RUNNER_PREFLIGHT: 'false', WORK_DIR: dir, CLUSTER_PROVIDER: 'none', HEALTH_HOST: '127.0.0.1', HEALTH_PORT: String(workerPort),
    REFRESH_PROBLEMS_AT_START: 'false', CALLBACK_ALLOW_PRIVATE: 'true', CALLBACK_MAX_ATTEMPTS: '3', CALLBACK_RETRY_BASE_SECONDS: '0.05', CALLBACK_TIMEOUT_SECONDS: '2',
  }, `http://127.0.0.1:${workerPort}/health`, path.join(dir, 'worker.log'));
  services.push(worker);
  await worker.start();
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await receiver.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  await env.drop();
});

test.each([
  ['http://127.0.0.1:9/hook', '127.0.0.1 is a loopback address'],
  ['http://localhost:9/hook', 'localhost is a loopback name'],
  ['http://10.1.2.3/hook', '10.1.2.3 is a private address'],
  ['http://[::1]:9/hook', '::1 is a loopback address'],
])('POST /tasks with callback_url %s: 400 naming the field, the reason and the setting', async (callbackUrl, reason) => {
  const response = await post(strictApi, '/tasks', { problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' }, callback_url: callbackUrl });
  const body = (await response.json()) as { code: string; errors: { field: string; rule: string; message: string }[] };
  expect({ status: response.status, code: body.code }).toEqual({ status: 400, code: 'validation_failed' });
  expect(body.errors).toEqual([{ field: 'callback_url', rule: 'callback_policy', message: expect.stringContaining(reason) }]);
  expect(body.errors[0].message).toContain('CALLBACK_ALLOW_PRIVATE=true');
});

test('a batch names the index of the refused callback_url, and nothing is stored', async () => {
  const response = await post(strictApi, '/tasks/batch', { tasks: [{ problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' } }, { problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' }, callback_url: 'http://192.168.0.10/x' }] });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['tasks[1].callback_url']);
  expect(((await (await fetch(`${strictApi}/tasks`)).json()) as { tasks: unknown[] }).tasks).toEqual([]);
});

async function finishedTask(taskId: string, until: (task: { callback: { status: string } }) => boolean) {
  for (let tries = 0; tries < 200; tries++) {
    const task = (await (await fetch(`${openApi}/tasks/${taskId}`)).json()) as { status: string; callback: { status: string; attempts: number; last_error: string | null } };
    if (task.status === 'completed' && until(task)) return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${taskId} did not reach the expected callback state`);
}

test('with CALLBACK_ALLOW_PRIVATE=true it is accepted, and the task shows the delivery: attempts and the last error', async () => {
  const flaky = receiver.script('/flaky', [500, 200]);
  const refusing = receiver.script('/gone', [404]);
  const submitted = await Promise.all([flaky, refusing].map(async (callbackUrl) => {
    const response = await post(openApi, '/tasks', { problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' }, callback_url: callbackUrl });
    expect(response.status).toBe(201);
    return ((await response.json()) as { task_id: string }).task_id;
  }));
  const pending = (await (await fetch(`${openApi}/tasks/${submitted[0]}`)).json()) as { callback: unknown };
  expect(pending.callback).toMatchObject({ url: flaky, attempts: expect.any(Number) });

  const delivered = await finishedTask(submitted[0], (t) => t.callback.status === 'delivered');
  expect(delivered.callback).toMatchObject({ url: flaky, status: 'delivered', attempts: 2, last_error: 'HTTP 500', delivered_at: expect.any(String) });
  const failed = await finishedTask(submitted[1], (t) => t.callback.status === 'failed');
  expect(failed.callback).toMatchObject({ url: refusing, status: 'failed', attempts: 1, last_error: 'HTTP 404', delivered_at: null });
}, 60_000);

test('a task without callback_url shows callback: null', async () => {
  const response = await post(openApi, '/tasks', { problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' } });
  const { task_id: taskId } = (await response.json()) as { task_id: string };
  expect(((await (await fetch(`${openApi}/tasks/${taskId}`)).json()) as { callback: unknown }).callback).toBeNull();
});

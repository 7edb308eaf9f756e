import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, ServiceProcess } from '../support/service-process';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * Issue 12, item 2: with PostgreSQL unreachable (a proxy in front of it taken down; the server
 * itself is never touched), the api answers 503 problem+json `database_unavailable` with
 * Retry-After instead of 500, and recovers on its own once the database is back.
 */
const PROBLEM_ID = 'k8s_target_port-misconfig-detection-1';

let env: TestEnv;
let proxy: TcpProxy;
let api: ServiceProcess;
let apiUrl: string;
let logDir: string;

const submit = () =>
  fetch(`${apiUrl}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' } }) });

beforeAll(async () => {
  env = await createTestEnv();
  const target = new URL(env.databaseUrl);
  proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.up();
  const viaProxy = new URL(env.databaseUrl);
  viaProxy.port = String(proxy.port);
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-outage-'));
  api = new ServiceProcess('api', 'api', { ...env.env, DATABASE_URL: viaProxy.toString(), PORT: String(port), HOST: '127.0.0.1' }, `${apiUrl}/health`, path.join(logDir, 'api.log'));
  await api.start();
});

afterAll(async () => {
  await api.stop();
  await proxy.down();
  fs.rmSync(logDir, { recursive: true, force: true });
  await env.drop();
});

test('POST /tasks and GET /tasks/{id} answer 503 database_unavailable with Retry-After while the database is down, then work again', async () => {
  const before = await submit();
  expect(before.status).toBe(201);
  const { task_id: taskId } = (await before.json()) as { task_id: string };

  await proxy.down();
  for (const response of [await submit(), await fetch(`${apiUrl}/tasks/${taskId}`)]) {
    const body = (await response.json()) as { code: string; status: number; detail: string };
    expect({ status: response.status, type: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after'), code: body.code }).toEqual({
      status: 503,
      type: expect.stringContaining('application/problem+json'),
      retryAfter: '5',
      code: 'database_unavailable',
    });
    expect(body.detail).toMatch(/database is unreachable.*retry in 5 s/);
  }

  await proxy.up();
  let status = 0;
  for (let tries = 0; tries < 100 && status !== 200; tries++) {
    status = (await fetch(`${apiUrl}/tasks/${taskId}`)).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(status).toBe(200);
  expect((await submit()).status).toBe(201);
}, 60_000);

test('the OpenAPI document lists 503 (database_unavailable, Retry-After) for the task endpoints', async () => {
  const doc = (await (await fetch(`${apiUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { description: string; headers?: Record<string, unknown> }> }>> };
  for (const [route, method] of [['/tasks', 'post'], ['/tasks/{id}', 'get'], ['/tasks', 'get']]) {
    const response = doc.paths[route][method].responses['503'];
    expect(response.description).toContain('database_unavailable');
    expect(response.headers).toHaveProperty('Retry-After');
  }
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, ServiceProcess } from '../support/service-process';
import { waitUntil } from '../support/amqp-helpers';
import { createTestEnv, TestEnv } from '../support/test-env';
import { managementApi } from '../support/test-services';

const ROOT = path.resolve(__dirname, '../..');
const SLOW_RUNNER = `${process.execPath} ${path.join(ROOT, 'tests/faults/fixtures/fault-runner.js')}`;

interface QueueInfo {
  name: string;
  durable: boolean;
  arguments: Record<string, unknown>;
  messages_ready: number;
  messages_unacknowledged: number;
}

async function queue(env: TestEnv, name: string): Promise<QueueInfo> {
  const res = await managementApi(`/api/queues/%2F/${encodeURIComponent(env.queuePrefix + name)}`);
  if (!res.ok) throw new Error(`management API: ${res.status} for ${name}`);
  return (await res.json()) as QueueInfo;
}

/**
 * What a user sees in the RabbitMQ management UI: durable queues with their arguments, waiting
 * tasks as Ready and the running one as Unacked (the message stays unacked while its task runs).
 */
describe('the RabbitMQ management UI while tasks run', () => {
  let env: TestEnv;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let apiUrl: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mgmt-'));

  beforeAll(async () => {
    env = await createTestEnv();
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = new ServiceProcess('api', 'api', { ...env.env, PORT: String(apiPort), HOST: '127.0.0.1' }, `${apiUrl}/health`, path.join(dir, 'api.log'));
    await api.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function submit(durationMs: number): Promise<string> {
    const res = await fetch(`${apiUrl}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ problem_id: 'container_kill-detection', agent_config: { kind: 'registry', name: 'gpt' }, parameters: { duration_ms: durationMs } }) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { task_id: string }).task_id;
  }

  it('a task posted to the api alone shows up as one Ready message in tasks.dispatch', async () => {
    await submit(4000);
    await waitUntil(async () => (await queue(env, 'tasks.dispatch')).messages_ready === 1, 10_000, 'one ready message');
    const dispatch = await queue(env, 'tasks.dispatch');
    expect(dispatch).toMatchObject({ durable: true, messages_unacknowledged: 0 });
    expect(dispatch.arguments).toMatchObject({ 'x-max-priority': 10, 'x-dead-letter-exchange': `${env.queuePrefix}tasks.dead` });
    for (const name of ['tasks.dead', 'status-history']) expect((await queue(env, name)).durable).toBe(true);
  });

  it('with a worker running one task, the running one is Unacked and the waiting ones are Ready', async () => {
    await submit(4000);
    await submit(4000);
    const healthPort = await freePort();
    worker = new ServiceProcess('worker', 'worker', {
      ...env.env,
      WORKER_ID: 'mgmt-w1',
      CLUSTER_PROVIDER: 'none',
      RUNNER_COMMAND: SLOW_RUNNER,
      REFRESH_PROBLEMS_AT_START: 'false',
      RUNNER_PREFLIGHT: 'false',
      WORK_DIR: path.join(dir, 'work'),
      HEALTH_PORT: String(healthPort),
      HEALTH_HOST: '127.0.0.1',
    }, `http://127.0.0.1:${healthPort}/health`, path.join(dir, 'worker.log'));
    await worker.start();
    await waitUntil(async () => {
      const q = await queue(env, 'tasks.dispatch');
      return q.messages_unacknowledged === 1 && q.messages_ready === 2;
    }, 15_000, 'one unacked and two ready messages');
    const control = await queue(env, 'task.control.mgmt-w1');
    expect(control.durable).toBe(true);
  });
});

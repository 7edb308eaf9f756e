import request from 'supertest';
import { insertTask } from '../../../tests/support/builders';
import { AGENT, ApiHarness, PROBLEM, startApiHarness } from './api-harness';

describe('workers registry endpoints', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('registers, heartbeats, lists by status and shows recent tasks', async () => {
    const reg = await request(h.app).post('/workers/register').send({ worker_id: 'w-1', hostname: 'host-a', backend: 'none', version: '0.1.0' }).expect(201);
    expect(reg.body).toMatchObject({ worker_id: 'w-1', status: 'idle', backend: 'none' });
    const task = await insertTask(h.db, { status: 'processing', workerId: 'w-1', attempt: 1 });
    const beat = await request(h.app).post('/workers/heartbeat').send({ worker_id: 'w-1', status: 'busy', current_task_id: task.id }).expect(200);
    expect(beat.body).toMatchObject({ status: 'busy', current_task_id: task.id });
    await request(h.app).post('/workers/register').send({ worker_id: 'w-2', hostname: 'host-b', backend: 'kind', cluster_name: 'worker-w-2-kind', version: '0.1.0' }).expect(201);
    const busy = await request(h.app).get('/workers?status=busy').expect(200);
    expect(busy.body.workers.map((w: { worker_id: string }) => w.worker_id)).toEqual(['w-1']);
    const one = await request(h.app).get('/workers/w-1').expect(200);
    expect(one.body.recent_tasks).toEqual([expect.objectContaining({ task_id: task.id, status: 'processing', run_id: null, agent_label: null })]);
  });

  it('refuses a heartbeat from an unregistered worker and unknown workers', async () => {
    expect((await request(h.app).post('/workers/heartbeat').send({ worker_id: 'ghost', status: 'idle' }).expect(404)).body.code).toBe('worker_not_registered');
    await request(h.app).get('/workers/ghost').expect(404);
    await request(h.app).get('/workers?status=sleeping').expect(400);
    await request(h.app).post('/workers/register').send({ worker_id: '../etc', hostname: 'h', backend: 'none', version: '1' }).expect(400);
  });
});

describe('bearer-token auth', () => {
  let h: ApiHarness;
  const API_TOKEN = 'api-token-0123456789abcdef';
  const WORKER_TOKEN = 'worker-token-0123456789abcdef';
  beforeAll(async () => {
    h = await startApiHarness({ API_TOKEN, WORKER_TOKEN });
  });
  afterAll(() => h.close());

  it('requires the API token for tasks and leaves health, metrics and docs open', async () => {
    expect((await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: AGENT }).expect(401)).body.code).toBe('unauthorized');
    await request(h.app).get('/tasks').set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
    await request(h.app).post('/tasks').set('Authorization', `Bearer ${API_TOKEN}`).send({ problem_id: PROBLEM, agent_config: AGENT }).expect(201);
    await request(h.app).get('/health').expect(200);
    await request(h.app).get('/metrics').expect(200);
    await request(h.app).get('/openapi.json').expect(200);
  });

  it('takes only the worker token on worker endpoints', async () => {
    const body = { worker_id: 'w-auth', hostname: 'h', backend: 'none', version: '1' };
    await request(h.app).post('/workers/register').set('Authorization', `Bearer ${API_TOKEN}`).send(body).expect(401);
    await request(h.app).post('/workers/register').set('Authorization', `Bearer ${WORKER_TOKEN}`).send(body).expect(201);
    await request(h.app).post('/tasks').set('Authorization', `Bearer ${WORKER_TOKEN}`).send({ problem_id: PROBLEM, agent_config: AGENT }).expect(401);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-minute budget', async () => {
    const h = await startApiHarness({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      for (let i = 0; i < 3; i++) await request(h.app).get('/tasks').expect(200);
      const res = await request(h.app).get('/tasks').expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      await request(h.app).get('/health').expect(200);
    } finally {
      await h.close();
    }
  });
});

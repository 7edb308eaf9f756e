import request from 'supertest';
import { AGENT, ApiHarness, PROBLEM, startApiHarness } from './api-harness';
import { waitUntil } from '../../../tests/support/amqp-helpers';

describe('health, metrics, problems and docs', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('reports database and queue separately', async () => {
    const res = await request(h.app).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database_status: 'up', queue_status: 'up', outbox_backlog: expect.any(Number) });
  });

  it('counts submissions and exports request durations and the outbox backlog', async () => {
    await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: AGENT }).expect(201);
    const text = (await request(h.app).get('/metrics').expect(200)).text;
    expect(text).toMatch(/aiopslab_api_tasks_submitted_total\{mode="single"\} 1/);
    expect(text).toMatch(/aiopslab_api_request_duration_seconds_count\{method="POST",route="\/tasks",status="201"\} 1/);
    expect(text).toMatch(/aiopslab_outbox_backlog \d+/);
  });

  it('lists the problem catalog', async () => {
    const res = await request(h.app).get('/problems').expect(200);
    expect(res.body.source).toBe('default');
    expect(res.body.problems).toEqual(expect.arrayContaining([{ id: PROBLEM, task_type: 'detection' }]));
  });

  it('serves the OpenAPI document built from the validation schemas, and its interactive reference', async () => {
    const doc = (await request(h.app).get('/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/tasks', '/tasks/batch', '/tasks/{id}', '/tasks/{id}/logs', '/workers', '/workers/{id}', '/workers/register', '/workers/heartbeat', '/health']));
    expect(doc.components.schemas.TaskSubmission.properties.priority).toMatchObject({ minimum: 0, maximum: 9 });
    expect(JSON.stringify(doc)).not.toContain('"maxDepth"');
    const html = await request(h.app).get('/docs/').expect(200);
    expect(html.text).toContain('swagger-ui');
  });

  it('sets secure headers and echoes the request id', async () => {
    const res = await request(h.app).get('/health').set('X-Request-Id', 'req-123');
    expect(res.headers).toMatchObject({ 'x-request-id': 'req-123', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('health while a dependency is down', () => {
  it('keeps accepting tasks into the outbox when RabbitMQ is unreachable, and says so', async () => {
    const h = await startApiHarness({}, { amqpUrl: 'amqp://guest:guest@127.0.0.1:1' });
    try {
      const health = await request(h.app).get('/health').expect(200);
      expect(health.body).toMatchObject({ status: 'degraded', database_status: 'up', queue_status: 'down', accepting_tasks: true });
      const res = await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: AGENT }).expect(201);
      // Its pending event at once, and its dispatch from the dispatch pass the submission nudged.
      const unpublished = () => h.db.outboxMessage.count({ where: { publishedAt: null, payload: { path: ['task_id'], equals: res.body.task_id } } });
      await waitUntil(async () => (await unpublished()) === 2, 10_000, 'the event and the dispatch in the outbox');
      expect((await request(h.app).get('/health')).body.outbox_backlog).toBeGreaterThanOrEqual(2);
    } finally {
      await h.close();
    }
  });

  it('answers 503 with database_status down when PostgreSQL is unreachable', async () => {
    const h = await startApiHarness({}, { databaseUrl: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      const res = await request(h.app).get('/health').expect(503);
      expect(res.body).toMatchObject({ status: 'degraded', database_status: 'down', queue_status: 'up', accepting_tasks: false });
      const submit = await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: AGENT });
      expect({ status: submit.status, code: submit.body.code, retryAfter: submit.headers['retry-after'] }).toEqual({ status: 503, code: 'database_unavailable', retryAfter: '5' });
      expect(submit.body.detail).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|prisma/i);
    } finally {
      await h.close();
    }
  });
});

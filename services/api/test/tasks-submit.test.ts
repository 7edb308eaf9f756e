import request from 'supertest';
import { collectMessages, waitUntil } from '../../../tests/support/amqp-helpers';
import { AGENT, ApiHarness, PROBLEM, startApiHarness } from './api-harness';

describe('POST /tasks', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('stores the task with defaults, its pending event and its dispatch message in one go', async () => {
    const dispatch = await collectMessages(h.topology.queues.dispatch);
    const res = await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: AGENT, priority: 7, metadata: { run: 'a' } }).expect(201);
    expect(res.body).toEqual({ task_id: expect.any(String), status: 'pending', submitted_at: expect.any(String) });
    expect(res.headers.location).toBe(`/tasks/${res.body.task_id}`);
    const task = await h.db.task.findUniqueOrThrow({ where: { id: res.body.task_id } });
    expect(task).toMatchObject({ status: 'pending', priority: 7, maxSteps: 30, timeoutMinutes: 30, maxRetries: 2, attempt: 0, agentConfig: AGENT });
    const [message] = await dispatch.waitFor(1); // written by the dispatch pass the submission nudged
    const outbox = await h.db.outboxMessage.findMany({ where: { payload: { path: ['task_id'], equals: task.id } }, orderBy: { id: 'asc' } });
    expect(outbox.map((o) => o.routingKey)).toEqual(['task.pending', 'dispatch']);
    expect(outbox[0].payload).toMatchObject({ from_status: null, to_status: 'pending', attempt: 0, notes: 'submitted' });
    expect(JSON.parse(message.content.toString())).toEqual({ task_id: task.id, attempt: 0 });
    expect(message.properties).toMatchObject({ priority: 7, type: 'task.dispatch', correlationId: res.headers['x-request-id'] });
    // The api published both rows itself after its commit: no relay pass claimed them (a claim counts an attempt).
    await waitUntil(async () => (await h.db.outboxMessage.count({ where: { id: { in: outbox.map((o) => o.id) }, publishedAt: { not: null } } })) === 2, 5000, 'both rows marked published');
    const published = await h.db.outboxMessage.findMany({ where: { id: { in: outbox.map((o) => o.id) } } });
    expect(published.map((o) => o.attempts)).toEqual([0, 0]);
    await dispatch.close();
  });

  it('refuses a task without agent_config with a 400 that names the field and how to fix it (no default agent)', async () => {
    const res = await request(h.app).post('/tasks').send({ problem_id: PROBLEM }).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'agent_config', rule: 'required', message: expect.stringContaining('"kind":"scripted"') })]);
    expect(res.body.detail).toContain('there is no default agent');
    const batch = await request(h.app).post('/tasks/batch').send({ tasks: [{ problem_id: PROBLEM, agent_config: AGENT }, { problem_id: PROBLEM }] }).expect(400);
    expect(batch.body.errors).toEqual([expect.objectContaining({ field: 'tasks[1].agent_config', rule: 'required' })]);
    expect(Number((await h.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM tasks WHERE problem_id = ${PROBLEM} AND agent_config->>'kind' = 'registry'`)[0].n)).toBe(0);
  });

  it('returns the first task for a repeated Idempotency-Key instead of a duplicate', async () => {
    const body = { problem_id: PROBLEM, agent_config: AGENT, max_steps: 5 };
    const first = await request(h.app).post('/tasks').set('Idempotency-Key', 'run-42').send(body).expect(201);
    const again = await request(h.app).post('/tasks').set('Idempotency-Key', 'run-42').send(body).expect(200);
    expect(again.body).toMatchObject({ task_id: first.body.task_id, replayed: true });
    expect(again.headers['idempotent-replayed']).toBe('true');
    const viaField = await request(h.app).post('/tasks').send({ ...body, idempotency_key: 'run-42' }).expect(200);
    expect(viaField.body.task_id).toBe(first.body.task_id);
    expect(await h.db.task.count({ where: { idempotencyKey: 'run-42' } })).toBe(1);
  });

  it('refuses a reused key with a different request, naming the first task', async () => {
    const first = await request(h.app).post('/tasks').set('Idempotency-Key', 'run-43').send({ problem_id: PROBLEM, agent_config: AGENT }).expect(201);
    const res = await request(h.app).post('/tasks').set('Idempotency-Key', 'run-43').send({ problem_id: PROBLEM, agent_config: AGENT, max_steps: 9 }).expect(409);
    expect(res.body).toMatchObject({ code: 'idempotency_key_reused', task_id: first.body.task_id });
  });

  it('creates one task when the same key arrives concurrently', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => request(h.app).post('/tasks').set('Idempotency-Key', 'race-1').send({ problem_id: PROBLEM, agent_config: AGENT })));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.body.task_id)).size).toBe(1);
    expect(await h.db.task.count({ where: { idempotencyKey: 'race-1' } })).toBe(1);
  });

  it('rejects a header key that differs from the body key', async () => {
    const res = await request(h.app).post('/tasks').set('Idempotency-Key', 'a').send({ problem_id: PROBLEM, agent_config: AGENT, idempotency_key: 'b' }).expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'idempotency_key', rule: 'consistent' });
  });

  it('rejects a problem id missing from the catalog and stores nothing', async () => {
    const before = await h.db.task.count();
    const res = await request(h.app).post('/tasks').send({ problem_id: 'no_such_problem-detection-1', agent_config: AGENT }).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'problem_id', rule: 'catalog' })]);
    expect(await h.db.task.count()).toBe(before);
  });

  it('refuses a problem the service does not run, saying why, and lists it apart in GET /problems', async () => {
    const res = await request(h.app).post('/tasks').send({ problem_id: 'flower_node_stop-detection', agent_config: AGENT }).expect(400);
    expect(res.body.detail).toMatch(/problem "flower_node_stop-detection" is not run by this service: deployed with docker compose/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'problem_id', rule: 'catalog' })]);
    const catalog = (await request(h.app).get('/problems').expect(200)).body;
    expect(catalog.problems.map((p: { id: string }) => p.id)).not.toContain('flower_node_stop-detection');
    expect(catalog.unsupported).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'flower_node_stop-detection', reason: expect.stringContaining('Docker engine') })]));
  });

  it('takes the prompt template of an OpenAI-compatible agent and refuses an unknown one', async () => {
    const agent = { kind: 'openai_compatible', base_url: 'http://127.0.0.1:8000/v1', model: 'qwen', prompt_template: 'all_apis' };
    await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: agent }).expect(201);
    const bad = await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: { ...agent, prompt_template: 'mine' } }).expect(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'agent_config.prompt_template' })]));
  });

  it('accepts an OpenAI-compatible agent that names its key by environment variable only', async () => {
    const agent = { kind: 'openai_compatible', base_url: 'http://policy:8000/v1', model: 'qwen', api_key_env: 'POLICY_KEY', temperature: 0.8 };
    const res = await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: agent }).expect(201);
    const task = await h.db.task.findUniqueOrThrow({ where: { id: res.body.task_id } });
    expect(task.agentConfig).toEqual({ ...agent, prompt_template: 'shell_only' }); // the default is recorded with the task
    const withKey = await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: { ...agent, api_key: 'sk-secret' } }).expect(400);
    expect(withKey.body.errors).toEqual([expect.objectContaining({ field: 'agent_config.api_key', rule: 'additionalProperties' })]);
  });
});

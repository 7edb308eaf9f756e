import request from 'supertest';
import { insertTask } from '../../../tests/support/builders';
import { AGENT, ApiHarness, PROBLEM, startApiHarness } from './api-harness';

describe('POST /tasks/batch and GET /tasks', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('stores 1000 tasks in one call, each with its events', async () => {
    const tasks = Array.from({ length: 1000 }, (_, i) => ({ problem_id: PROBLEM, agent_config: AGENT, metadata: { i } }));
    const res = await request(h.app).post('/tasks/batch').send({ tasks }).expect(201);
    expect(res.body.tasks).toHaveLength(1000);
    expect(new Set(res.body.tasks.map((t: { task_id: string }) => t.task_id)).size).toBe(1000);
    expect(await h.db.task.count({ where: { id: { in: res.body.tasks.map((t: { task_id: string }) => t.task_id) } } })).toBe(1000);
  });

  it('stores nothing when any item is invalid and names every bad index', async () => {
    const before = await h.db.task.count();
    const tasks = [{ problem_id: PROBLEM, agent_config: AGENT }, { problem_id: PROBLEM, agent_config: AGENT, max_steps: 0 }, { problem_id: PROBLEM, agent_config: AGENT }, { max_steps: 3 }];
    const res = await request(h.app).post('/tasks/batch').send({ tasks }).expect(400);
    expect(res.body.invalid_indexes).toEqual([1, 3]);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'tasks[1].max_steps', rule: 'minimum' }), expect.objectContaining({ field: 'tasks[3].problem_id', rule: 'required' })]),
    );
    const unknown = await request(h.app).post('/tasks/batch').send({ tasks: [{ problem_id: PROBLEM, agent_config: AGENT }, { problem_id: 'nope', agent_config: AGENT }] }).expect(400);
    expect(unknown.body.invalid_indexes).toEqual([1]);
    expect(await h.db.task.count()).toBe(before);
  });

  it('replays known keys inside a batch, and rolls the whole batch back when a key is reused with another request', async () => {
    const first = await request(h.app).post('/tasks').set('Idempotency-Key', 'batch-k1').send({ problem_id: PROBLEM, agent_config: AGENT }).expect(201);
    const replay = await request(h.app).post('/tasks/batch').send({ tasks: [{ problem_id: PROBLEM, agent_config: AGENT, idempotency_key: 'batch-k1' }, { problem_id: PROBLEM, agent_config: AGENT, idempotency_key: 'batch-k2' }] }).expect(201);
    expect(replay.body.tasks[0]).toMatchObject({ task_id: first.body.task_id, replayed: true });
    expect(replay.body.tasks[1].replayed).toBeUndefined();
    const before = await h.db.task.count();
    const reused = await request(h.app).post('/tasks/batch').send({ tasks: [{ problem_id: PROBLEM, agent_config: AGENT, idempotency_key: 'batch-k3' }, { problem_id: PROBLEM, agent_config: AGENT, max_steps: 7, idempotency_key: 'batch-k1' }] }).expect(409);
    expect(reused.body).toMatchObject({ code: 'idempotency_key_reused', task_id: first.body.task_id });
    expect(await h.db.task.count()).toBe(before);
    expect(await h.db.task.count({ where: { idempotencyKey: 'batch-k3' } })).toBe(0);
  });

  it('refuses more than 1000 tasks and repeated keys within a batch', async () => {
    await request(h.app).post('/tasks/batch').send({ tasks: Array.from({ length: 1001 }, () => ({ problem_id: PROBLEM, agent_config: AGENT })) }).expect(400);
    const dup = await request(h.app).post('/tasks/batch').send({ tasks: [{ problem_id: PROBLEM, agent_config: AGENT, idempotency_key: 'k' }, { problem_id: PROBLEM, agent_config: AGENT, idempotency_key: 'k' }] }).expect(400);
    expect(dup.body.errors[0]).toMatchObject({ field: 'tasks[1].idempotency_key', rule: 'unique' });
  });

  it('pages newest first without repeats or gaps while tasks are inserted', async () => {
    const problem = 'container_kill-detection';
    for (let i = 0; i < 25; i++) await insertTask(h.db, { problemId: problem, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 5)) });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(h.app).get('/tasks').query({ problem_id: problem, limit: 4, ...(cursor ? { cursor } : {}) }).expect(200);
      seen.push(...page.body.tasks.map((t: { task_id: string }) => t.task_id));
      await insertTask(h.db, { problemId: problem }); // newer than every page: must not appear later
      cursor = page.body.next_cursor;
    } while (cursor);
    const expected = await h.db.task.findMany({ where: { problemId: problem, createdAt: { lt: new Date(Date.UTC(2026, 0, 2)) } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(seen).toEqual(expected.map((t) => t.id));
  });

  it('filters by status, worker and creation time', async () => {
    const mine = await insertTask(h.db, { status: 'processing', workerId: 'w-filter', attempt: 1 });
    await insertTask(h.db, { status: 'completed', workerId: 'w-filter', attempt: 1 });
    const res = await request(h.app).get('/tasks').query({ status: 'processing', worker_id: 'w-filter' }).expect(200);
    expect(res.body.tasks.map((t: { task_id: string }) => t.task_id)).toEqual([mine.id]);
    const after = await request(h.app).get('/tasks').query({ created_after: new Date(Date.now() + 60_000).toISOString() }).expect(200);
    expect(after.body.tasks).toEqual([]);
    const before = await request(h.app).get('/tasks').query({ created_before: '2026-01-01T00:00:01Z', problem_id: 'container_kill-detection' }).expect(200);
    expect(before.body.tasks.length).toBe(5);
  });

  it('filters by task type through the problem catalog, with other filters and across pages', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const localization = [];
    for (let i = 0; i < 5; i++) localization.push(await insertTask(h.db, { problemId: 'k8s_target_port-misconfig-localization-1', status: i < 3 ? 'failed' : 'completed' }));
    await insertTask(h.db, { problemId: 'k8s_target_port-misconfig-detection-1', status: 'failed' });
    await insertTask(h.db, { problemId: 'k8s_target_port-misconfig-mitigation-1', status: 'failed' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(h.app).get('/tasks').query({ task_type: 'localization', created_after: since, limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
      seen.push(...page.body.tasks.map((t: { task_id: string }) => t.task_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(localization.map((t) => t.id).sort());
    const failed = await request(h.app).get('/tasks').query({ task_type: 'localization', status: 'failed', created_after: since }).expect(200);
    expect(failed.body.tasks.map((t: { task_id: string }) => t.task_id).sort()).toEqual(localization.slice(0, 3).map((t) => t.id).sort());
    const none = await request(h.app).get('/tasks').query({ task_type: 'no-such-type' }).expect(200);
    expect(none.body).toEqual({ tasks: [], next_cursor: null });
  });

  it('rejects bad filters with the parameter named', async () => {
    expect((await request(h.app).get('/tasks?status=done').expect(400)).body.errors[0]).toMatchObject({ field: 'status', rule: 'enum' });
    expect((await request(h.app).get('/tasks?limit=0').expect(400)).body.errors[0]).toMatchObject({ field: 'limit' });
    expect((await request(h.app).get('/tasks?cursor=garbage').expect(400)).body.errors[0]).toMatchObject({ field: 'cursor' });
    expect((await request(h.app).get('/tasks?sort=asc').expect(400)).body.errors[0]).toMatchObject({ field: 'sort', rule: 'additionalProperties' });
    expect((await request(h.app).get('/tasks?status=pending&status=failed').expect(400)).body.errors[0]).toMatchObject({ field: 'status', rule: 'single' });
  });
});

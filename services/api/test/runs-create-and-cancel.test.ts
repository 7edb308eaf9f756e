import request from 'supertest';
import { assertControlQueue } from '@aiopslab/shared/amqp/topology';
import { collectMessages, waitUntil } from '../../../tests/support/amqp-helpers';
import { ApiHarness, startApiHarness } from './api-harness';
import { AGENTS, createRun, DETECTION, finishRunTasks } from './support/run-fixtures';

describe('POST /runs, GET /runs, GET /runs/{id}, GET /tasks?run_id= and DELETE /runs/{id}', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('expands problems × agents × repeats into tasks with their dispatch messages, and shows each task with its run and agent label', async () => {
    const run = await createRun(h, { max_steps: 7, priority: 3, metadata: { study: 'a' } });
    expect(run).toMatchObject({ task_count: 8, problem_count: 2, agent_count: 2, repeats: 2, name: 'grid' });
    const tasks = await h.db.task.findMany({ where: { runId: run.run_id } });
    expect(tasks).toHaveLength(8);
    const cells = new Set(tasks.map((t) => `${t.problemId}|${t.agentLabel}|${t.repeatIndex}`));
    expect(cells.size).toBe(8);
    expect(tasks.every((t) => t.maxSteps === 7 && t.priority === 3 && (t.metadata as { study: string }).study === 'a')).toBe(true);
    expect(tasks.find((t) => t.agentLabel === 'scripted')!.agentConfig).toEqual(AGENTS[1].agent_config);
    const messagesOf = async () => (await h.db.$queryRaw<{ dispatches: number; events: number }[]>`
      SELECT count(*) FILTER (WHERE exchange = ${h.topology.exchanges.tasks})::int AS dispatches, count(*) FILTER (WHERE routing_key = 'task.pending')::int AS events
      FROM outbox WHERE payload->>'task_id' = ANY(${tasks.map((t) => t.id)}::text[])`)[0];
    // The events with the tasks; the dispatches from the pass the run's creation nudged (8 fit the window).
    await waitUntil(async () => (await messagesOf()).dispatches === 8, 10_000, 'the run\'s dispatches');
    expect(await messagesOf()).toEqual({ dispatches: 8, events: 8 });

    const detail = await request(h.app).get(`/runs/${run.run_id}`).expect(200);
    expect(detail.body).toMatchObject({ run_id: run.run_id, status: 'running', task_count: 8, counts: { pending: 8, completed: 0 }, progress: { cells: 8, finished_cells: 0 }, finished_at: null });
    expect(detail.body.agents.map((a: { label: string; task_count: number }) => [a.label, a.task_count])).toEqual([['gpt', 4], ['scripted', 4]]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(h.app).get('/tasks').query({ run_id: run.run_id, limit: 3, ...(cursor ? { cursor } : {}) }).expect(200);
      for (const t of page.body.tasks) expect(t).toMatchObject({ run_id: run.run_id, agent_label: expect.stringMatching(/^(gpt|scripted)$/), repeat_index: expect.any(Number) });
      seen.push(...page.body.tasks.map((t: { task_id: string }) => t.task_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(8);
    const single = await request(h.app).get(`/tasks/${seen[0]}`).expect(200);
    expect(single.body).toMatchObject({ run_id: run.run_id, agent_label: expect.any(String) });
    const standalone = await request(h.app).post('/tasks').send({ problem_id: DETECTION[0], agent_config: AGENTS[1].agent_config }).expect(201);
    expect((await request(h.app).get(`/tasks/${standalone.body.task_id}`).expect(200)).body).toMatchObject({ run_id: null, agent_label: null });
  });

  it('GET /tasks?agent_label= lists one agent’s tasks, within a run or across runs, by keyset pages and with other filters', async () => {
    const a = await createRun(h);
    const b = await createRun(h, { repeats: 1 });
    const list = async (params: Record<string, string | number>) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await request(h.app).get('/tasks').query({ ...params, limit: 3, ...(cursor ? { cursor } : {}) }).expect(200);
        for (const t of page.body.tasks) expect(t.agent_label).toBe(params.agent_label);
        ids.push(...page.body.tasks.map((t: { task_id: string }) => t.task_id));
        cursor = page.body.next_cursor;
      } while (cursor);
      return ids;
    };
    const inRun = await list({ run_id: a.run_id, agent_label: 'scripted' });
    const expected = await h.db.task.findMany({ where: { runId: a.run_id, agentLabel: 'scripted' }, select: { id: true } });
    expect(new Set(inRun)).toEqual(new Set(expected.map((t) => t.id)));
    expect(inRun).toHaveLength(4);
    const acrossRuns = await list({ agent_label: 'scripted' });
    expect(acrossRuns.length).toBeGreaterThanOrEqual(6); // earlier tests' runs add theirs
    expect(acrossRuns).toEqual(expect.arrayContaining(inRun));
    const bTasks = await h.db.task.findMany({ where: { runId: b.run_id, agentLabel: 'scripted' }, select: { id: true } });
    expect(acrossRuns).toEqual(expect.arrayContaining(bTasks.map((t) => t.id)));
    expect(await list({ run_id: b.run_id, agent_label: 'scripted', problem_id: DETECTION[1] })).toHaveLength(1);
    expect(await list({ run_id: a.run_id, agent_label: 'nobody' })).toEqual([]);
    const bad = await request(h.app).get('/tasks').query({ agent_label: '' }).expect(400);
    expect(bad.body.errors[0].field).toMatch(/agent_label/);
  });

  it('selects problems by task type and app, and rejects bad grids with a 400 that names the field, storing nothing', async () => {
    const byType = await createRun(h, { problem_ids: undefined, problem_filter: { task_type: 'mitigation', app: 'hotel_res' }, agents: [AGENTS[0]], repeats: 1 });
    const problems = await h.db.task.findMany({ where: { runId: byType.run_id }, select: { problemId: true } });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.problemId.includes('hotel_res') && p.problemId.includes('mitigation'))).toBe(true);

    const before = await h.db.task.count();
    const field = async (body: Record<string, unknown>) => (await createRun(h, body, 400)).errors.map((e: { field: string }) => e.field);
    expect(await field({ problem_ids: [DETECTION[0], 'no-such-problem'] })).toEqual(['problem_ids[1]']);
    expect(await field({ agents: [AGENTS[0], { ...AGENTS[1], label: 'gpt' }] })).toEqual(['agents[1].label']);
    expect(await field({ problem_ids: undefined, problem_filter: { app: 'no-such-app' } })).toEqual(['problem_filter']);
    expect(await field({ problem_filter: { task_type: 'detection' } })).toEqual(['problem_filter']);
    expect(await field({ problem_ids: [] })).toEqual(['problem_ids']);
    expect(await field({ agents: [] })).toEqual(['agents']);
    expect(await field({ repeats: 0 })).toEqual(['repeats']);
    expect(await field({ problem_ids: undefined, problem_filter: {}, repeats: 300, agents: [AGENTS[0], AGENTS[1]] })).toEqual(['repeats']);
    expect(await field({ callback_url: 'http://127.0.0.1:9/hook' })).toEqual(['callback_url']);
    const flower = await createRun(h, { problem_ids: [DETECTION[0], 'flower_node_stop-detection'] }, 400);
    expect(flower.errors).toEqual([expect.objectContaining({ field: 'problem_ids[1]', message: expect.stringMatching(/not run by this service: deployed with docker compose/) })]);
    expect(await h.db.task.count()).toBe(before);
  });

  it('replays a run for the same Idempotency-Key and body, and refuses the key for another body', async () => {
    const send = (body: Record<string, unknown>) => request(h.app).post('/runs').set('Idempotency-Key', 'run-key-1').send({ name: 'idem', problem_ids: DETECTION, agents: AGENTS, ...body });
    const first = await send({}).expect(201);
    const again = await send({}).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toMatchObject({ run_id: first.body.run_id, task_count: 4, replayed: true });
    const reused = await send({ repeats: 3 }).expect(409);
    expect(reused.body).toMatchObject({ code: 'idempotency_key_reused', run_id: first.body.run_id });
    expect(await h.db.task.count({ where: { runId: first.body.run_id } })).toBe(4);
  });

  it('lists runs newest first with keyset pagination, each with counts and status from its tasks', async () => {
    const a = await createRun(h, { name: 'list-a', repeats: 1 });
    const b = await createRun(h, { name: 'list-b', repeats: 1 });
    await finishRunTasks(h, b.run_id, () => ({ status: 'completed' }));
    const first = await request(h.app).get('/runs').query({ limit: 1 }).expect(200);
    expect(first.body.runs[0]).toMatchObject({ run_id: b.run_id, status: 'finished', counts: { completed: 4, pending: 0 }, finished_at: expect.any(String) });
    const second = await request(h.app).get('/runs').query({ limit: 1, cursor: first.body.next_cursor }).expect(200);
    expect(second.body.runs[0]).toMatchObject({ run_id: a.run_id, status: 'running', counts: { pending: 4 } });
  });

  it('DELETE cancels waiting tasks at once and asks workers to stop running ones; the run is cancelled once every task has ended', async () => {
    const run = await createRun(h, { repeats: 1 });
    const [running] = await h.db.$queryRaw<{ id: string }[]>`
      UPDATE tasks SET status = 'processing', attempt = 1, worker_id = 'worker-r1' WHERE id = (SELECT id FROM tasks WHERE run_id = ${run.run_id}::uuid LIMIT 1) RETURNING id::text`;
    const channel = await (await h.amqp.current()!).createChannel();
    const queue = await assertControlQueue(channel, h.topology, 'worker-r1');
    await channel.close();
    const control = await collectMessages(queue);
    const res = await request(h.app).delete(`/runs/${run.run_id}`).expect(202);
    expect(res.body).toEqual({ run_id: run.run_id, cancelled: 3, cancel_requested: 1 });
    const [message] = await control.waitFor(1);
    expect(JSON.parse(message.content.toString())).toMatchObject({ task_id: running.id, attempt: 1 });
    await control.close();
    const events = await h.db.outboxMessage.count({ where: { routingKey: 'task.cancelled', payload: { path: ['notes'], equals: 'cancelled with its run' } } });
    expect(events).toBeGreaterThanOrEqual(3);
    expect((await request(h.app).get(`/runs/${run.run_id}`).expect(200)).body).toMatchObject({ status: 'running', counts: { cancelled: 3, processing: 1 } });

    await h.db.$executeRaw`UPDATE tasks SET status = 'cancelled', completed_at = now() WHERE id = ${running.id}::uuid`;
    expect((await request(h.app).get(`/runs/${run.run_id}`).expect(200)).body).toMatchObject({ status: 'cancelled', counts: { cancelled: 4 }, finished_at: expect.any(String) });
    expect((await request(h.app).delete(`/runs/${run.run_id}`).expect(200)).body).toEqual({ run_id: run.run_id, cancelled: 0, cancel_requested: 0 });

    const finished = await createRun(h, { repeats: 1 });
    await finishRunTasks(h, finished.run_id, () => ({ status: 'failed' }));
    expect((await request(h.app).delete(`/runs/${finished.run_id}`).expect(409)).body.code).toBe('run_finished');
    await request(h.app).get('/runs/7d4f2b8e-0000-4000-8000-000000000000').expect(404);
    expect((await request(h.app).get('/runs/not-a-run').expect(400)).body.errors[0]).toMatchObject({ field: 'id', message: expect.stringContaining('run_id') });
  });
});

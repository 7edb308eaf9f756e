import http from 'node:http';
import request from 'supertest';
import { assertControlQueue } from '@aiopslab/shared/amqp/topology';
import { insertTask } from '../../../tests/support/builders';
import { collectMessages } from '../../../tests/support/amqp-helpers';
import { AGENT, ApiHarness, PROBLEM, startApiHarness } from './api-harness';

describe('DELETE /tasks/{id}, GET /tasks/{id} and logs', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('cancels a pending task at once and records the transition', async () => {
    const { body } = await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: AGENT }).expect(201);
    const res = await request(h.app).delete(`/tasks/${body.task_id}`).expect(200);
    expect(res.body).toEqual({ task_id: body.task_id, status: 'cancelled' });
    const task = await h.db.task.findUniqueOrThrow({ where: { id: body.task_id } });
    expect(task.status).toBe('cancelled');
    expect(task.completedAt).not.toBeNull();
    const events = await h.db.outboxMessage.findMany({ where: { routingKey: 'task.cancelled', payload: { path: ['task_id'], equals: body.task_id } } });
    expect(events[0].payload).toMatchObject({ from_status: 'pending', to_status: 'cancelled', notes: 'cancelled by request' });
  });

  it('asks the owning worker to stop a running task through its control queue', async () => {
    const task = await insertTask(h.db, { status: 'processing', workerId: 'worker-c1', attempt: 1 });
    const channel = await (await h.amqp.current()!).createChannel();
    const queue = await assertControlQueue(channel, h.topology, 'worker-c1');
    await channel.close();
    const control = await collectMessages(queue);
    const res = await request(h.app).delete(`/tasks/${task.id}`).expect(202);
    expect(res.body).toMatchObject({ task_id: task.id, status: 'processing', worker_id: 'worker-c1', cancel_requested_at: expect.any(String) });
    const [message] = await control.waitFor(1);
    expect(JSON.parse(message.content.toString())).toMatchObject({ task_id: task.id, attempt: 1 });
    expect(message.properties.type).toBe('task.cancel');
    const again = await request(h.app).delete(`/tasks/${task.id}`).expect(202);
    expect(again.body.cancel_requested_at).toBe(res.body.cancel_requested_at);
    await control.close();
  });

  it('refuses to cancel a finished task and answers 404 for an unknown one', async () => {
    const done = await insertTask(h.db, { status: 'completed' });
    expect((await request(h.app).delete(`/tasks/${done.id}`).expect(409)).body).toMatchObject({ code: 'task_finished', current_status: 'completed' });
    await request(h.app).delete('/tasks/00000000-0000-4000-8000-000000000000').expect(404);
    expect((await request(h.app).delete('/tasks/not-a-uuid').expect(400)).body.errors[0]).toMatchObject({ field: 'id', rule: 'format' });
  });

  it('returns a task with its result and its status history in order', async () => {
    const task = await insertTask(h.db, { status: 'completed', attempt: 1, workerId: 'w1', result: { results: { success: true } } });
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    await h.db.statusHistory.createMany({
      data: [
        { eventId: '00000000-0000-4000-8000-000000000003', taskId: task.id, fromStatus: 'processing', toStatus: 'completed', attempt: 1, workerId: 'w1', occurredAt: at(2) },
        { eventId: '00000000-0000-4000-8000-000000000001', taskId: task.id, fromStatus: null, toStatus: 'pending', attempt: 0, occurredAt: at(0) },
        { eventId: '00000000-0000-4000-8000-000000000002', taskId: task.id, fromStatus: 'pending', toStatus: 'processing', attempt: 1, workerId: 'w1', occurredAt: at(1), notes: 'claimed by w1' },
      ],
    });
    const res = await request(h.app).get(`/tasks/${task.id}`).expect(200);
    expect(res.body).toMatchObject({ task_id: task.id, status: 'completed', result: { results: { success: true } } });
    expect(res.body.status_history.map((r: { to_status: string }) => r.to_status)).toEqual(['pending', 'processing', 'completed']);
    expect(res.body.status_history[1]).toMatchObject({ notes: 'claimed by w1', worker_id: 'w1' });
  });

  it('pages logs by sequence', async () => {
    const task = await insertTask(h.db, { status: 'processing', attempt: 1, workerId: 'w1' });
    await h.db.taskLog.createMany({ data: Array.from({ length: 5 }, (_, i) => ({ taskId: task.id, seq: i + 1, attempt: 1, stream: 'stdout', level: 'info', message: `line ${i + 1}` })) });
    const first = await request(h.app).get(`/tasks/${task.id}/logs?limit=3`).expect(200);
    expect(first.body.logs.map((l: { message: string }) => l.message)).toEqual(['line 1', 'line 2', 'line 3']);
    const rest = await request(h.app).get(`/tasks/${task.id}/logs?after_seq=${first.body.next_after_seq}`).expect(200);
    expect(rest.body.logs.map((l: { seq: number }) => l.seq)).toEqual([4, 5]);
    expect(rest.body.task_status).toBe('processing');
  });

  it('follows new log lines as server-sent events until the task ends', async () => {
    const task = await insertTask(h.db, { status: 'processing', attempt: 1, workerId: 'w1' });
    await h.db.taskLog.create({ data: { taskId: task.id, seq: 1, attempt: 1, stream: 'stdout', level: 'info', message: 'early' } });
    const server = h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const text = new Promise<string>((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}/tasks/${task.id}/logs?follow=true`, (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        let data = '';
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve(data));
      }).on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 200));
    await h.db.taskLog.create({ data: { taskId: task.id, seq: 2, attempt: 1, stream: 'stderr', level: 'warn', message: 'late' } });
    await new Promise((r) => setTimeout(r, 200));
    await h.db.task.update({ where: { id: task.id }, data: { status: 'completed' } });
    const body = await text;
    server.close();
    const events = body.trim().split('\n\n');
    expect(events[0]).toContain('id: 1');
    expect(events[0]).toContain('"message":"early"');
    expect(events[1]).toContain('"message":"late"');
    expect(events[events.length - 1]).toContain('event: end');
    expect(events[events.length - 1]).toContain('"status":"completed"');
  });
});

import request from 'supertest';
import { keepTaskSession } from '@aiopslab/shared/tables/task-sessions';
import { insertTask } from '../../../tests/support/builders';
import { ApiHarness, startApiHarness } from './api-harness';

describe('GET /tasks/{id}/session', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  const session = (marker: string) => ({ session_id: `s-${marker}`, trace: [{ role: 'assistant', content: marker }], results: { 'Detection Accuracy': 'Correct' } });
  const keep = (taskId: string, attempt: number, body: object | null, extra: Partial<Parameters<typeof keepTaskSession>[1]> = {}) =>
    keepTaskSession(h.db, { taskId, attempt, sessionJson: body && JSON.stringify(body), source: 'results_dir', sizeBytes: 10, truncatedInResult: false, artifactDir: null, artifacts: [], ...extra });

  it('serves the latest attempt by default and any attempt by ?attempt=', async () => {
    const task = await insertTask(h.db, { status: 'completed', attempt: 2 });
    await keep(task.id, 1, session('first'));
    await keep(task.id, 2, session('second'), { truncatedInResult: true, sizeBytes: 2_000_000, artifactDir: '/var/lib/artifacts/t/2', artifacts: [{ path: 'metrics_output/cpu.csv', size_bytes: 12 }] });

    const latest = await request(h.app).get(`/tasks/${task.id}/session`).expect(200).expect('content-type', /application\/json/);
    expect(latest.body).toEqual({
      task_id: task.id,
      attempt: 2,
      source: 'results_dir',
      size_bytes: 2_000_000,
      truncated_in_result: true,
      artifact_dir: '/var/lib/artifacts/t/2',
      artifacts: [{ path: 'metrics_output/cpu.csv', size_bytes: 12 }],
      created_at: expect.any(String),
      session: session('second'),
    });
    const first = await request(h.app).get(`/tasks/${task.id}/session?attempt=1`).expect(200);
    expect(first.body).toMatchObject({ attempt: 1, session: session('first') });
  });

  it('GET /tasks/{id} lists what is kept of each attempt (sizes, not the sessions), empty when nothing is', async () => {
    const task = await insertTask(h.db, { status: 'completed', attempt: 2 });
    await keep(task.id, 2, session('second'), { sizeBytes: 4321 });
    await keep(task.id, 1, null, { source: 'artifact_file', sizeBytes: 300_000_000, artifactDir: '/a/t/1', artifacts: [{ path: 'session/s_1.json', size_bytes: 300_000_000 }] });
    expect((await request(h.app).get(`/tasks/${task.id}`).expect(200)).body.sessions).toEqual([
      { attempt: 1, size_bytes: 300_000_000, in_database: false, source: 'artifact_file' },
      { attempt: 2, size_bytes: 4321, in_database: true, source: 'results_dir' },
    ]);
    const none = await insertTask(h.db, { status: 'pending' });
    expect((await request(h.app).get(`/tasks/${none.id}`).expect(200)).body.sessions).toEqual([]);
  });

  it('answers 404 problem+json that says why there is no session', async () => {
    const unknown = await request(h.app).get('/tasks/00000000-0000-4000-8000-000000000000/session').expect(404).expect('content-type', /application\/problem\+json/);
    expect(unknown.body.detail).toMatch(/task 00000000-0000-4000-8000-000000000000 does not exist/);

    const pending = await insertTask(h.db);
    expect((await request(h.app).get(`/tasks/${pending.id}/session`).expect(404)).body.detail).toMatch(/is pending and has not run yet/);

    const running = await insertTask(h.db, { status: 'processing', attempt: 1, workerId: 'w-1' });
    expect((await request(h.app).get(`/tasks/${running.id}/session`).expect(404)).body.detail).toMatch(/attempt 1 of task .* is still running/);

    const failed = await insertTask(h.db, { status: 'failed', attempt: 1 });
    expect((await request(h.app).get(`/tasks/${failed.id}/session`).expect(404)).body).toMatchObject({ code: 'session_not_found', detail: expect.stringMatching(/\(failed\) has no session: none of its attempts left one/) });

    const retried = await insertTask(h.db, { status: 'completed', attempt: 3 });
    await keep(retried.id, 3, session('third'));
    expect((await request(h.app).get(`/tasks/${retried.id}/session?attempt=2`).expect(404)).body).toMatchObject({ detail: expect.stringMatching(/no session for attempt 2; sessions are kept for attempt 3/), attempts: [3] });
    expect((await request(h.app).get(`/tasks/${retried.id}/session?attempt=9`).expect(404)).body.detail).toMatch(/no session for attempt 9/);

    const oversize = await insertTask(h.db, { status: 'completed', attempt: 1 });
    await keep(oversize.id, 1, null, { source: 'artifact_file', sizeBytes: 300_000_000, artifactDir: '/a/t/1', artifacts: [{ path: 'session/s_1.json', size_bytes: 300_000_000 }] });
    expect((await request(h.app).get(`/tasks/${oversize.id}/session`).expect(404)).body).toMatchObject({ code: 'session_not_kept', detail: expect.stringMatching(/over the worker's SESSION_MAX_BYTES and is kept on the worker host as \/a\/t\/1\/session\/s_1\.json/) });
  });

  it('rejects a bad attempt number', async () => {
    const task = await insertTask(h.db, { status: 'completed', attempt: 1 });
    const bad = await request(h.app).get(`/tasks/${task.id}/session?attempt=0`).expect(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'attempt' });
  });

  it('deletes the sessions of a deleted task (retention)', async () => {
    const task = await insertTask(h.db, { status: 'completed', attempt: 1 });
    await keep(task.id, 1, session('gone'));
    await h.db.task.delete({ where: { id: task.id } });
    expect(await h.db.taskSession.count({ where: { taskId: task.id } })).toBe(0);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await request(h.app).get('/openapi.json').expect(200);
    expect(doc.body.paths['/tasks/{id}/session'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'attempt']);
  });
});

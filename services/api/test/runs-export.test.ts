import request from 'supertest';
import { AGENT, ApiHarness, startApiHarness } from './api-harness';
import { createRun, DETECTION, finishRunTasks, workerResult } from './support/run-fixtures';

const parseLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));

describe('GET /runs/{id}/export and GET /tasks/export', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('streams one NDJSON line per finished task with its trajectory, results and durations, and an agent config without secrets', async () => {
    const agents = [
      { label: 'gpt', agent_config: { kind: 'registry', name: 'gpt', params: { api_token: 'should-not-leak', temperature: 0 } } },
      { label: 'local', agent_config: { kind: 'openai_compatible', base_url: 'http://127.0.0.1:9/v1', model: 'm', api_key_env: 'LOCAL_KEY', max_tokens: 256 } },
    ];
    const run = await createRun(h, { problem_ids: [DETECTION[0]], agents, repeats: 2 });
    let left = 1;
    await finishRunTasks(h, run.run_id, (t) => (t.agent_label === 'gpt' && t.repeat_index === 2 && left-- > 0 ? { status: 'pending' } : t.agent_label === 'local' && t.repeat_index === 1 ? { status: 'failed', error: { kind: 'runner_failed', message: 'exit 1' } } : { status: 'completed', result: workerResult({ 'Detection Accuracy': 'Correct', TTD: 3 }, undefined, 3) }));
    const res = await request(h.app).get(`/runs/${run.run_id}/export`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = parseLines(res.text);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.run_id === run.run_id && l.task_type === 'detection' && l.problem_id === DETECTION[0])).toBe(true);
    const completed = lines.find((l) => l.status === 'completed');
    expect(completed).toMatchObject({ agent_label: expect.any(String), repeat_index: expect.any(Number), attempt: 1, completed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/), results: { 'Detection Accuracy': 'Correct', TTD: 3 }, usage: { prompt_tokens: 300 }, error: null, trajectory_truncated: false });
    expect(completed.trajectory).toHaveLength(3);
    expect(completed).toHaveProperty('setup');
    expect(completed.trajectory[0]).toMatchObject({ n: 1, action: expect.stringContaining('exec_shell'), observation: 'NAME READY', usage: { prompt_tokens: 100 } });
    expect(completed.durations).toMatchObject({ run_s: 3.5, wall_s: expect.any(Number) });
    const failed = lines.find((l) => l.status === 'failed');
    expect(failed).toMatchObject({ agent_label: 'local', error: { kind: 'runner_failed' }, results: null, trajectory: [] });
    expect(failed.agent_config).toEqual({ kind: 'openai_compatible', base_url: 'http://127.0.0.1:9/v1', model: 'm', max_tokens: 256, prompt_template: 'shell_only' });
    expect(res.text).not.toContain('should-not-leak');
    expect(lines.find((l) => l.agent_label === 'gpt').agent_config).toEqual({ kind: 'registry', name: 'gpt', params: { temperature: 0 } });
    await request(h.app).get('/runs/7d4f2b8e-0000-4000-8000-000000000000/export').expect(404);
  });

  it('pages through keyset batches without repeats or gaps, even when every task shares one created_at', async () => {
    const run = await createRun(h, { problem_ids: undefined, problem_filter: { task_type: 'detection' }, agents: [{ label: 'a', agent_config: { kind: 'registry', name: 'gpt' } }], repeats: 14 });
    expect(run.task_count).toBeGreaterThan(400);
    await h.db.$executeRaw`UPDATE tasks SET status = 'completed', completed_at = now() WHERE run_id = ${run.run_id}::uuid`;
    const lines = parseLines((await request(h.app).get(`/runs/${run.run_id}/export`).expect(200)).text);
    expect(lines).toHaveLength(run.task_count);
    expect(new Set(lines.map((l) => l.task_id)).size).toBe(run.task_count);
    const ids = lines.map((l) => l.task_id);
    expect(ids).toEqual([...ids].sort());
  });

  it('GET /tasks/export takes the task list filters, finished tasks by default', async () => {
    const problem = 'revoke_auth_mongodb-analysis-2';
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await request(h.app).post('/tasks').send({ problem_id: problem, agent_config: AGENT }).expect(201)).body.task_id);
    await h.db.$executeRaw`UPDATE tasks SET status = 'failed', completed_at = now() WHERE id = ${ids[0]}::uuid`;
    await h.db.$executeRaw`UPDATE tasks SET status = 'completed', completed_at = now() WHERE id = ${ids[1]}::uuid`;
    const finished = parseLines((await request(h.app).get('/tasks/export').query({ problem_id: problem }).expect(200)).text);
    expect(finished.map((l) => l.task_id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(finished[0]).toMatchObject({ run_id: null, agent_label: null, task_type: 'analysis' });
    const failed = parseLines((await request(h.app).get('/tasks/export').query({ problem_id: problem, status: 'failed' }).expect(200)).text);
    expect(failed.map((l) => l.task_id)).toEqual([ids[0]]);
    const pending = parseLines((await request(h.app).get('/tasks/export').query({ problem_id: problem, status: 'pending' }).expect(200)).text);
    expect(pending.map((l) => l.task_id)).toEqual([ids[2]]);
    const none = await request(h.app).get('/tasks/export').query({ problem_id: problem, created_after: new Date(Date.now() + 60_000).toISOString() }).expect(200);
    expect(none.text).toBe('');
    expect((await request(h.app).get('/tasks/export').query({ status: 'done' }).expect(400)).body.errors[0].field).toBe('status');
  });
});

import request from 'supertest';
import { ApiHarness, startApiHarness } from './api-harness';
import { AGENTS, createRun, DETECTION, finishRunTasks, workerResult } from './support/run-fixtures';

const answer = (correct: boolean) => ({ status: 'completed', result: workerResult({ 'Detection Accuracy': correct ? 'Correct' : 'Incorrect' }) });

describe('GET /runs/compare', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('pairs two runs by problem and agent label and reports the difference with its paired standard error', async () => {
    const a = await createRun(h, { repeats: 1 });
    const b = await createRun(h, { repeats: 1 });
    // a: gpt solves both, scripted solves D1; b: gpt solves D2 only, scripted fails D1 (as a failed task) and solves D2.
    await finishRunTasks(h, a.run_id, (t) => answer(t.agent_label === 'gpt' || t.problem_id === DETECTION[0]));
    await finishRunTasks(h, b.run_id, (t) => (t.agent_label === 'scripted' && t.problem_id === DETECTION[0] ? { status: 'failed' } : answer(t.problem_id === DETECTION[1])));
    const { body } = await request(h.app).get('/runs/compare').query({ a: a.run_id, b: b.run_id }).expect(200);
    // pairs (rate a, rate b): gpt/D1 (1, 0), gpt/D2 (1, 1), scripted/D1 (1, 0), scripted/D2 (0, 1) → differences 1, 0, 1, -1
    expect(body).toMatchObject({ a: { run_id: a.run_id, status: 'finished' }, b: { run_id: b.run_id }, pairing: 'problem_and_agent', agent_labels: AGENTS.map((x) => x.label), pairs: 4, success_rate_a: 0.75, success_rate_b: 0.5, difference: 0.25 });
    expect(body.difference_stderr).toBeCloseTo(Math.sqrt(11 / 12) / 2, 5);
    expect(body.solved_only_by_a.map((p: { problem_id: string; agent_label: string }) => `${p.agent_label}/${p.problem_id}`).sort()).toEqual([`gpt/${DETECTION[0]}`, `scripted/${DETECTION[0]}`]);
    expect(body.solved_only_by_b).toEqual([{ problem_id: DETECTION[1], agent_label: 'scripted', success_rate_a: 0, success_rate_b: 1 }]);
    expect((await request(h.app).get('/runs/compare').query({ a: a.run_id }).expect(400)).body.errors[0].field).toBe('b');
  });

  it('documents every runs path in the OpenAPI document', async () => {
    const doc = (await request(h.app).get('/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/runs', '/runs/compare', '/runs/{id}', '/runs/{id}/results', '/runs/{id}/export', '/runs/{id}/retry', '/tasks/{id}/retry', '/tasks/export']));
    expect(doc.paths['/runs'].post.responses['201']).toBeDefined();
    expect(doc.components.schemas.RunCreation.properties.agents.items.required).toEqual(['label', 'agent_config']);
    expect(doc.paths['/tasks'].get.parameters.map((p: { name: string }) => p.name)).toContain('run_id');
  });
});

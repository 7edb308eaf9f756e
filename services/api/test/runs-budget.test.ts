import request from 'supertest';
import { ApiHarness, startApiHarness } from './api-harness';
import { createRun, DETECTION, finishRunTasks, workerResult } from './support/run-fixtures';

/** 300 prompt + 40 completion tokens at $2.5/$10 per million: $0.00115 a task. */
const PRICES = { gpt: { input_per_million: 2.5, output_per_million: 10 } };
const solved = () => ({ status: 'completed', result: workerResult({ 'Detection Accuracy': 'Correct' }, { prompt: 300, completion: 40 }) });
const GPT = [{ label: 'gpt', agent_config: { kind: 'registry', name: 'gpt-budget-test' } }];

describe('budget_usd: a run spends in waves its budget can pay for, stops at budget_exhausted, and goes on when the budget is raised', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ PRICE_TABLE: JSON.stringify(PRICES) });
  });
  afterAll(() => h.close());

  const tasksOf = (runId: string) => h.db.task.findMany({ where: { runId }, orderBy: [{ repeatIndex: 'asc' }] });

  it('with no cost known yet, one probe task; then as many as fit; budget_exhausted with nothing in flight; PATCH raises it and the rest runs', async () => {
    const run = await createRun(h, { problem_ids: [DETECTION[0]], agents: GPT, repeats: 4, budget_usd: 0.003 });
    expect(run).toMatchObject({ task_count: 4, budget_usd: 0.003, tasks_created: 1 });
    expect((await request(h.app).get(`/runs/${run.run_id}`).expect(200)).body).toMatchObject({ status: 'running', task_count: 1, cells_not_created: 3, budget_usd: 0.003 });

    await finishRunTasks(h, run.run_id, solved); // spent $0.00115; $0.00185 left: one more task fits
    expect((await request(h.app).get(`/runs/${run.run_id}`).expect(200)).body).toMatchObject({ status: 'running', task_count: 2, cells_not_created: 2 });
    await finishRunTasks(h, run.run_id, solved); // spent $0.0023; $0.0007 left: the next ($0.00115) does not fit
    const held = (await request(h.app).get(`/runs/${run.run_id}`).expect(200)).body;
    expect(held).toMatchObject({ status: 'budget_exhausted', task_count: 2, cells_not_created: 2, finished_at: null, estimated_cost_usd: 0.0023 });
    expect((await request(h.app).get('/runs').expect(200)).body.runs.find((r: { run_id: string }) => r.run_id === run.run_id).status).toBe('budget_exhausted');

    const lower = await request(h.app).patch(`/runs/${run.run_id}`).send({ budget_usd: 0.001 }).expect(400);
    expect(lower.body.errors).toEqual([expect.objectContaining({ field: 'budget_usd' })]);
    const bad = await request(h.app).patch(`/runs/${run.run_id}`).send({ budget_usd: 'lots' }).expect(400);
    expect(JSON.stringify(bad.body.errors)).toContain('budget_usd');

    const raised = await request(h.app).patch(`/runs/${run.run_id}`).send({ budget_usd: 0.01 }).expect(200);
    expect(raised.body).toMatchObject({ run_id: run.run_id, budget_usd: 0.01, previous_budget_usd: 0.003, tasks_created: 2 });
    expect((await tasksOf(run.run_id)).map((t) => [t.repeatIndex, t.status])).toEqual([[1, 'completed'], [2, 'completed'], [3, 'pending'], [4, 'pending']]);
    await finishRunTasks(h, run.run_id, solved);
    expect((await request(h.app).get(`/runs/${run.run_id}`).expect(200)).body).toMatchObject({ status: 'finished', task_count: 4, cells_not_created: 0 });
  });

  it('a run without budget_usd creates every task at once and cannot take one by PATCH (400 naming budget_usd)', async () => {
    const run = await createRun(h, { problem_ids: [DETECTION[0]], agents: GPT, repeats: 2 });
    expect(run).toMatchObject({ budget_usd: null, tasks_created: 2 });
    const res = await request(h.app).patch(`/runs/${run.run_id}`).send({ budget_usd: 5 }).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'budget_usd' })]);
  });
});

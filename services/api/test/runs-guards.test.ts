import request from 'supertest';
import { ApiHarness, startApiHarness } from './api-harness';
import { AGENTS, createRun, DETECTION, finishRunTasks, workerResult } from './support/run-fixtures';

describe('POST /runs guards: dry_run and confirm', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ RUN_CONFIRM_LIMIT: '10' });
  });
  afterAll(() => h.close());

  const count = async () => Number((await h.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM tasks`)[0].n);

  it('a run above RUN_CONFIRM_LIMIT is refused without confirm: true, naming confirm and the grid size', async () => {
    const before = await count();
    const res = await request(h.app).post('/runs').send({ name: 'big', problem_ids: DETECTION, agents: AGENTS, repeats: 3 }).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'confirm', message: expect.stringContaining('12 tasks') })]);
    expect(res.body.detail).toContain('2 problems × 2 agents × 3 repeats');
    expect(await count()).toBe(before);
    const created = await createRun(h, { repeats: 3, confirm: true });
    expect(created.task_count).toBe(12);
  });

  it('a dry run answers the grid size and estimates from past tasks of the same problem × agent, and creates nothing', async () => {
    const agents = [{ label: 'gpt', agent_config: { kind: 'registry', name: 'gpt', params: { marker: 'dry-run' } } }, { label: 'new', agent_config: { kind: 'scripted', actions: ['submit("dry")'] } }];
    const past = await createRun(h, { problem_ids: [DETECTION[0]], agents: [agents[0]], repeats: 2 });
    await finishRunTasks(h, past.run_id, () => ({ status: 'completed', result: workerResult({ 'Detection Accuracy': 'Correct' }, { prompt: 1000, completion: 100 }) }));
    const before = await count();
    const res = await request(h.app).post('/runs?dry_run=true').send({ name: 'plan', problem_ids: DETECTION, agents, repeats: 5 }).expect(200);
    expect(await count()).toBe(before);
    expect(res.body).toMatchObject({ dry_run: true, task_count: 20, needs_confirm: true, confirm_limit: 10 });
    // gpt: 5 repeats on the known problem, 5 on the other from the agent's mean; "new" has no history.
    expect(res.body.estimate).toMatchObject({ prompt_tokens: 10_000, completion_tokens: 1000, based_on_tasks: 2, cells_by_basis: { same_problem_and_agent: 5, same_agent_other_problems: 5, no_history: 10 } });
    // The shipped price of AIOpsLab's gpt agent: 10 $/M in, 30 $/M out.
    expect(res.body.estimate.cost_usd).toBeCloseTo(0.13, 6);
    expect(res.body.estimate.task_seconds).toBeGreaterThan(0);
  });
});

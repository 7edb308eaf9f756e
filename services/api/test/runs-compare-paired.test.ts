import request from 'supertest';
import { ApiHarness, startApiHarness } from './api-harness';
import { AGENTS, createRun, DETECTION, finishRunTasks, LOCALIZATION, workerResult } from './support/run-fixtures';

const [D1, D2] = DETECTION;
const answer = (correct: boolean) => ({ status: 'completed', result: workerResult({ 'Detection Accuracy': correct ? 'Correct' : 'Incorrect' }) });
const localized = (success: boolean) => ({ status: 'completed', result: workerResult({ 'Localization Accuracy': success ? 100 : 0, success }) });

describe('GET /runs/compare: per-agent pairs, paired tests, agents within a run, warnings', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('pairs the same agent label across two finished runs: per-agent difference with a paired-bootstrap interval and an exact McNemar p, no warnings', async () => {
    const a = await createRun(h, { repeats: 2 });
    const b = await createRun(h, { repeats: 2 });
    // a: gpt solves D1 and D2 in both repeats, scripted solves D1 in both; b: gpt solves D2 only, scripted D2 once.
    await finishRunTasks(h, a.run_id, (t) => answer(t.agent_label === 'gpt' || t.problem_id === D1));
    await finishRunTasks(h, b.run_id, (t) => answer(t.problem_id === D2 && (t.agent_label === 'gpt' || t.repeat_index === 1)));
    const { body } = await request(h.app).get('/runs/compare').query({ a: a.run_id, b: b.run_id }).expect(200);
    expect(body).toMatchObject({ pairing: 'problem_and_agent', agent_labels: AGENTS.map((x) => x.label), pairs: 4, warnings: [] });
    expect(body.by_agent.map((x: { agent_a: string; agent_b: string }) => `${x.agent_a}/${x.agent_b}`)).toEqual(['gpt/gpt', 'scripted/scripted']);
    const [gpt, scripted] = body.by_agent;
    expect(gpt).toMatchObject({ problems: 2, success_rate_a: 1, success_rate_b: 0.5, difference: 0.5, solved_only_by_a: 1, solved_only_by_b: 0, mcnemar_p: 1, mcnemar_unit: 'problem', unpaired: { a: [], b: [] } });
    expect(gpt.difference_ci).toMatchObject({ method: expect.stringContaining('paired'), level: 0.95, B: 2000, seed: 20260101 });
    expect(gpt.success_rate_a_ci).toMatchObject({ low: 1, high: 1, method: 'cluster bootstrap (problems, then repeats)' });
    // scripted: D1 a 2/2, b 0/2 (only a); D2 a 0/2, b 1/2 (no majority: not discordant)
    expect(scripted).toMatchObject({ success_rate_a: 0.5, success_rate_b: 0.25, difference: 0.25, solved_only_by_a: 1, solved_only_by_b: 0 });
    expect(scripted.difference_ci.low).toBeLessThanOrEqual(0.25);
    expect(scripted.difference_ci.high).toBeGreaterThanOrEqual(0.25);
    // pooled: solved only by a = gpt/D1, scripted/D1; only by b: none → exact McNemar 2 · ¼ = 0.5
    expect(body).toMatchObject({ mcnemar_p: 0.5 });
    expect(body.definitions.mcnemar_unit).toMatch(/problem/);
  });

  it('compares two agents of one run when b is omitted, and warns while the run is unfinished, naming the problems one side has not scored', async () => {
    const run = await createRun(h, { repeats: 2 });
    await finishRunTasks(h, run.run_id, (t) => (t.agent_label === 'scripted' && t.problem_id === D2 ? { status: 'processing' } : answer(t.agent_label === 'gpt' || t.problem_id === D1)));
    const { body } = await request(h.app).get('/runs/compare').query({ a: run.run_id, agent_a: 'gpt', agent_b: 'scripted' }).expect(200);
    expect(body).toMatchObject({ a: { run_id: run.run_id, status: 'running' }, b: { run_id: run.run_id }, pairing: 'agents', pairs: 1 });
    expect(body.by_agent).toEqual([expect.objectContaining({ agent_a: 'gpt', agent_b: 'scripted', problems: 1, success_rate_a: 1, success_rate_b: 1, difference: 0, mcnemar_p: null, unpaired: { a: [D2], b: [] } })]);
    expect(body.warnings.map((w: { code: string }) => w.code)).toEqual(['run_unfinished', 'unpaired_problems']);
    expect(body.warnings[0]).toMatchObject({ run: 'a', status: 'running', unfinished_tasks: 2 });
    expect(body.warnings[1]).toMatchObject({ agent_a: 'gpt', agent_b: 'scripted', problems_scored_only_in_a: [D2], problems_scored_only_in_b: [] });
    expect(body.warnings[1].message).toContain(D2);
  });

  it('warns when the grids differ, saying which problems, agents and repeats', async () => {
    const a = await createRun(h, { problem_ids: [D1, D2, LOCALIZATION], repeats: 2 });
    const b = await createRun(h, { agents: [AGENTS[0]], repeats: 1 });
    await finishRunTasks(h, a.run_id, (t) => (t.problem_id === LOCALIZATION ? localized(true) : answer(true)));
    await finishRunTasks(h, b.run_id, () => answer(false));
    const { body } = await request(h.app).get('/runs/compare').query({ a: a.run_id, b: b.run_id }).expect(200);
    expect(body.warnings.map((w: { code: string }) => w.code)).toEqual(['problems_differ', 'agents_differ', 'repeats_differ']);
    expect(body.warnings[0]).toMatchObject({ problems_only_in_a: [LOCALIZATION], problems_only_in_b: [] });
    expect(body.warnings[1]).toMatchObject({ agents_only_in_a: ['scripted'], agents_only_in_b: [] });
    expect(body.warnings[2]).toMatchObject({ repeats_a: 2, repeats_b: 1 });
    expect(body.by_agent).toEqual([expect.objectContaining({ agent_a: 'gpt', problems: 2, difference: 1, solved_only_by_a: 2, mcnemar_p: 0.5, unpaired: { a: [LOCALIZATION], b: [] } })]);
  });

  it('refuses what cannot be compared, naming the field and the fix', async () => {
    const run = await createRun(h, { repeats: 1 });
    const missingB = await request(h.app).get('/runs/compare').query({ a: run.run_id }).expect(400);
    expect(missingB.body.errors[0]).toMatchObject({ field: 'b', message: expect.stringContaining('agent_a and agent_b') });
    expect((await request(h.app).get('/runs/compare').query({ a: run.run_id, agent_a: 'gpt' }).expect(400)).body.errors[0].field).toBe('agent_b');
    const unknown = await request(h.app).get('/runs/compare').query({ a: run.run_id, agent_a: 'nobody', agent_b: 'gpt' }).expect(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'agent_a', message: expect.stringContaining('gpt, scripted') });
  });

  it('documents the new query parameters and fields in the OpenAPI document', async () => {
    const doc = (await request(h.app).get('/openapi.json').expect(200)).body;
    const compareParams = doc.paths['/runs/compare'].get.parameters;
    expect(compareParams.map((p: { name: string; required: boolean }) => `${p.name}:${p.required}`)).toEqual(['a:true', 'b:false', 'agent_a:false', 'agent_b:false']);
    expect(doc.paths['/runs/{id}/results'].get.parameters.map((p: { name: string }) => p.name)).toContain('by');
    expect(Object.keys(doc.components.schemas.RunComparison.properties)).toEqual(expect.arrayContaining(['mcnemar_p', 'by_agent', 'warnings']));
    expect(Object.keys(doc.components.schemas.ProblemMatrix.properties)).toEqual(expect.arrayContaining(['problems', 'agent_labels']));
  });
});

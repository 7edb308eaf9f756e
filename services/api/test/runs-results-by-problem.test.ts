import request from 'supertest';
import { ApiHarness, startApiHarness } from './api-harness';
import { createRun, DETECTION, finishRunTasks, LOCALIZATION, workerResult } from './support/run-fixtures';

/** The agent ran out of time after setup (unsolved, scored); a timeout before setup would be an infra error, kept out of scored. */
const AGENT_TIMEOUT = { status: 'timed_out', error: { kind: 'timeout', message: 'ran longer' }, result: { setup: { task_description: 'detect' } } };

const [D1, D2] = DETECTION;
const L1 = LOCALIZATION;
const detection = (answer: string, ttd = 4) => ({ status: 'completed', result: workerResult({ 'Detection Accuracy': answer, TTD: ttd, steps: 2 }) });
const localization = (success: boolean) => ({ status: 'completed', result: workerResult({ 'Localization Accuracy': success ? 100 : 50, success, TTL: 6, steps: 3 }) });

/** agent → problem → outcome per repeat (3 repeats). */
const OUTCOMES: Record<string, Record<string, { status: string; result?: unknown }[]>> = {
  gpt: { [D1]: [detection('Correct', 3), detection('Correct', 4), detection('Correct', 5)], [D2]: [detection('Correct'), detection('Correct'), detection('Incorrect')], [L1]: [localization(true), localization(true), { status: 'failed' }] },
  scripted: { [D1]: [AGENT_TIMEOUT, detection('Correct'), detection('Correct')], [D2]: [detection('Incorrect'), detection('Incorrect'), detection('Incorrect')], [L1]: [localization(false), { status: 'cancelled' }, localization(true)] },
};

describe('GET /runs/{id}/results?by=problem and the intervals of the results table', () => {
  let h: ApiHarness;
  let runId: string;
  beforeAll(async () => {
    h = await startApiHarness();
    runId = (await createRun(h, { problem_ids: [D1, D2, L1], repeats: 3 })).run_id;
    await finishRunTasks(h, runId, (t) => OUTCOMES[t.agent_label][t.problem_id][t.repeat_index - 1]);
  });
  afterAll(() => h.close());

  it('gives the problem × agent matrix: solved/scored over repeats with a Wilson interval, mean TT* and steps, in run order', async () => {
    const { body } = await request(h.app).get(`/runs/${runId}/results`).query({ by: 'problem' }).expect(200);
    expect(body).toMatchObject({ run_id: runId, status: 'finished', by: 'problem', repeats: 3, agent_labels: ['gpt', 'scripted'] });
    expect(body.problems.map((p: { problem_id: string; task_type: string }) => `${p.problem_id}/${p.task_type}`)).toEqual([`${D1}/detection`, `${D2}/detection`, `${L1}/localization`]);
    const [d1, d2, l1] = body.problems;
    expect(d1.cells.map((c: { agent_label: string }) => c.agent_label)).toEqual(['gpt', 'scripted']);
    // 3 of 3: Wilson [0.438503, 1]; 2 of 3: [0.20766, 0.938508] (scripts/statistics-known-answers.py)
    expect(d1.cells[0]).toMatchObject({ n: 3, scored: 3, solved: 3, success_rate: 1, success_rate_ci: { low: 0.438503, high: 1, method: 'wilson', level: 0.95 }, mean_ttd: 4, mean_steps: 2 });
    expect(d1.cells[1]).toMatchObject({ n: 3, scored: 3, solved: 2, timed_out: 1, success_rate: 0.666667, success_rate_ci: { low: 0.20766, high: 0.938508 } });
    expect(d2.cells[1]).toMatchObject({ scored: 3, solved: 0, success_rate: 0, success_rate_ci: { low: 0, high: 0.561497 } });
    expect(l1.cells[0]).toMatchObject({ n: 3, scored: 3, solved: 2, failed: 1, mean_ttl: 6, mean_steps: 3, mean_ttd: null });
    expect(l1.cells[1]).toMatchObject({ n: 3, scored: 2, solved: 1, cancelled: 1, success_rate: 0.5 });
    expect(body.definitions.success_rate_ci).toMatch(/Wilson/);
  });

  it('serves the matrix as CSV, one line per problem × agent', async () => {
    const res = await request(h.app).get(`/runs/${runId}/results`).query({ by: 'problem', format: 'csv' }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('results-by-problem.csv');
    const [header, ...lines] = res.text.trim().split('\r\n');
    expect(header).toBe('problem_id,task_type,agent_label,n,scored,solved,success_rate,success_rate_ci_low,success_rate_ci_high,failed,timed_out,cancelled,unfinished,infra_errors,mean_ttd,mean_ttl,mean_tta,mean_ttm,mean_steps');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(`${D1},detection,gpt,3,3,3,1,0.438503,1,0,0,0,0,0,4,,,,2`);
    expect(lines[5].split(',').slice(0, 9)).toEqual([L1, 'localization', 'scripted', '3', '2', '1', '0.5', '0.094531', '0.905469']);
  });

  it('gives every success rate of the table a cluster-bootstrap interval with B and seed, and the spread over repeats under its own name', async () => {
    const { body } = await request(h.app).get(`/runs/${runId}/results`).expect(200);
    const row = (agent: string, type: string) => body.rows.find((r: { agent_label: string; task_type: string }) => r.agent_label === agent && r.task_type === type);
    const method = 'cluster bootstrap (problems, then repeats)';
    // Problems in code-unit order of their ids (D2, D1, L1): gpt (3,2), (3,3), (3,2); scripted (3,0), (3,2), (2,1) → Python: [0.444444, 1] and [0, 0.857143].
    expect(row('gpt', 'all')).toMatchObject({ success_rate: 0.777778, success_rate_ci: { low: 0.444444, high: 1, method, level: 0.95, B: 2000, seed: 20260101 } });
    expect(row('scripted', 'all').success_rate_ci).toMatchObject({ low: 0, high: 0.857143 });
    expect(row('gpt', 'detection').success_rate_ci).toMatchObject({ low: 0.333333, high: 1 });
    for (const r of body.rows) expect(r.repeat_spread_stderr).toBe(r.success_rate_stderr);
    expect(row('gpt', 'detection').repeat_spread_stderr).toBe(0.166667);
    expect(body.definitions.success_rate_ci).toMatch(/bootstrap/);
  });

  it('adds the interval columns to the CSV of the table', async () => {
    const res = await request(h.app).get(`/runs/${runId}/results`).query({ format: 'csv' }).expect(200);
    const [header, ...lines] = res.text.trim().split('\r\n');
    const columns = header.split(',');
    expect(columns).toEqual(expect.arrayContaining(['success_rate_ci_low', 'success_rate_ci_high', 'success_rate_ci_B', 'success_rate_ci_seed', 'repeat_spread_stderr']));
    const gptAll = lines[2].split(',');
    expect(gptAll[columns.indexOf('task_type')]).toBe('all');
    expect([columns.indexOf('success_rate_ci_low'), columns.indexOf('success_rate_ci_high'), columns.indexOf('success_rate_ci_B'), columns.indexOf('success_rate_ci_seed')].map((i) => gptAll[i])).toEqual(['0.444444', '1', '2000', '20260101']);
    expect(columns.slice(-3)).toEqual(['pass_hat_1', 'pass_hat_2', 'pass_hat_3']);
  });

  it('refuses an unknown grouping, naming the field and the choices', async () => {
    const { body } = await request(h.app).get(`/runs/${runId}/results`).query({ by: 'agent' }).expect(400);
    expect(body.errors[0].field).toBe('by');
  });
});

import request from 'supertest';
import { ApiHarness, startApiHarness } from './api-harness';
import { AGENTS, createRun, DETECTION, finishRunTasks, LOCALIZATION, workerResult } from './support/run-fixtures';

/** The agent ran out of time after setup (unsolved, scored); a timeout before setup would be an infra error, kept out of scored. */
const AGENT_TIMEOUT = { status: 'timed_out', error: { kind: 'timeout', message: 'ran longer' }, result: { setup: { task_description: 'detect' } } };

const [D1, D2] = DETECTION;
const L1 = LOCALIZATION;
const detection = (answer: string) => ({ status: 'completed', result: workerResult({ 'Detection Accuracy': answer, TTD: 4, steps: 2, in_tokens: 1200, out_tokens: 96 }) });
const localization = (success: boolean, accuracy: number) => ({ status: 'completed', result: workerResult({ 'Localization Accuracy': accuracy, success, is_subset: success, TTL: 6, steps: 3 }) });

/** The grid of the expected figures in the test names (agent → problem → outcome per repeat). */
const OUTCOMES: Record<string, Record<string, ReturnType<typeof detection>[] | { status: string }[]>> = {
  gpt: { [D1]: [detection('Correct'), detection('Correct'), detection('Correct')], [D2]: [detection('Correct'), detection('Correct'), detection('Incorrect')], [L1]: [localization(true, 100), localization(true, 100), { status: 'failed' }] },
  scripted: { [D1]: [AGENT_TIMEOUT, detection('Correct'), detection('Correct')], [D2]: [detection('Incorrect'), detection('Incorrect'), detection('Incorrect')], [L1]: [localization(false, 50), { status: 'cancelled' }, localization(true, 100)] },
};

describe('GET /runs/{id}/results and retries', () => {
  let h: ApiHarness;
  let runId: string;
  beforeAll(async () => {
    h = await startApiHarness({ PRICE_TABLE: JSON.stringify({ gpt: { input_per_million: 2.5, output_per_million: 10 } }) });
    runId = (await createRun(h, { problem_ids: [D1, D2, L1], repeats: 3 })).run_id;
    await finishRunTasks(h, runId, (t) => OUTCOMES[t.agent_label][t.problem_id][t.repeat_index - 1]);
  });
  afterAll(() => h.close());

  const rowOf = (rows: { agent_label: string; task_type: string }[], agent: string, type: string) => rows.find((r) => r.agent_label === agent && r.task_type === type)!;

  it('gives per agent × task type and per agent overall: success rate with stderr over repeats, pass^k, failures apart, AIOpsLab metrics and cost', async () => {
    const { body } = await request(h.app).get(`/runs/${runId}/results`).expect(200);
    expect(body).toMatchObject({ run_id: runId, status: 'finished', repeats: 3 });
    expect(body.rows.map((r: { agent_label: string; task_type: string }) => `${r.agent_label}/${r.task_type}`)).toEqual([
      'gpt/detection', 'gpt/localization', 'gpt/all', 'scripted/detection', 'scripted/localization', 'scripted/all',
    ]);
    const gptDetection = rowOf(body.rows, 'gpt', 'detection');
    expect(gptDetection).toMatchObject({ n: 6, scored: 6, solved: 5, success_rate: 0.833333, success_rate_stderr: 0.166667, pass_hat_k: { '1': 0.833333, '3': 0.5 }, failed: 0, detection_accuracy: 0.833333, localization_accuracy: null, mean_ttd: 4, mean_steps: 2, mean_in_tokens: 1200, prompt_tokens: 1800, completion_tokens: 240, estimated_cost_usd: 0.0069, cost_basis: 'usage' });
    expect(rowOf(body.rows, 'gpt', 'localization')).toMatchObject({ n: 3, scored: 3, solved: 2, failed: 1, success_rate: 0.666667, success_rate_stderr: 0.333333, localization_accuracy: 66.666667, mean_ttl: 6, pass_hat_k: { '3': 0 } });
    expect(rowOf(body.rows, 'gpt', 'all')).toMatchObject({ n: 9, solved: 7, failed: 1, success_rate_stderr: 0.222222, pass_hat_k: { '3': 0.333333 }, detection_accuracy: 0.833333, localization_accuracy: 66.666667 });
    expect(rowOf(body.rows, 'scripted', 'detection')).toMatchObject({ scored: 6, solved: 2, timed_out: 1, success_rate: 0.333333, success_rate_stderr: 0.166667, pass_hat_k: { '2': 0.166667 }, estimated_cost_usd: null });
    expect(rowOf(body.rows, 'scripted', 'localization')).toMatchObject({ n: 3, scored: 2, solved: 1, cancelled: 1, localization_accuracy: 75, pass_hat_k: { '1': 0.5, '2': 0, '3': null } });
  });

  it('serves the same table as CSV', async () => {
    const res = await request(h.app).get(`/runs/${runId}/results`).query({ format: 'csv' }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...lines] = res.text.trim().split('\r\n');
    expect(header.split(',').slice(0, 5)).toEqual(['agent_label', 'task_type', 'n', 'scored', 'solved']);
    expect(header.split(',').slice(-3)).toEqual(['pass_hat_1', 'pass_hat_2', 'pass_hat_3']);
    expect(lines).toHaveLength(6);
    expect(lines[0].split(',').slice(0, 6)).toEqual(['gpt', 'detection', '6', '6', '5', '0.833333']);
  });

  it('a run retry re-runs each cell whose latest task failed, timed out or was cancelled, once, keeping the old tasks; results count the latest', async () => {
    const [a, b] = await Promise.all([request(h.app).post(`/runs/${runId}/retry`).expect(202), request(h.app).post(`/runs/${runId}/retry`).expect(202)]);
    expect(a.body.retried + b.body.retried).toBe(3);
    const replacements = await h.db.task.findMany({ where: { runId, retryOf: { not: null } } });
    expect(replacements.map((t) => `${t.agentLabel}|${t.problemId}|${t.repeatIndex}|${t.status}`).sort()).toEqual([`gpt|${L1}|3|pending`, `scripted|${D1}|1|pending`, `scripted|${L1}|2|pending`]);
    const running = await request(h.app).get(`/runs/${runId}`).expect(200);
    expect(running.body).toMatchObject({ status: 'running', task_count: 21, counts: { pending: 3, failed: 1, timed_out: 1, cancelled: 1 }, progress: { cells: 18, finished_cells: 15 } });
    expect(running.body.agents.map((a: { progress: unknown }) => a.progress)).toEqual([{ cells: 9, finished_cells: 8 }, { cells: 9, finished_cells: 7 }]);
    expect((await request(h.app).get(`/runs/${runId}/results`).expect(200)).body.rows[1]).toMatchObject({ task_type: 'localization', n: 3, scored: 2, unfinished: 1, failed: 0 });

    await finishRunTasks(h, runId, (t) => (t.problem_id === L1 ? localization(true, 100) : detection('Correct')));
    const { body } = await request(h.app).get(`/runs/${runId}/results`).expect(200);
    expect(rowOf(body.rows, 'gpt', 'localization')).toMatchObject({ n: 3, solved: 3, failed: 0, localization_accuracy: 100, pass_hat_k: { '3': 1 } });
    expect(rowOf(body.rows, 'scripted', 'detection')).toMatchObject({ solved: 3, timed_out: 0 });
    expect((await request(h.app).get(`/runs/${runId}`).expect(200)).body).toMatchObject({ status: 'finished', task_count: 21, progress: { cells: 18, finished_cells: 18 } });
    const old = replacements.find((t) => t.agentLabel === 'gpt')!.retryOf!;
    expect((await request(h.app).get(`/tasks/${old}`).expect(200)).body).toMatchObject({ status: 'failed', run_id: runId });
    expect((await request(h.app).post(`/runs/${runId}/retry`).expect(202)).body.retried).toBe(0);
    expect((await request(h.app).post(`/tasks/${old}/retry`).expect(409)).body).toMatchObject({ code: 'task_already_retried', retried_as: replacements.find((t) => t.agentLabel === 'gpt')!.id });
  });

  it('POST /tasks/{id}/retry replaces one failed task (in a run or not) and refuses completed ones', async () => {
    const single = await createRun(h, { problem_ids: [D1], agents: [{ label: 'solo', agent_config: { kind: 'registry', name: 'gpt' } }], repeats: 1 });
    const [task] = await finishRunTasks(h, single.run_id, () => ({ status: 'failed', error: { kind: 'runner_failed', message: 'boom' } }));
    const res = await request(h.app).post(`/tasks/${task.id}/retry`).expect(202);
    expect(res.body).toMatchObject({ retry_of: task.id, status: 'pending' });
    expect((await request(h.app).get(`/tasks/${res.body.task_id}`).expect(200)).body).toMatchObject({ run_id: single.run_id, agent_label: 'solo', repeat_index: 1, retry_of: task.id, problem_id: D1 });
    await finishRunTasks(h, single.run_id, () => ({ status: 'completed' }));
    expect((await request(h.app).post(`/tasks/${res.body.task_id}/retry`).expect(409)).body.code).toBe('task_not_retryable');

    const standalone = await request(h.app).post('/tasks').send({ problem_id: D2, agent_config: AGENTS[1].agent_config, max_steps: 4 }).expect(201);
    await h.db.$executeRaw`UPDATE tasks SET status = 'timed_out', completed_at = now() WHERE id = ${standalone.body.task_id}::uuid`;
    const retried = await request(h.app).post(`/tasks/${standalone.body.task_id}/retry`).expect(202);
    expect((await request(h.app).get(`/tasks/${retried.body.task_id}`).expect(200)).body).toMatchObject({ run_id: null, retry_of: standalone.body.task_id, max_steps: 4, status: 'pending' });
  });

  it("a runner's oddly typed or oversized result values are left out of the table instead of failing it", async () => {
    const odd = await createRun(h, { problem_ids: [D1], agents: [{ label: 'odd', agent_config: { kind: 'registry', name: 'gpt' } }], repeats: 2 });
    const results = [
      { 'Detection Accuracy': 'x'.repeat(5000), TTD: 'fast', steps: Number('1e300'), in_tokens: [1], success: 'yes' },
      { 'Detection Accuracy': 'Correct', TTD: 2, steps: 3 },
    ];
    let i = 0;
    await finishRunTasks(h, odd.run_id, () => ({ status: 'completed', result: workerResult(results[i++]) }));
    const { body } = await request(h.app).get(`/runs/${odd.run_id}/results`).expect(200);
    // The oversized steps count is dropped: that task's steps fall back to its trajectory's length (2).
    expect(rowOf(body.rows, 'odd', 'detection')).toMatchObject({ n: 2, solved: 1, mean_ttd: 2, mean_steps: 2.5 });
  });
});

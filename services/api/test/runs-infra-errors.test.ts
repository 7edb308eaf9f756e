import request from 'supertest';
import { classifyOutcome, setupReachedOf } from '@aiopslab/shared/domain/outcome-class';
import { infraErrorSql } from '@aiopslab/shared/tables/infra-error-sql';
import { ApiHarness, startApiHarness } from './api-harness';
import { createRun, DETECTION, finishRunTasks, workerResult } from './support/run-fixtures';
import { reconcileRun } from '../src/use-cases/reconcile-run';

const correct = { status: 'completed', result: workerResult({ 'Detection Accuracy': 'Correct' }) };
const wrong = { status: 'completed', result: workerResult({ 'Detection Accuracy': 'Incorrect' }) };
const setupFailed = { status: 'failed', error: { kind: 'runner_error', phase: 'setup', error_type: 'ProblemSetupError', message: 'deploy failed' } };
const lostWorker = { status: 'failed', error: { kind: 'lost_worker', message: 'lease expired' } };
const agentFailed = { status: 'failed', error: { kind: 'runner_error', phase: 'loop', error_type: 'LLMRequestError', message: '429' }, result: workerResult({}, undefined, 1) };

/** Every branch of classifyOutcome for failed and timed-out tasks: the SQL must agree. */
const BRANCHES: { status: string; error?: unknown; result?: unknown }[] = [
  setupFailed,
  lostWorker,
  agentFailed,
  { status: 'failed', error: { kind: 'runner_error', phase: 'setup', error_type: 'X', origin: 'environment' }, result: workerResult({}, undefined, 2) },
  { status: 'failed', error: { kind: 'runner_error', phase: 'eval', error_type: 'X' }, result: workerResult({}, undefined, 2) },
  { status: 'failed', error: { kind: 'runner_error', phase: 'teardown', error_type: 'X' } },
  { status: 'failed', error: { kind: 'runner_error', phase: 'setup', error_type: 'InvalidAgentConfig' } },
  { status: 'failed', error: { kind: 'runner_error', phase: 'setup', error_type: 'UnknownProblemId' } },
  { status: 'failed', error: { kind: 'runner_error', error_type: 'X' }, result: workerResult({}, undefined, 1) },
  { status: 'failed', error: { kind: 'runner_crashed' } },
  { status: 'failed', error: { kind: 'runner_crashed' }, result: workerResult({}, undefined, 1) },
  { status: 'failed', error: { kind: 'timeout' } },
  { status: 'failed', error: { kind: 'cluster_unavailable' } },
  { status: 'failed', error: { kind: 'timeout_exceeds_broker_limit' } },
  { status: 'failed', error: { kind: 'something_new' } },
  { status: 'failed' },
  { status: 'timed_out', result: { ...workerResult({}, undefined, 0), durations: { loop_s: null } } },
  { status: 'timed_out', result: workerResult({}, undefined, 3) },
  { status: 'timed_out', result: { setup: { task_description: 'x' } } },
];

describe('infrastructure errors: kept out of the denominators and retried on the run\'s own budget', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('the SQL infra_error predicate agrees with classifyOutcome on every branch', async () => {
    for (const branch of BRANCHES) {
      const row = { result: branch.result ?? null, error: branch.error ?? null };
      const [sql] = await h.db.$queryRawUnsafe<{ infra: boolean }[]>(
        `SELECT ${infraErrorSql('t')} AS infra FROM (SELECT $1::text AS status, $2::jsonb AS result, $3::jsonb AS error) t`,
        branch.status,
        row.result === null ? null : JSON.stringify(row.result),
        row.error === null ? null : JSON.stringify(row.error),
      );
      const ts = classifyOutcome({ status: branch.status, taskType: 'detection', results: null, error: row.error as never, setupReached: setupReachedOf(row.result) });
      expect([JSON.stringify(branch), sql.infra]).toEqual([JSON.stringify(branch), ts.outcome_class === 'infra_error']);
    }
  });

  it('results: 2 solved, 1 unsolved, 1 agent error and 2 infra errors score 2/4, with infra_errors 2 in the table, the CSV and the by-problem matrix', async () => {
    const run = await createRun(h, { problem_ids: [DETECTION[0]], agents: [{ label: 'gpt', agent_config: { kind: 'registry', name: 'gpt' } }], repeats: 6, max_infra_retries: 0 });
    const ends = [correct, correct, wrong, agentFailed, setupFailed, lostWorker];
    await finishRunTasks(h, run.run_id, (t) => ends[t.repeat_index - 1]);
    const { body } = await request(h.app).get(`/runs/${run.run_id}/results`).expect(200);
    expect(body.status).toBe('finished');
    expect(body.rows.find((r: { task_type: string }) => r.task_type === 'all')).toMatchObject({ n: 6, scored: 4, solved: 2, success_rate: 0.5, failed: 3, infra_errors: 2 });
    const csv = (await request(h.app).get(`/runs/${run.run_id}/results`).query({ format: 'csv' }).expect(200)).text.trim().split('\r\n');
    const header = csv[0].split(',');
    expect(csv[1].split(',')[header.indexOf('infra_errors')]).toBe('2');
    const matrix = (await request(h.app).get(`/runs/${run.run_id}/results`).query({ by: 'problem' }).expect(200)).body;
    expect(matrix.problems[0].cells[0]).toMatchObject({ n: 6, scored: 4, solved: 2, success_rate: 0.5, infra_errors: 2 });
  });

  it('an infra error is retried automatically once per reconcile, up to max_infra_retries per cell; the run is running until then, and agent errors are not retried', async () => {
    const run = await createRun(h, { problem_ids: [DETECTION[0]], agents: [{ label: 'gpt', agent_config: { kind: 'registry', name: 'gpt' } }], repeats: 2, max_infra_retries: 2 });
    expect(run).toMatchObject({ max_infra_retries: 2, budget_usd: null, tasks_created: 2 });
    await finishRunTasks(h, run.run_id, (t) => (t.repeat_index === 1 ? setupFailed : agentFailed));
    // Before any reconcile: every task ended, but an infra retry is due, so the run is not finished.
    const listed = (await request(h.app).get('/runs').expect(200)).body.runs.find((r: { run_id: string }) => r.run_id === run.run_id);
    expect(listed).toMatchObject({ status: 'running', infra_retries_due: 1 });
    // Concurrent reconcilers create one replacement, not two.
    const deps = { tasks: h.tasks, prices: {} };
    const outcomes = await Promise.all([reconcileRun(deps, run.run_id), reconcileRun(deps, run.run_id), reconcileRun(deps, run.run_id)]);
    expect(outcomes.reduce((n, o) => n + (o?.infra_retried ?? 0), 0)).toBe(1);
    const replacements = await h.db.task.findMany({ where: { runId: run.run_id, retryOf: { not: null } } });
    expect(replacements.map((t) => [t.repeatIndex, t.status])).toEqual([[1, 'pending']]);

    // Two more infra errors: the second retry is the last (max 2); a third infra error stays, and the run finishes.
    await finishRunTasks(h, run.run_id, () => lostWorker);
    expect((await request(h.app).get(`/runs/${run.run_id}`).expect(200)).body).toMatchObject({ status: 'running', task_count: 4 });
    await finishRunTasks(h, run.run_id, () => setupFailed);
    const done = (await request(h.app).get(`/runs/${run.run_id}`).expect(200)).body;
    expect(done).toMatchObject({ status: 'finished', task_count: 4, infra_retries_due: 0, progress: { cells: 2, finished_cells: 2 } });
    const results = (await request(h.app).get(`/runs/${run.run_id}/results`).expect(200)).body.rows[0];
    expect(results).toMatchObject({ n: 2, scored: 1, infra_errors: 1 });
  });
});

import request from 'supertest';
import { ApiHarness, startApiHarness } from './api-harness';
import { createRun, DETECTION, finishRunTasks, workerResult } from './support/run-fixtures';

const parseLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));
const setupOnly = { ...workerResult({}, undefined, 0), results: null, setup: null, durations: { setup_s: null, loop_s: null, teardown_s: null, run_s: 60 } };

describe('outcome classes on GET /tasks/{id}, GET /tasks and the export', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('classifies solved, unsolved, agent errors and infrastructure errors the same way on every surface', async () => {
    const run = await createRun(h, { problem_ids: [DETECTION[0]], repeats: 3 });
    const ends: Record<string, { status: string; result?: unknown; error?: unknown }> = {
      'gpt:1': { status: 'completed', result: workerResult({ 'Detection Accuracy': 'Correct' }) },
      'gpt:2': { status: 'completed', result: workerResult({ 'Detection Accuracy': 'Incorrect' }) },
      'gpt:3': { status: 'timed_out', error: { kind: 'timeout', message: 'ran longer' }, result: setupOnly },
      'scripted:1': { status: 'failed', error: { kind: 'runner_error', phase: 'loop', error_type: 'LLMRequestError', message: '429' }, result: workerResult({}, undefined, 1) },
      'scripted:2': { status: 'failed', error: { kind: 'lost_worker', message: 'worker w stopped renewing its lease' } },
      'scripted:3': { status: 'timed_out', error: { kind: 'timeout', message: 'ran longer' }, result: workerResult({}, undefined, 4) },
    };
    await finishRunTasks(h, run.run_id, (t) => ends[`${t.agent_label}:${t.repeat_index}`]);
    const expected: Record<string, [boolean, string, string]> = {
      'gpt:1': [true, 'solved', 'evaluation'],
      'gpt:2': [false, 'unsolved', 'evaluation'],
      'gpt:3': [false, 'infra_error', 'timeout_during_setup'],
      'scripted:1': [false, 'agent_error', 'agent'],
      'scripted:2': [false, 'infra_error', 'lost_worker'],
      'scripted:3': [false, 'unsolved', 'timeout'],
    };
    const cell = (t: { agent_label: string; repeat_index: number }) => expected[`${t.agent_label}:${t.repeat_index}`];
    const shape = (t: { solved: boolean; outcome_class: string; outcome_origin: string }) => [t.solved, t.outcome_class, t.outcome_origin];

    const listed = (await request(h.app).get('/tasks').query({ run_id: run.run_id }).expect(200)).body.tasks;
    expect(listed).toHaveLength(6);
    for (const task of listed) expect(shape(task)).toEqual(cell(task));

    for (const task of listed) {
      const one = (await request(h.app).get(`/tasks/${task.task_id}`).expect(200)).body;
      expect(shape(one)).toEqual(cell(task));
    }

    const lines = parseLines((await request(h.app).get(`/runs/${run.run_id}/export`).expect(200)).text);
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(shape(line)).toEqual(cell(line));
    const byTasks = parseLines((await request(h.app).get('/tasks/export').query({ run_id: run.run_id }).expect(200)).text);
    for (const line of byTasks) expect(shape(line)).toEqual(cell(line));
  });

  it('a waiting task has no outcome class yet and is not solved', async () => {
    const run = await createRun(h, { problem_ids: [DETECTION[1]], repeats: 1 });
    const listed = (await request(h.app).get('/tasks').query({ run_id: run.run_id }).expect(200)).body.tasks;
    expect(listed[0]).toMatchObject({ status: 'pending', solved: false, outcome_class: null, outcome_origin: null });
  });
});

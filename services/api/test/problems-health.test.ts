import request from 'supertest';
import { replaceProblemRows } from '@aiopslab/shared/tables/problems';
import { ApiHarness, startApiHarness } from './api-harness';
import { createRun, finishRunTasks, workerResult } from './support/run-fixtures';

const D = 'k8s_target_port-misconfig-detection-1';
const N = 'noop_detection_hotel_reservation-1';
const M = 'misconfig_app_hotel_res-mitigation-1';
const L = 'pod_failure_hotel_res-localization-1';
const CATALOG = [
  { id: D, task_type: 'detection', reason: null },
  { id: N, task_type: 'detection', reason: null },
  { id: M, task_type: 'mitigation', reason: null },
  { id: L, task_type: 'localization', reason: null },
];
const AGENTS = [
  { label: 'do_nothing', agent_config: { kind: 'reference', name: 'do_nothing' } },
  { label: 'scripted', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } },
];

type End = { status: string; result?: unknown; error?: unknown };
const withSetup = (results: Record<string, unknown>, setupS: number) => {
  const result = workerResult(results);
  return { status: 'completed', result: { ...result, durations: { ...result.durations, setup_s: setupS } } };
};
const detection = (answer: string, setupS = 1) => withSetup({ 'Detection Accuracy': answer }, setupS);
const success = (ok: boolean) => withSetup({ success: ok }, 1);
/** What the worker stores when setup failed: no steps, no setup or loop time. */
const noSetup = { ...workerResult({}, undefined, 0), results: null, durations: { setup_s: null, loop_s: null, teardown_s: null, run_s: 5 } };
const SETUP_FAILED: End = { status: 'failed', result: noSetup, error: { kind: 'runner_error', phase: 'setup', error_type: 'HelmInstallFailed', message: 'helm install timed out' } };

/** agent → problem → outcome per repeat (3 repeats). */
const OUTCOMES: Record<string, Record<string, End[]>> = {
  do_nothing: {
    [D]: [detection('Incorrect', 10), detection('Incorrect', 20), detection('Incorrect', 30)],
    [N]: [detection('Correct'), detection('Correct'), detection('Correct')],
    [M]: [success(true), success(true), success(true)],
    [L]: [success(false), success(false), success(false)],
  },
  scripted: {
    [D]: [detection('Correct', 40), detection('Incorrect', 50), detection('Correct', 60)],
    [N]: [detection('Incorrect'), detection('Incorrect'), detection('Incorrect')],
    [M]: [success(true), success(true), success(true)],
    [L]: [SETUP_FAILED, SETUP_FAILED, success(false)],
  },
};

describe('GET /problems/health and results without flagged problems', () => {
  let h: ApiHarness;
  let runId: string;
  beforeAll(async () => {
    h = await startApiHarness();
    await replaceProblemRows(h.db, CATALOG, 'test');
    runId = (await createRun(h, { problem_ids: [D, N, M, L], agents: AGENTS, repeats: 3 })).run_id;
    await finishRunTasks(h, runId, (t) => OUTCOMES[t.agent_label][t.problem_id][t.repeat_index - 1]);
  });
  afterAll(() => h.close());

  const healthOf = async () => {
    const { body } = await request(h.app).get('/problems/health').expect(200);
    return { body, byId: Object.fromEntries(body.problems.map((p: { problem_id: string }) => [p.problem_id, p])) };
  };

  it('flags the mitigation problem a do-nothing agent passes, and notes the noop problem instead of flagging it', async () => {
    const { byId } = await healthOf();
    expect(byId[M]).toMatchObject({ task_type: 'mitigation', flags: ['do_nothing_passes'], do_nothing: { scored: 3, solved: 3 }, finished: 6 });
    expect(byId[N]).toMatchObject({ flags: [], do_nothing: { scored: 3, solved: 3 }, notes: [expect.stringContaining('no fault is injected')] });
  });

  it('flags setup failures before setup completed, with the rate and the counts', async () => {
    const { byId } = await healthOf();
    expect(byId[L]).toMatchObject({ flags: ['setup_unreliable'], finished: 6, setup_failures: 2, setup_failure_rate: 0.333, setup_s: { n: 4 } });
  });

  it('flags a deterministic agent with different outcomes across repeats as flaky, and gives setup time p50/p95', async () => {
    const { body, byId } = await healthOf();
    // setup_s 10..60: numpy.percentile gives p50 35 and p95 57.5
    expect(byId[D]).toMatchObject({ flags: ['flaky'], deterministic_agents: 2, flaky_agents: 1, do_nothing: { scored: 3, solved: 0 }, setup_s: { n: 6, p50: 35, p95: 57.5 } });
    expect(body).toMatchObject({ flagged: 3, flag_counts: { do_nothing_passes: 1, setup_unreliable: 1, flaky: 1 } });
    expect(body.definitions.do_nothing_passes).toMatch(/grader/);
  });

  it('leaves flagged problems out of the results by problem, naming them and their count', async () => {
    const { body } = await request(h.app).get(`/runs/${runId}/results`).query({ by: 'problem', exclude_flagged: 'true' }).expect(200);
    expect(body.problems.map((p: { problem_id: string }) => p.problem_id)).toEqual([N]);
    expect(body.excluded_count).toBe(3);
    expect(body.excluded_problems).toEqual(
      expect.arrayContaining([{ problem_id: M, flags: ['do_nothing_passes'] }, { problem_id: L, flags: ['setup_unreliable'] }, { problem_id: D, flags: ['flaky'] }]),
    );
    expect(body.note).toMatch(/^3 flagged problem\(s\) left out/);
  });

  it('says to send by=problem when exclude_flagged comes without it', async () => {
    const { body } = await request(h.app).get(`/runs/${runId}/results`).query({ exclude_flagged: 'true' }).expect(400);
    expect(JSON.stringify(body)).toMatch(/by=problem/);
  });
});

import request from 'supertest';
import { replaceProblemRows } from '@aiopslab/shared/tables/problems';
import { ApiHarness, startApiHarness } from './api-harness';

const D1 = 'k8s_target_port-misconfig-detection-1';
const D2 = 'noop_detection_hotel_reservation-1';
const M = 'misconfig_app_hotel_res-mitigation-1';
const CATALOG = [
  { id: D1, task_type: 'detection', reason: null },
  { id: D2, task_type: 'detection', reason: null },
  { id: M, task_type: 'mitigation', reason: null },
];
const DO_NOTHING = { label: 'do_nothing', agent_config: { kind: 'reference', name: 'do_nothing' } };
const CONSTANT_YES = { label: 'constant_yes', agent_config: { kind: 'reference', name: 'constant_yes' } };

describe('POST /runs with calibration: true', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
    await replaceProblemRows(h.db, CATALOG, 'test');
  });
  afterAll(() => h.close());

  const tasksOf = (runId: string) =>
    h.db.$queryRaw<{ agent_label: string; agent_config: Record<string, unknown>; metadata: Record<string, unknown> }[]>`
      SELECT agent_label, agent_config, metadata FROM tasks WHERE run_id = ${runId}::uuid ORDER BY agent_label, problem_id, repeat_index`;

  it('on detection problems, without agents, runs do_nothing and constant_yes, and the run and its tasks are marked as calibration', async () => {
    const res = await request(h.app).post('/runs').send({ name: 'calibrate detection', problem_filter: { task_type: 'detection' }, calibration: true, repeats: 2 }).expect(201);
    expect(res.body).toMatchObject({ task_count: 8, problem_count: 2, agent_count: 2, calibration: true });
    const run = (await request(h.app).get(`/runs/${res.body.run_id}`).expect(200)).body;
    expect(run).toMatchObject({ calibration: true, agent_labels: ['do_nothing', 'constant_yes'] });
    const tasks = await tasksOf(res.body.run_id);
    expect(tasks).toHaveLength(8);
    expect(tasks.map((t) => t.agent_config)).toEqual(expect.arrayContaining([DO_NOTHING.agent_config, CONSTANT_YES.agent_config]));
    expect(tasks.every((t) => t.metadata.calibration === true)).toBe(true);
    const listed = (await request(h.app).get('/runs').expect(200)).body.runs.find((r: { run_id: string }) => r.run_id === res.body.run_id);
    expect(listed.calibration).toBe(true);
  });

  it('on a mixed selection, runs do_nothing alone (constant_yes answers detection only), keeping the caller metadata', async () => {
    const res = await request(h.app).post('/runs').send({ name: 'calibrate mixed', problem_ids: [D1, M], calibration: true, metadata: { owner: 'me' } }).expect(201);
    expect(res.body).toMatchObject({ task_count: 2, agent_count: 1, calibration: true });
    const tasks = await tasksOf(res.body.run_id);
    expect(tasks.map((t) => [t.agent_label, t.metadata])).toEqual([
      ['do_nothing', { owner: 'me', calibration: true }],
      ['do_nothing', { owner: 'me', calibration: true }],
    ]);
  });

  it('a dry run of a calibration run counts the reference agents and creates nothing', async () => {
    const before = (await h.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM tasks`)[0].n;
    const res = await request(h.app).post('/runs?dry_run=true').send({ name: 'plan', problem_filter: { task_type: 'detection' }, calibration: true, repeats: 3 }).expect(200);
    expect(res.body).toMatchObject({ dry_run: true, task_count: 12, calibration: true });
    expect((await h.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM tasks`)[0].n).toBe(before);
  });

  it('a calibration run with its own agents keeps them; an ordinary run is not marked', async () => {
    const mine = await request(h.app).post('/runs').send({ name: 'own', problem_ids: [D1], agents: [DO_NOTHING], calibration: true }).expect(201);
    expect(mine.body).toMatchObject({ agent_count: 1, calibration: true });
    const plain = await request(h.app).post('/runs').send({ name: 'plain', problem_ids: [D1], agents: [CONSTANT_YES] }).expect(201);
    expect(plain.body.calibration).toBe(false);
    expect((await request(h.app).get(`/runs/${plain.body.run_id}`).expect(200)).body.calibration).toBe(false);
  });

  it('a run without agents that is not a calibration run is a 400 naming agents and the calibration flag', async () => {
    const res = await request(h.app).post('/runs').send({ name: 'no agents', problem_ids: [D1] }).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'agents', rule: 'required', message: expect.stringContaining('calibration') })]);
    expect(res.body.detail).toContain('"calibration": true');
  });
});

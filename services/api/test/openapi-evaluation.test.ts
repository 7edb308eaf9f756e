import request from 'supertest';
import { ApiHarness, startApiHarness } from './api-harness';

describe('GET /openapi.json documents the evaluation endpoints', () => {
  let h: ApiHarness;
  let doc: { paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown>; requestBody?: unknown }>>; components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } };
  beforeAll(async () => {
    h = await startApiHarness();
    doc = (await request(h.app).get('/openapi.json').expect(200)).body;
  });
  afterAll(() => h.close());

  it('has GET /problems/health with its flags, counts and setup times', () => {
    expect(doc.paths['/problems/health'].get.responses['200']).toBeDefined();
    const entry = doc.components.schemas.ProblemHealthEntry.properties!;
    expect(Object.keys(entry)).toEqual(expect.arrayContaining(['flags', 'do_nothing', 'constant_yes', 'setup_failure_rate', 'setup_s', 'flaky_agents']));
    expect(entry.flags).toMatchObject({ items: { enum: ['do_nothing_passes', 'setup_unreliable', 'flaky'] } });
    expect(Object.keys(doc.components.schemas.ProblemHealth.properties!)).toEqual(expect.arrayContaining(['problems', 'flagged', 'flag_counts', 'definitions']));
  });

  it('has exclude_flagged on the results, and calibration on run creation and the run views', () => {
    expect(doc.paths['/runs/{id}/results'].get.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['by', 'format', 'exclude_flagged']));
    const creation = doc.components.schemas.RunCreation;
    expect(creation.properties!.calibration).toMatchObject({ type: 'boolean' });
    expect(creation.required).toEqual(['name']);
    expect(doc.components.schemas.RunSummary.properties!.calibration).toBeDefined();
    expect(doc.components.schemas.RunCreated.properties!.calibration).toBeDefined();
  });

  it('has the reference agent kind with its names, and PATCH /runs/{id} for the budget', () => {
    const kinds = JSON.stringify(doc.components.schemas.TaskSubmission.properties!.agent_config);
    expect(kinds).toContain('"reference"');
    expect(kinds).toContain('do_nothing');
    expect(kinds).toContain('constant_yes');
    expect(doc.paths['/runs/{id}'].patch.requestBody).toBeDefined();
    expect(doc.components.schemas.RunPatch.properties!.budget_usd).toMatchObject({ type: 'number' });
  });
});

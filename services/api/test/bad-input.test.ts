import request from 'supertest';
import { AGENT, ApiHarness, PROBLEM, startApiHarness } from './api-harness';

/** Every bad request is a 4xx problem+json naming the field and the rule; nothing is stored. */
describe('bad input to POST /tasks', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ BODY_LIMIT_BYTES: '4096', MAX_TASK_TIMEOUT_MINUTES: '120' });
  });
  afterAll(() => h.close());

  async function expectRejected(req: request.Test, status: number, field?: string, rule?: string) {
    const before = await h.db.task.count();
    const res = await req;
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, type: expect.stringContaining('/problems/'), title: expect.any(String), detail: expect.any(String) });
    if (field) expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, ...(rule ? { rule } : {}) })]));
    expect(await h.db.task.count()).toBe(before);
    return res;
  }
  const post = () => request(h.app).post('/tasks');

  it('malformed and truncated JSON', async () => {
    await expectRejected(post().set('Content-Type', 'application/json').send('{"problem_id": '), 400, '(body)', 'json');
    await expectRejected(post().set('Content-Type', 'application/json').send('{"problem_id": "x"}}'), 400, '(body)', 'json');
  });

  it('wrong types, missing and unknown fields', async () => {
    await expectRejected(post().send({ problem_id: 42, agent_config: AGENT }), 400, 'problem_id', 'type');
    await expectRejected(post().send({ max_steps: 3 }), 400, 'problem_id', 'required');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, max_steps: '30' }), 400, 'max_steps', 'type');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, colour: 'red' }), 400, 'colour', 'additionalProperties');
    await expectRejected(post().send([{ problem_id: PROBLEM, agent_config: AGENT }]), 400, '(body)', 'type');
    await expectRejected(post().set('Content-Type', 'application/json').send('null'), 400);
  });

  it('out-of-range numbers, including the deployment timeout cap', async () => {
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, priority: 10 }), 400, 'priority', 'maximum');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, priority: -1 }), 400, 'priority', 'minimum');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, max_steps: 1.5 }), 400, 'max_steps', 'type');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, timeout_minutes: 121 }), 400, 'timeout_minutes', 'maximum');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, max_retries: 1e9 }), 400, 'max_retries', 'maximum');
  });

  it('callback URLs that are not http(s)', async () => {
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, callback_url: 'file:///etc/passwd' }), 400, 'callback_url');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, callback_url: 'javascript:alert(1)' }), 400, 'callback_url');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, callback_url: 'not a url' }), 400, 'callback_url');
  });

  it('agent configs of an unknown kind or missing fields', async () => {
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: { kind: 'magic' } }), 400, 'agent_config.kind');
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: { kind: 'openai_compatible', model: 'm' } }), 400, 'agent_config.base_url', 'required');
  });

  it('duplicate keys, deep nesting and shell or SQL text in ids', async () => {
    await expectRejected(post().set('Content-Type', 'application/json').send(`{"problem_id":"${PROBLEM}","priority":1,"priority":9}`), 400, 'priority', 'duplicateKey');
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, metadata: deep }), 400, 'metadata', 'maxDepth');
    await expectRejected(post().send({ problem_id: "x'; DROP TABLE tasks; --", agent_config: AGENT }), 400, 'problem_id', 'pattern');
    await expectRejected(post().send({ problem_id: '$(rm -rf /)', agent_config: AGENT }), 400, 'problem_id', 'pattern');
  });

  it('oversized bodies and wrong content types', async () => {
    await expectRejected(post().send({ problem_id: PROBLEM, agent_config: AGENT, metadata: { blob: 'x'.repeat(5000) } }), 413);
    await expectRejected(post().set('Content-Type', 'text/plain').send(JSON.stringify({ problem_id: PROBLEM, agent_config: AGENT })), 415);
    await expectRejected(post().set('Content-Type', 'application/x-www-form-urlencoded').send('problem_id=x'), 415);
    await expectRejected(post().set('Content-Type', 'application/json; charset=klingon').send('{}'), 415);
  });

  it('bad ids in paths and unknown routes', async () => {
    const res = await request(h.app).get('/tasks/123').expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'id', rule: 'format' });
    await request(h.app).get('/tasks/%E0%A4%A').expect(400);
    expect((await request(h.app).get('/nope').expect(404)).body.code).toBe('route_not_found');
  });
});

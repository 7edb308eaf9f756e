import { createHash } from 'node:crypto';
import request from 'supertest';
import { freePort } from '../../../tests/support/service-process';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { TEST_MANAGEMENT_URL } from '../../../tests/support/test-services';
import { readQueues } from '../src/use-cases/read-queues';
import { AGENT, ApiHarness, PROBLEM, startApiHarness } from './api-harness';

const TASK_ID = '3f1c9a4e-0000-4000-8000-000000000001';

function importMapOf(html: string): { text: string; imports: Record<string, string> } {
  const text = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!text) throw new Error('index.html has no import map');
  return { text, imports: JSON.parse(text).imports };
}

describe('the dashboard at /ui/', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('redirects / and /ui to /ui/, and serves the page with a CSP that allows exactly its import map', async () => {
    expect((await request(h.app).get('/').expect(302)).headers.location).toBe('/ui/');
    expect((await request(h.app).get('/ui').expect(301)).headers.location).toBe('/ui/');
    const page = await request(h.app).get('/ui/').expect(200).expect('content-type', /text\/html/);
    const { text } = importMapOf(page.text);
    const csp = page.headers['content-security-policy'];
    const hash = createHash('sha256').update(text).digest('base64');
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("connect-src 'self'");
  });

  it('answers deep links with the same page, so the browser router opens them', async () => {
    const index = (await request(h.app).get('/ui/').expect(200)).text;
    for (const path of [`/ui/tasks/${TASK_ID}`, '/ui/tasks?status=failed', `/ui/runs/${TASK_ID}`, '/ui/workers', '/ui/queues']) {
      expect({ path, body: (await request(h.app).get(path).expect(200)).text }).toEqual({ path, body: index });
    }
  });

  it('serves every module of the import map and the app from node_modules and ui/ as JavaScript', async () => {
    const { imports } = importMapOf((await request(h.app).get('/ui/').expect(200)).text);
    expect(Object.keys(imports)).toEqual(expect.arrayContaining(['preact', 'preact/hooks', 'htm']));
    for (const url of [...Object.values(imports), '/ui/js/main.js', '/ui/js/views/tasks-list.js']) {
      const res = await request(h.app).get(url).expect(200);
      expect({ url, type: res.headers['content-type'] }).toEqual({ url, type: expect.stringMatching(/javascript/) });
    }
    expect((await request(h.app).get('/ui/app.css').expect(200)).headers['content-type']).toMatch(/text\/css/);
  });

  it('answers a missing file with a 404 problem, not the page', async () => {
    const missing = await request(h.app).get('/ui/js/no-such-module.js').expect(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    await request(h.app).get('/ui/vendor/left-pad.mjs').expect(404);
    await request(h.app).get('/ui/vendor/../../package.json').expect(404);
  });
});

describe('the dashboard with API_TOKEN set', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ API_TOKEN: 'dashboard-token-0123456789' });
  });
  afterAll(() => h.close());

  it('serves its files without the token, and the data behind it only with the token', async () => {
    await request(h.app).get('/').expect(302);
    await request(h.app).get('/ui/').expect(200);
    await request(h.app).get(`/ui/tasks/${TASK_ID}`).expect(200);
    await request(h.app).get('/ui/js/main.js').expect(200);
    await request(h.app).get('/ui/vendor/preact.mjs').expect(200);
    for (const path of ['/queues', '/tasks', '/workers']) await request(h.app).get(path).expect(401);
    await request(h.app).get('/queues').set('authorization', 'Bearer dashboard-token-0123456789').expect(200);
  });

});

describe('the dashboard with a rate limit set', () => {
  it("does not spend the rate limit on the dashboard's files, only on its API calls", async () => {
    const h = await startApiHarness({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      for (let i = 0; i < 10; i++) await request(h.app).get('/ui/js/app.js').expect(200);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push((await request(h.app).get('/workers')).status);
      expect(answers).toEqual([200, 200, 200, 429]);
    } finally {
      await h.close();
    }
  });
});

describe('GET /queues', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ RABBITMQ_MANAGEMENT_URL: TEST_MANAGEMENT_URL, RABBITMQ_MANAGEMENT_UI_URL: 'http://localhost:15672' });
  });
  afterAll(() => h.close());

  it("shows Ready per queue of this deployment's prefix only, and the outbox backlog", async () => {
    for (let i = 0; i < 2; i++) await request(h.app).post('/tasks').send({ problem_id: PROBLEM, agent_config: AGENT }).expect(201);
    await h.db.$executeRaw`
      INSERT INTO outbox (message_id, exchange, routing_key, payload, available_at)
      VALUES (gen_random_uuid(), ${h.topology.exchanges.tasks}, 'dispatch', '{}'::jsonb, now() + interval '1 hour')`;
    let body: { queues: { name: string; ready: number }[] } & Record<string, any> = { queues: [] };
    await waitUntil(async () => {
      body = (await request(h.app).get('/queues').expect(200)).body;
      return body.queues.find((q) => q.name === h.topology.queues.dispatch)?.ready === 2 && body.outbox.unpublished === 1;
    }, 20_000, 'two ready messages in tasks.dispatch and only the scheduled row left in the outbox');
    expect(body.management).toEqual({ status: 'up', ui_url: 'http://localhost:15672' });
    expect(body.queue_prefix).toBe(h.env.queuePrefix);
    expect(body.queues.every((q) => q.name.startsWith(h.env.queuePrefix))).toBe(true);
    expect(body.queues.map((q) => q.name)).toEqual(expect.arrayContaining([h.topology.queues.dispatch, h.topology.queues.dead, h.topology.queues.history]));
    expect(body.queues.find((q) => q.name === h.topology.queues.dispatch)).toMatchObject({ unacked: 0, consumers: 0, type: 'classic' });
    expect(body.outbox).toEqual({ unpublished: 1, due: 0, oldest_due_at: null });
    expect(body.dispatch).toEqual({ waiting: 0, dispatched: 2 }); // both fit the window; nothing waits for its turn
  });

  it('still answers with the outbox backlog, and says why, when the management API is unreachable', async () => {
    await h.db.$executeRaw`
      INSERT INTO outbox (message_id, exchange, routing_key, payload, available_at)
      VALUES (gen_random_uuid(), ${h.topology.exchanges.tasks}, 'dispatch', '{}'::jsonb, now() + interval '1 hour')`;
    const [{ count }] = await h.db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL`;
    const closedPort = await freePort();
    const deps = { db: h.db, managementUiUrl: 'http://localhost:15672', vhost: '/', queuePrefix: h.env.queuePrefix };
    const refused = await readQueues({ ...deps, managementUrl: `http://guest:guest@127.0.0.1:${closedPort}` });
    expect(refused.management).toMatchObject({ status: 'unreachable', detail: expect.stringContaining('ECONNREFUSED') });
    expect(refused.management.detail).toContain('RABBITMQ_MANAGEMENT_URL');
    expect(refused.outbox).toMatchObject({ unpublished: count, due: 0 });
    expect(count).toBeGreaterThanOrEqual(1);
    expect(refused.queues).toEqual([]);
    const wrongPassword = new URL(TEST_MANAGEMENT_URL);
    wrongPassword.password = 'not-the-password';
    const denied = await readQueues({ ...deps, managementUrl: wrongPassword.toString() });
    expect(denied.management).toMatchObject({ status: 'unreachable', detail: expect.stringMatching(/answered 401; check the credentials/) });
    expect(denied.management.detail).not.toContain('not-the-password');
  });
});

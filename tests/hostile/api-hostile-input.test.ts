import type { Server } from 'node:http';
import fc from 'fast-check';
import { ApiHarness, PROBLEM, startApiHarness } from '../../services/api/test/api-harness';

/**
 * Property-based hostile input: generated bad requests must each get a 4xx problem+json, write no
 * row, and leave the server healthy. HOSTILE_RUNS scales every property (quick: 90 each, 540 requests).
 */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 90);
const tally = { requests: 0, by_status: {} as Record<number, number> };

const VALID = { problem_id: PROBLEM };
const STRING_FIELDS = ['problem_id', 'callback_url', 'idempotency_key'] as const;
const NUMBER_FIELDS = { max_steps: [1, 1000], timeout_minutes: [1, 240], max_retries: [0, 10], priority: [0, 9] } as const;
const METACHARACTERS = ["'; DROP TABLE tasks; --", '" OR 1=1 --', '$(reboot)', '`id`', '; rm -rf / #', '| nc 127.0.0.1 1', '%00', '\u0000', '../../etc/passwd', '${jndi:ldap://x}', '<script>alert(1)</script>', '\\', '\r\n\r\nHTTP/1.1 200'];

const notOfType = (type: 'string' | 'number' | 'object') =>
  fc.oneof(
    ...(type !== 'string' ? [fc.string()] : []),
    ...(type !== 'number' ? [fc.double({ noNaN: true }), fc.integer()] : []),
    ...(type !== 'object' ? [fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })] : []),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
  );

describe('hostile input to the API', () => {
  let h: ApiHarness;
  let server: Server;
  let base: string;
  let tasksBefore: number;

  beforeAll(async () => {
    h = await startApiHarness({ BODY_LIMIT_BYTES: String(64 * 1024) });
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    tasksBefore = await h.db.task.count();
  });

  afterAll(async () => {
    console.log(`hostile input: ${tally.requests} bad requests, statuses ${JSON.stringify(tally.by_status)}`);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  async function send(method: string, path: string, body?: string, contentType = 'application/json') {
    const res = await fetch(base + path, { method, body, headers: body !== undefined ? { 'content-type': contentType } : {} });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text };
  }

  async function expectProblem(method: string, path: string, body?: string, contentType?: string) {
    const res = await send(method, path, body, contentType);
    tally.requests++;
    tally.by_status[res.status] = (tally.by_status[res.status] ?? 0) + 1;
    if (res.status < 400 || res.status >= 500) throw new Error(`${method} ${path} ${JSON.stringify(body?.slice(0, 200))} → ${res.status} ${res.text.slice(0, 300)}`);
    expect(res.type).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(res.text);
    expect(problem).toMatchObject({ status: res.status, detail: expect.any(String), code: expect.any(String) });
  }

  it('wrong types in every field', async () => {
    const field = fc.constantFrom(...STRING_FIELDS, ...Object.keys(NUMBER_FIELDS), 'metadata', 'parameters', 'agent_config');
    await fc.assert(
      fc.asyncProperty(field, fc.context(), async (name, ctx) => {
        const type = (STRING_FIELDS as readonly string[]).includes(name) ? 'string' : name in NUMBER_FIELDS ? 'number' : 'object';
        const value = fc.sample(notOfType(type), 1)[0];
        ctx.log(`${name}=${JSON.stringify(value)}`);
        await expectProblem('POST', '/tasks', JSON.stringify({ ...VALID, [name]: value }));
      }),
      { numRuns: RUNS },
    );
  });

  it('out-of-range, negative, huge and fractional numbers', async () => {
    const bad = ([min, max]: readonly [number, number]) =>
      fc.oneof(fc.integer({ max: min - 1 }), fc.integer({ min: max + 1 }), fc.constantFrom(1e308, -1e308, 2 ** 53, -0.5, 1.5, min - 1, max + 1));
    const arb = fc.constantFrom(...(Object.keys(NUMBER_FIELDS) as (keyof typeof NUMBER_FIELDS)[])).chain((name) => bad(NUMBER_FIELDS[name]).map((value) => ({ name, value })));
    await fc.assert(fc.asyncProperty(arb, async ({ name, value }) => expectProblem('POST', '/tasks', JSON.stringify({ ...VALID, [name]: value }))), { numRuns: RUNS });
  });

  it('huge strings, unicode and metacharacters in constrained string fields', async () => {
    const nasty = fc.oneof(
      fc.string({ minLength: 2049, maxLength: 6000 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => /[^\x21-\x7E]/.test(s)),
      fc.constantFrom(...METACHARACTERS),
      fc.constantFrom('', ' ', '\t', 'ftp://x', 'http//x', 'mailto:a@b'),
    );
    const nul = fc.record({ field: fc.constantFrom('metadata', 'parameters'), value: fc.string({ maxLength: 20 }).map((s) => ({ [s]: `${s}\u0000${s}` })) });
    // An idempotency key is opaque printable ASCII, so metacharacters without spaces are valid there.
    const arb = fc.oneof(
      fc.record({ field: fc.constantFrom('problem_id', 'callback_url'), value: nasty }),
      fc.record({ field: fc.constant('idempotency_key'), value: nasty.filter((v) => v.length > 255 || /[^\x21-\x7E]/.test(v) || v === '') }),
      nul,
    );
    await fc.assert(fc.asyncProperty(arb, async ({ field, value }) => expectProblem('POST', '/tasks', JSON.stringify({ ...VALID, [field]: value }))), { numRuns: RUNS });
  });

  it('unknown fields, deep nesting and malformed agent configs', async () => {
    const deep = fc.integer({ min: 17, max: 400 }).map((depth) => {
      let value: unknown = 'x';
      for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
      return value;
    });
    const arb = fc.oneof(
      fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !(k in NUMBER_FIELDS) && !['problem_id', 'callback_url', 'idempotency_key', 'metadata', 'parameters', 'agent_config', '__proto__'].includes(k)).map((k) => ({ ...VALID, [k]: 1 })),
      deep.map((d) => ({ ...VALID, metadata: { d } })),
      deep.map((d) => ({ ...VALID, parameters: { d } })),
      fc.record({ kind: fc.string({ maxLength: 20 }).filter((k) => !['registry', 'openai_compatible', 'scripted'].includes(k)) }).map((agent) => ({ ...VALID, agent_config: agent })),
      fc.constantFrom({ kind: 'registry' }, { kind: 'openai_compatible', model: 'm' }, { kind: 'scripted', actions: [] }, { kind: 'openai_compatible', base_url: 'ftp://x', model: 'm' }, { kind: 'registry', name: 'gpt', api_key: 'sk-x' }).map((agent) => ({ ...VALID, agent_config: agent })),
    );
    await fc.assert(fc.asyncProperty(arb, async (body) => expectProblem('POST', '/tasks', JSON.stringify(body))), { numRuns: RUNS });
  });

  it('duplicate keys, truncated bodies, non-JSON and wrong content types', async () => {
    const full = JSON.stringify({ ...VALID, max_steps: 5, metadata: { a: [1, 2, { b: 'c' }] } });
    const arb = fc.oneof(
      fc.integer({ min: 1, max: full.length - 1 }).map((cut) => ({ body: full.slice(0, cut), type: 'application/json' })),
      fc.constantFrom('problem_id', 'max_steps', 'metadata').map((k) => ({ body: full.replace('{', `{"${k}":1,`), type: 'application/json' })),
      fc.string({ maxLength: 200 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }).map((body) => ({ body, type: 'application/json' })),
      fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx').map((type) => ({ body: full, type })),
      fc.constant({ body: JSON.stringify({ ...VALID, metadata: { blob: 'x'.repeat(70 * 1024) } }), type: 'application/json' }),
    );
    await fc.assert(fc.asyncProperty(arb, async ({ body, type }) => expectProblem('POST', '/tasks', body, type)), { numRuns: RUNS });
  });

  it('invalid ids and query strings', async () => {
    // "." and ".." are dot segments: every HTTP client resolves them before sending (GET /tasks/. is GET /tasks/).
    const isDotSegment = (s: string) => s === '.' || s === '..';
    const badId = fc.oneof(fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !isDotSegment(s) && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)), fc.constantFrom(...METACHARACTERS));
    const arb = fc.oneof(
      badId.map((id) => ({ method: 'GET', path: `/tasks/${encodeURIComponent(id)}` })),
      badId.map((id) => ({ method: 'DELETE', path: `/tasks/${encodeURIComponent(id)}` })),
      badId.map((id) => ({ method: 'GET', path: `/tasks/${encodeURIComponent(id)}/logs` })),
      fc
        .oneof(
          fc.record({ k: fc.constantFrom('status', 'cursor', 'created_after', 'created_before'), v: fc.constantFrom(...METACHARACTERS, 'abc', '2026-13-45') }),
          fc.record({ k: fc.constant('limit'), v: fc.constantFrom('-1', '0', '1e9', 'abc', '2.5', ...METACHARACTERS) }),
          fc.record({ k: fc.constant('worker_id'), v: fc.constantFrom(...METACHARACTERS) }),
        )
        .map(({ k, v }) => ({ method: 'GET', path: `/tasks?${k}=${encodeURIComponent(v)}` })),
    );
    await fc.assert(fc.asyncProperty(arb, async ({ method, path }) => expectProblem(method, path)), { numRuns: RUNS });
  });

  it('after all of it: no row written, and the server is healthy', async () => {
    expect(tally.requests).toBeGreaterThanOrEqual(6 * RUNS);
    expect(await h.db.task.count()).toBe(tasksBefore);
    const health = await send('GET', '/health');
    expect(health.status).toBe(200);
  });

  it('metacharacters in free-text fields are stored verbatim as data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METACHARACTERS.filter((m) => !m.includes('\u0000'))), fc.string({ maxLength: 50 }).filter((x) => !x.includes('\u0000')), async (meta, extra) => {
        const body = { ...VALID, metadata: { note: meta + extra }, parameters: { [meta]: meta }, agent_config: { kind: 'openai_compatible', base_url: 'http://policy/v1', model: meta } };
        if (/^[\x21-\x7E]+$/.test(meta)) Object.assign(body, { idempotency_key: `${meta}${Math.random()}` });
        const res = await send('POST', '/tasks', JSON.stringify(body));
        expect(res.status).toBe(201);
        const task = await h.db.task.findUniqueOrThrow({ where: { id: JSON.parse(res.text).task_id } });
        expect(task.metadata).toEqual(body.metadata);
        expect(task.parameters).toEqual(body.parameters);
        expect((task.agentConfig as { model: string }).model).toBe(meta);
      }),
      { numRuns: Math.max(20, Math.round(RUNS / 4)) },
    );
  }, 120_000);
});

#!/usr/bin/env node
// API benchmarks: submission throughput and latency, and GET /tasks latency for every filter with
// BENCH_TASKS rows (default 1,000,000) in the table, each printed beside a ceiling measured in the
// same run (plain PostgreSQL transactions, plain RabbitMQ confirmed publishes, the raw SQL query).
const path = require('node:path');
const { Client, scratch, startService, startScript, percentile, ms, loadFor, ceilingPostgresTransactions, ceilingRabbitConfirmedPublish, printTable, cpuSnapshot, cpuSecondsSince, postJson } = require('./bench-lib');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TASKS = Number(process.env.BENCH_TASKS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const PROBLEM = 'k8s_target_port-misconfig-detection-1';

async function main() {
  const s = await scratch('api');
  const port = 18000 + Math.floor(Math.random() * 1000);
  const api = await startService('api', { ...s.env, PORT: String(port), HOST: '127.0.0.1' }, /api listening/);
  const base = `http://127.0.0.1:${port}`;
  try {
    await submissionBench(s, base, api.child.pid);
    await listBench(s, base);
  } finally {
    await api.stop();
    await s.drop();
  }
}

const RATE = Number(process.env.BENCH_RATE ?? 500);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const SUBMISSION = JSON.stringify({ problem_id: PROBLEM, agent_config: { kind: 'registry', name: 'gpt' }, metadata: { bench: true } });

async function post(base) {
  const res = await postJson(base, '/tasks', SUBMISSION, CONNECTIONS);
  if (res.status !== 201) throw new Error(`submission answered ${res.status}: ${res.text}`);
}

/** Open loop: one request every 1/rate s whatever the answers do; latency counts from the scheduled time. */
async function steadyRate(base, rate, seconds) {
  const latencies = [];
  const inFlight = [];
  const start = performance.now();
  const total = Math.floor(rate * seconds);
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(post(base).then(() => latencies.push(performance.now() - scheduled)));
  }
  await Promise.all(inFlight);
  return latencies;
}

async function submissionBench(s, base, apiPid) {
  const barePort = 17000 + Math.floor(Math.random() * 1000);
  const bare = await startScript(path.join(__dirname, 'bare-submit-server.js'), { DATABASE_URL: s.databaseUrl, PORT: String(barePort) }, /bare server listening/);
  const bareBase = `http://127.0.0.1:${barePort}`;
  const rows = [];
  const cpuRows = [];
  try {
    for (const [name, url, pid] of [['POST /tasks (api)', base, apiPid], ['ceiling: bare express 5 route, same statement, same client (Prisma)', bareBase, bare.child.pid]]) {
      await loadFor(2, CONNECTIONS, () => post(url)); // warm-up
      const before = cpuSnapshot();
      const closed = await loadFor(SECONDS, CONNECTIONS, () => post(url));
      const cpu = cpuSecondsSince(before, {
        'the server process': (p) => p === pid,
        postgres: (_, command) => command.startsWith('postgres'),
        rabbitmq: (_, command) => command.includes('beam.smp'),
        'load generator': (p) => p === process.pid,
      });
      const requests = closed.latencies.length;
      const perRequest = (s) => ((1000 * s) / requests).toFixed(3);
      const total = Object.values(cpu).reduce((a, b) => a + b, 0);
      cpuRows.push({ measure: name, ...Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, perRequest(v)])), total: perRequest(total) });
      const steady = await steadyRate(url, RATE, SECONDS);
      rows.push({ measure: name, [`req/s at ${CONNECTIONS} connections`]: closed.rate.toFixed(0), [`p50 ms at ${RATE} req/s`]: ms(percentile(steady, 50)), [`p99 ms at ${RATE} req/s`]: ms(percentile(steady, 99)) });
    }
  } finally {
    await bare.stop();
  }
  const pg = await ceilingPostgresTransactions(s.databaseUrl, SECONDS / 2, CONCURRENCY);
  const rabbit = await ceilingRabbitConfirmedPublish(s.queuePrefix, SECONDS / 2);
  rows.push({ measure: 'ceiling: plain PostgreSQL BEGIN/INSERT/INSERT/COMMIT', [`req/s at ${CONNECTIONS} connections`]: `${pg.rate.toFixed(0)} (${CONCURRENCY} clients)`, [`p50 ms at ${RATE} req/s`]: '', [`p99 ms at ${RATE} req/s`]: '' });
  rows.push({ measure: 'ceiling: RabbitMQ confirmed publishes', [`req/s at ${CONNECTIONS} connections`]: rabbit.rate.toFixed(0), [`p50 ms at ${RATE} req/s`]: '', [`p99 ms at ${RATE} req/s`]: '' });
  printTable(`Submission (${SECONDS} s per measure; the outbox relay runs inside the api)`, rows);
  printTable(`CPU ms per request at ${CONNECTIONS} connections, by process (all on this machine's cores)`, cpuRows);
  const [api, ceiling] = rows.map((r) => Number(r[`req/s at ${CONNECTIONS} connections`]));
  console.log(`ratio: POST /tasks reaches ${((100 * api) / ceiling).toFixed(0)}% of the bare route's rate (target >= 90%)`);
}

async function seed(databaseUrl) {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const started = Date.now();
  const chunk = 200_000;
  for (let from = 0; from < TASKS; from += chunk) {
    const to = Math.min(TASKS, from + chunk) - 1;
    await db.query(
      `INSERT INTO tasks (id, problem_id, status, priority, agent_config, max_steps, timeout_minutes, max_retries, attempt, worker_id, metadata, created_at, updated_at)
       SELECT gen_random_uuid(),
              (ARRAY['k8s_target_port-misconfig-detection-1','misconfig_app_hotel_res-mitigation-1','revoke_auth_mongodb-analysis-2','pod_failure_hotel_res-localization-1','noop_detection_hotel_reservation-1','container_kill-detection','flower_node_stop-detection','astronomy_shop_kafka_queue_problems-mitigation-1'])[1 + i % 8],
              CASE WHEN i % 100 < 70 THEN 'completed' WHEN i % 100 < 80 THEN 'failed' WHEN i % 100 < 85 THEN 'timed_out' WHEN i % 100 < 90 THEN 'cancelled' WHEN i % 100 < 95 THEN 'pending' WHEN i % 100 < 98 THEN 'processing' ELSE 'retrying' END,
              i % 10, '{"kind":"registry","name":"gpt","params":{}}', 30, 30, 2, 1,
              CASE WHEN i % 100 BETWEEN 90 AND 94 THEN NULL ELSE 'worker-' || (i % 50) END,
              '{}', now() - (i * interval '2 seconds'), now()
       FROM generate_series($1::int, $2::int) AS i`,
      [from, to],
    );
  }
  // A steady-state table: without this, autovacuum's first pass over the fresh rows runs during the measurement.
  await db.query('VACUUM ANALYZE tasks');
  await db.end();
  return (Date.now() - started) / 1000;
}

async function listBench(s, base) {
  const seconds = await seed(s.databaseUrl);
  console.log(`\nseeded ${TASKS} tasks in ${seconds.toFixed(1)} s`);
  const db = new Client({ connectionString: s.databaseUrl });
  await db.connect();
  const day = 24 * 3600 * 1000;
  const filters = [
    ['no filter', {}],
    ['status=pending', { status: 'pending' }],
    ['status=completed', { status: 'completed' }],
    ['problem_id', { problem_id: PROBLEM }],
    ['worker_id', { worker_id: 'worker-7' }],
    ['created_after (1 day)', { created_after: new Date(Date.now() - day).toISOString() }],
    ['created_before (10 days ago)', { created_before: new Date(Date.now() - 10 * day).toISOString() }],
    ['status=failed + problem_id', { status: 'failed', problem_id: PROBLEM }],
    ['status + worker + created range', { status: 'completed', worker_id: 'worker-7', created_after: new Date(Date.now() - 20 * day).toISOString(), created_before: new Date(Date.now() - 2 * day).toISOString() }],
  ];
  const rows = [];
  for (const [name, query] of filters) {
    const qs = new URLSearchParams({ limit: '50', ...query }).toString();
    // Page 10 of the listing: keyset pagination keeps deep pages as cheap as the first.
    let cursor = null;
    for (let page = 0; page < 10; page++) {
      const res = await (await fetch(`${base}/tasks?${qs}${cursor ? `&cursor=${cursor}` : ''}`)).json();
      cursor = res.next_cursor ?? cursor;
    }
    const http = [];
    const httpDeep = [];
    const raw = [];
    for (let i = 0; i < QUERIES; i++) {
      let t0 = process.hrtime.bigint();
      const res = await fetch(`${base}/tasks?${qs}`);
      if (res.status !== 200) throw new Error(`GET /tasks?${qs} answered ${res.status}`);
      await res.arrayBuffer();
      http.push(Number(process.hrtime.bigint() - t0) / 1e6);
      t0 = process.hrtime.bigint();
      await (await fetch(`${base}/tasks?${qs}${cursor ? `&cursor=${cursor}` : ''}`)).arrayBuffer();
      httpDeep.push(Number(process.hrtime.bigint() - t0) / 1e6);
      t0 = process.hrtime.bigint();
      await db.query(rawQuery(query), rawParams(query));
      raw.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rows.push({ filter: name, 'p50 ms': ms(percentile(http, 50)), 'p99 ms': ms(percentile(http, 99)), 'page 10 p99 ms': ms(percentile(httpDeep, 99)), 'ceiling: raw SQL p99 ms': ms(percentile(raw, 99)) });
  }
  await db.end();
  printTable(`GET /tasks?limit=50 with ${TASKS} tasks (${QUERIES} sequential requests per filter; target p99 <= 20 ms)`, rows);
}

function rawQuery(query) {
  const where = [];
  let n = 0;
  const leading = ['status', 'problem_id', 'worker_id'].find((key) => query[key]);
  for (const key of ['status', 'problem_id', 'worker_id']) {
    if (!query[key]) continue;
    n++;
    where.push(key === leading ? `${key} >= $${n} AND ${key} <= $${n}` : `${key} = $${n}`); // the api's SQL
  }
  if (query.created_after) where.push(`created_at > $${++n}`);
  if (query.created_before) where.push(`created_at < $${++n}`);
  return `SELECT id, problem_id, status, priority, attempt, max_retries, worker_id, error, metadata, created_at, updated_at, started_at, completed_at FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${leading ? `${leading}, ` : ''}created_at DESC, id DESC LIMIT 51`;
}

function rawParams(query) {
  return [query.status, query.problem_id, query.worker_id, query.created_after, query.created_before].filter((v) => v !== undefined);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

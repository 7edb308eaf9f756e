#!/usr/bin/env node
// Runs benchmarks, each figure beside a ceiling measured in the same run:
//  - POST /runs of 89 problems × 4 agents × 28 repeats (9,968 tasks; goal <= 2 s) vs one bare
//    transaction inserting as many task rows and twice as many outbox rows through unnest;
//  - GET /runs/{id}/results on that run once finished (goal p99 <= 200 ms) vs the bare
//    `SELECT status, count(*) … GROUP BY` over the run's tasks;
//  - GET /runs/{id}/export (goal >= 5,000 tasks/s, flat memory: the api's RSS sampled while it
//    streams) vs the same lines read by one raw SQL query.
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { Client, root, scratch, startService, percentile, ms, printTable } = require('./bench-lib');

const CREATIONS = Number(process.env.BENCH_RUN_CREATIONS ?? 5);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const AGENTS = ['gpt-4o', 'qwen', 'deepseek', 'llama'].map((label) => ({ label, agent_config: { kind: 'registry', name: 'gpt', params: {} } }));
const RUN = { name: 'bench', problem_filter: {}, agents: AGENTS, repeats: 28 };

async function main() {
  const s = await scratch('runs');
  const port = 19000 + Math.floor(Math.random() * 1000);
  const api = await startService('api', { ...s.env, PORT: String(port), HOST: '127.0.0.1' }, /api listening/);
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base);
  const db = new Client({ connectionString: s.databaseUrl });
  await db.connect();
  try {
    const runId = await creationBench(base, db);
    await finishRun(db, runId);
    await resultsBench(base, db, runId, s.databaseUrl);
    await exportBench(base, db, runId, api.child.pid);
  } finally {
    await db.end();
    await api.stop();
    await s.drop();
  }
}

async function waitHealthy(base) {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the api did not become healthy');
}

/** Waits until the relay has published every outbox row, so a measurement does not compete with it. */
async function drainOutbox(base) {
  for (let i = 0; i < 1200; i++) {
    const { outbox_backlog: backlog } = await (await fetch(`${base}/health`)).json();
    if (backlog === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function creationBench(base, db) {
  const times = [];
  let runId = null;
  let taskCount = 0;
  for (let i = 0; i < CREATIONS; i++) {
    await drainOutbox(base);
    const t0 = performance.now();
    const res = await fetch(`${base}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...RUN, name: `bench-${i}` }) });
    const body = await res.json();
    times.push(performance.now() - t0);
    if (res.status !== 201) throw new Error(`POST /runs answered ${res.status}: ${JSON.stringify(body)}`);
    runId ??= body.run_id;
    taskCount = body.task_count;
  }
  await drainOutbox(base);
  const ceiling = [];
  for (let i = 0; i < CREATIONS; i++) ceiling.push(await bareInsert(db, taskCount));
  printTable(`Run creation: POST /runs of ${taskCount} tasks (89 problems × 4 agents × 28 repeats), ${CREATIONS} times (goal <= 2 s)`, [
    { measure: 'POST /runs (validation, grid, run row + tasks + 2 outbox rows each, one transaction)', 'median ms': ms(percentile(times, 50)), 'max ms': ms(Math.max(...times)) },
    { measure: `ceiling: bare BEGIN; INSERT ${taskCount} tasks + ${2 * taskCount} outbox rows via unnest; COMMIT (pg)`, 'median ms': ms(percentile(ceiling, 50)), 'max ms': ms(Math.max(...ceiling)) },
  ]);
  return runId;
}

async function bareInsert(db, n) {
  const ids = Array.from({ length: n }, () => crypto.randomUUID());
  const t0 = performance.now();
  await db.query('BEGIN');
  await db.query(
    `INSERT INTO tasks (id, problem_id, status, agent_config, max_steps, timeout_minutes, max_retries, metadata, parameters)
     SELECT id, 'k8s_target_port-misconfig-detection-1', 'cancelled', '{"kind":"registry","name":"gpt","params":{}}', 30, 30, 2, '{}', '{}' FROM unnest($1::uuid[]) AS i(id)`,
    [ids],
  );
  await db.query(
    `INSERT INTO outbox (message_id, exchange, routing_key, payload, headers, published_at)
     SELECT gen_random_uuid(), 'bench', 'bench', jsonb_build_object('task_id', id, 'attempt', 0), '{}', now() FROM unnest($1::uuid[]) AS i(id), generate_series(1, 2)`,
    [ids],
  );
  await db.query('COMMIT');
  return performance.now() - t0;
}

/** Ends every task of the run as the demo runner's would: mostly solved, some failed or timed out. */
async function finishRun(db, runId) {
  const t0 = Date.now();
  await db.query(
    `UPDATE tasks SET attempt = 1, started_at = created_at + interval '5 seconds', completed_at = created_at + interval '40 seconds',
       status = CASE WHEN abs(hashtext(id::text)) % 20 = 0 THEN 'failed' WHEN abs(hashtext(id::text)) % 20 = 1 THEN 'timed_out' ELSE 'completed' END,
       error = CASE WHEN abs(hashtext(id::text)) % 20 IN (0, 1) THEN '{"kind":"runner_failed","message":"bench"}'::jsonb END,
       result = jsonb_build_object(
         'results', jsonb_build_object('Detection Accuracy', CASE WHEN abs(hashtext(id::text)) % 3 = 0 THEN 'Incorrect' ELSE 'Correct' END,
                                       'Localization Accuracy', 100, 'success', abs(hashtext(id::text)) % 2 = 0, 'steps', 4, 'in_tokens', 1200, 'out_tokens', 96, 'TTD', 1.6),
         'usage', jsonb_build_object('prompt_tokens', 1140, 'completion_tokens', 96, 'total_tokens', 1236, 'steps_with_usage', 4),
         'durations', jsonb_build_object('setup_s', 0.8, 'loop_s', 1.6, 'teardown_s', 0.3, 'run_s', 2.9),
         'trajectory', (SELECT jsonb_agg(jsonb_build_object('n', n, 'action', 'exec_shell("kubectl get pods -n test-social-network")',
                          'observation', repeat('NAME READY STATUS RESTARTS AGE user-service-6c7f9d9d5-7hvzs 0/1 Running 3 2m ', 6),
                          'duration_s', 0.4, 'usage', jsonb_build_object('prompt_tokens', 180 + n * 140, 'completion_tokens', 24), 'ts', now())) FROM generate_series(1, 4) AS n),
         'trajectory_truncated', false, 'session_id', 'demo-' || left(id::text, 8))
     WHERE run_id = $1`,
    [runId],
  );
  await db.query('VACUUM ANALYZE tasks');
  console.log(`\nfinished the ${runId} run's tasks with demo-runner-like results in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function resultsBench(base, db, runId, databaseUrl) {
  const { createSqlDb } = require(path.join(root, 'shared/dist/db/sql.js'));
  const { runAggregates } = require(path.join(root, 'shared/dist/tables/runs-results.js'));
  const sql = createSqlDb(databaseUrl, 1);
  const { problems } = (await db.query('SELECT problems FROM runs WHERE id = $1', [runId])).rows[0];
  const api = [];
  const uncached = [];
  const raw = [];
  let t0 = performance.now();
  await (await fetch(`${base}/runs/${runId}/results`)).arrayBuffer();
  const first = performance.now() - t0;
  for (let i = 0; i < 10; i++) await (await fetch(`${base}/runs/${runId}/results`)).arrayBuffer(); // warm-up
  for (let i = 0; i < QUERIES; i++) {
    t0 = performance.now();
    const res = await fetch(`${base}/runs/${runId}/results`);
    if (res.status !== 200) throw new Error(`results answered ${res.status}`);
    await res.arrayBuffer();
    api.push(performance.now() - t0);
    t0 = performance.now();
    await runAggregates(sql, runId, problems);
    uncached.push(performance.now() - t0);
    t0 = performance.now();
    await db.query('SELECT agent_label, status, count(*) FROM tasks WHERE run_id = $1 GROUP BY agent_label, status', [runId]);
    raw.push(performance.now() - t0);
  }
  await sql.$disconnect();
  printTable(`GET /runs/{id}/results on a finished 9,968-task run (${QUERIES} sequential requests; goal p99 <= 200 ms)`, [
    { measure: 'GET /runs/{id}/results (the aggregates cached under the run\'s counts)', 'p50 ms': ms(percentile(api, 50)), 'p99 ms': ms(percentile(api, 99)) },
    { measure: 'first GET /runs/{id}/results (cache miss)', 'p50 ms': ms(first), 'p99 ms': '' },
    { measure: 'the aggregation statement alone, every time (what each miss costs; pg)', 'p50 ms': ms(percentile(uncached, 50)), 'p99 ms': ms(percentile(uncached, 99)) },
    { measure: 'ceiling: bare SELECT agent_label, status, count(*) … GROUP BY (pg)', 'p50 ms': ms(percentile(raw, 50)), 'p99 ms': ms(percentile(raw, 99)) },
  ]);
}

function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** Streams the export, counting lines and sampling the api's RSS every 50 ms. */
function streamExport(url, pid) {
  return new Promise((resolve, reject) => {
    const samples = [rssMb(pid)];
    const timer = setInterval(() => samples.push(rssMb(pid)), 50);
    const t0 = performance.now();
    let lines = 0;
    let bytes = 0;
    http.get(url, (res) => {
      res.on('data', (chunk) => {
        bytes += chunk.length;
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      });
      res.on('end', () => {
        clearInterval(timer);
        resolve({ lines, bytes, ms: performance.now() - t0, samples });
      });
    }).on('error', reject);
  });
}

async function exportBench(base, db, runId, pid) {
  const rows = [];
  for (let i = 0; i < 3; i++) {
    const r = await streamExport(`${base}/runs/${runId}/export`, pid);
    rows.push({ measure: `GET /runs/{id}/export #${i + 1}`, tasks: r.lines, MB: (r.bytes / 1e6).toFixed(1), 'tasks/s': ((r.lines * 1000) / r.ms).toFixed(0), 'api RSS MB start': r.samples[0].toFixed(0), 'max during': Math.max(...r.samples).toFixed(0), 'end': r.samples[r.samples.length - 1].toFixed(0) });
  }
  const t0 = performance.now();
  const raw = await db.query(`SELECT result::text AS r, agent_config::text AS a, error::text AS e FROM tasks WHERE run_id = $1 AND status IN ('completed', 'failed', 'timed_out', 'cancelled') ORDER BY created_at, id`, [runId]);
  const rawMs = performance.now() - t0;
  rows.push({ measure: 'ceiling: one raw SELECT of the same rows (pg, all in memory)', tasks: raw.rows.length, MB: '', 'tasks/s': ((raw.rows.length * 1000) / rawMs).toFixed(0), 'api RSS MB start': '', 'max during': '', end: '' });
  printTable('Export: NDJSON streamed in keyset batches of 200 (goal >= 5,000 tasks/s, flat memory)', rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

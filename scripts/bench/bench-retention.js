#!/usr/bin/env node
// Retention benchmark: how fast the reaper leader's pruning goes through a large table, and
// what it costs a submission made meanwhile. Seeds a scratch database with finished tasks (each
// with log lines, two history rows, a session and trajectory in its result) in one
// INSERT … SELECT generate_series per table, then times each kind of pruning with the same
// batch statements the worker runs (shared/dist/tables/tasks-retention.js).
//
//   npm run build && node scripts/bench/bench-retention.js [--tasks 50000] [--lines 5] [--batch 500]
//
// Ceiling: one unbatched DELETE of the same log lines. No assertions: it reports.
'use strict';
const crypto = require('node:crypto');
const path = require('node:path');
const { Pool } = require('pg');
const lib = require('./bench-lib');

const dist = (p) => require(path.join(lib.root, p));
const { createSqlDb } = dist('shared/dist/db/sql.js');
const { pruneArtifacts, pruneFinishedTasks, pruneTaskLogs, WALK_START } = dist('shared/dist/tables/tasks-retention.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TASKS = arg('tasks', 50_000);
const LINES = arg('lines', 5);
const BATCH = arg('batch', 500);

async function seed(pool) {
  await pool.query('TRUNCATE tasks, task_logs, status_history, task_callbacks, task_sessions, runs');
  await pool.query(
    `INSERT INTO tasks (id, problem_id, status, agent_config, max_steps, timeout_minutes, max_retries, attempt, result, created_at, updated_at, completed_at)
     SELECT md5('task' || i)::uuid, 'p', 'completed', '{}', 10, 30, 0, 1,
            jsonb_build_object('results', jsonb_build_object('ok', true), 'trajectory', jsonb_build_array(repeat('t', 500)), 'session', jsonb_build_object('n', i)),
            now() - interval '100 days', now() - interval '100 days', now() - interval '100 days' + i * interval '1 millisecond'
     FROM generate_series(1, $1::int) i`,
    [TASKS],
  );
  await pool.query(
    `INSERT INTO task_logs (task_id, seq, attempt, stream, level, message)
     SELECT md5('task' || i)::uuid, n, 1, 'stdout', 'info', repeat('x', 200) FROM generate_series(1, $1::int) i, generate_series(1, $2::int) n`,
    [TASKS, LINES],
  );
  await pool.query(
    `INSERT INTO status_history (event_id, task_id, from_status, to_status, attempt, occurred_at)
     SELECT md5('e' || i || '-' || n)::uuid, md5('task' || i)::uuid, NULL, 'pending', 0, now() FROM generate_series(1, $1::int) i, generate_series(1, 2) n`,
    [TASKS],
  );
  await pool.query('VACUUM ANALYZE tasks, task_logs, status_history');
}

/** Batches of one kind until none is left; meanwhile one task is submitted at a time. */
async function timed(pool, batch) {
  const latencies = [];
  let done = false;
  const submitter = (async () => {
    while (!done) {
      const t0 = process.hrtime.bigint();
      await pool.query(`INSERT INTO tasks (id, problem_id, status, agent_config, max_steps, timeout_minutes, max_retries) VALUES ($1, 'bench-new', 'pending', '{}', 10, 30, 0)`, [crypto.randomUUID()]);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  })();
  const started = process.hrtime.bigint();
  let rows = 0;
  let tasks = 0;
  let batches = 0;
  for (;;) {
    const result = await batch();
    rows += result.rows;
    tasks += result.tasks;
    batches += 1;
    if (result.tasks < BATCH) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  done = true;
  await submitter;
  return { rows, tasks, batches, seconds, latencies };
}

async function main() {
  const scratch = await lib.scratch('retention');
  const pool = new Pool({ connectionString: scratch.databaseUrl, max: 4 });
  const db = createSqlDb(scratch.databaseUrl, 2);
  const cutoff = () => new Date(Date.now() - 30 * 86_400_000);
  const rows = [];
  const report = (measure, r, unit) =>
    rows.push({ measure, [unit]: r.rows, batches: r.batches, seconds: r.seconds.toFixed(2), [`${unit}/s`]: Math.round(r.rows / r.seconds), 'tasks/s': Math.round(r.tasks / r.seconds), 'concurrent INSERT p50 ms': lib.ms(lib.percentile(r.latencies, 50)), 'p99 ms': lib.ms(lib.percentile(r.latencies, 99)) });
  try {
    console.log(`seeding ${TASKS} finished tasks with ${LINES} log lines each …`);
    await seed(pool);
    let cursor = WALK_START;
    const logs = await timed(pool, async () => {
      const r = await pruneTaskLogs(db, cutoff(), BATCH, cursor);
      if (r.last) cursor = r.last;
      return r;
    });
    cursor = WALK_START;
    const artifacts = await timed(pool, async () => {
      const r = await pruneArtifacts(db, cutoff(), BATCH, cursor);
      if (r.last) cursor = r.last;
      return r;
    });
    await seed(pool);
    const tasks = await timed(pool, () => pruneFinishedTasks(db, cutoff(), BATCH));
    await seed(pool);
    const ceilingStarted = process.hrtime.bigint();
    const deleted = (await pool.query('DELETE FROM task_logs')).rowCount;
    const ceilingSeconds = Number(process.hrtime.bigint() - ceilingStarted) / 1e9;
    const idle = await lib.loadFor(3, 1, () => pool.query(`INSERT INTO tasks (id, problem_id, status, agent_config, max_steps, timeout_minutes, max_retries) VALUES ($1, 'idle', 'pending', '{}', 10, 30, 0)`, [crypto.randomUUID()]));

    report(`log lines (RETENTION_LOG_DAYS), batch ${BATCH}`, logs, 'rows');
    report(`artifacts (RETENTION_ARTIFACT_DAYS), batch ${BATCH}`, artifacts, 'rows');
    report(`finished tasks + history + logs (RETENTION_TASK_DAYS), batch ${BATCH}`, tasks, 'rows');
    rows.push({ measure: 'ceiling: one unbatched DELETE of every log line', rows: deleted, batches: 1, seconds: ceilingSeconds.toFixed(2), 'rows/s': Math.round(deleted / ceilingSeconds), 'tasks/s': Math.round(TASKS / ceilingSeconds), 'concurrent INSERT p50 ms': lib.ms(lib.percentile(idle.latencies, 50)), 'p99 ms': `${lib.ms(lib.percentile(idle.latencies, 99))} (INSERT with no pruning)` });
    lib.printTable(`Retention: ${TASKS} finished tasks, ${LINES} log lines each`, rows.map((r) => ({ ...r, rows: r.rows ?? r.rows })));
  } finally {
    await db.$disconnect();
    await pool.end();
    await scratch.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

#!/usr/bin/env node
// npm run bench:fair [-- --backlog 30000 --workers 20 --small 10 --wait-limit 150 --modes window,fifo]
// Fair sharing between runs (issue 21), with the dispatch window (the defaults) and, as the peer
// in the same run, FIFO: DISPATCH_WINDOW_MIN above the backlog puts every task in the broker at
// once, as the service did before the window. For each: a run of --backlog tasks keeps
// --workers virtual workers (fleet-host.js, the real worker code, a no-op runner) busy; a
// --small-task run is submitted behind it; then the big run is cancelled.
// Prints: the small run's time to first claim and to its last task done; the dispatch queue's
// depth (AMQP queue.declare passive: exact, not the management API's 5 s statistics) right after
// the cancel, and how long the stale messages took to drain. docs/benchmarks.md.
const { spawn } = require('node:child_process');
const path = require('node:path');
const amqp = require('amqplib');
const { AMQP_URL, Client, scratch, startService, stopChild, ms, printTable } = require('./bench-lib');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const BACKLOG = Number(arg('backlog', '30000'));
const WORKERS = Number(arg('workers', '20'));
const SMALL = Number(arg('small', '10'));
const WAIT_LIMIT_S = Number(arg('wait-limit', '150'));
const MODES = arg('modes', 'window,fifo').split(',');
const AGENTS = ['a', 'b', 'c', 'd'].map((label) => ({ label, agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } }));
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

async function api(base, method, pathname, body) {
  const res = await fetch(`${base}${pathname}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${pathname} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

function startFleet(env) {
  const child = spawn(process.execPath, [path.join(__dirname, 'fleet-host.js')], { env: { ...process.env, ...env, FLEET_FIRST: '0', WORKER_COUNT: String(WORKERS) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output = (output + chunk).slice(-5000);
      if (output.includes('fleet ready')) resolve(() => stopChild(child));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`fleet host exited with ${code}:\n${output}`)));
  });
}

/** Polls `query` (one row) every 50 ms until `done(row)` or the limit; returns the last row and whether it got there. */
async function pollUntil(db, query, params, done, limitS) {
  const deadline = Date.now() + limitS * 1000;
  for (;;) {
    const { rows } = await db.query(query, params);
    if (done(rows[0])) return { row: rows[0], reached: true };
    if (Date.now() > deadline) return { row: rows[0], reached: false };
    await sleep(0.05);
  }
}

async function runMode(mode) {
  const s = await scratch(`fair_${mode}`);
  const window = mode === 'fifo' ? { DISPATCH_WINDOW_MIN: String(Math.min(100_000, 2 * BACKLOG)) } : {};
  const env = { ...s.env, LOG_LEVEL: 'warn', ...window };
  const port = 19_500 + Math.floor(Math.random() * 400);
  const base = `http://127.0.0.1:${port}`;
  const stops = [];
  const db = new Client({ connectionString: s.databaseUrl });
  await db.connect();
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  const depth = async () => (await channel.checkQueue(`${s.queuePrefix}tasks.dispatch`)).messageCount;
  try {
    const apiService = await startService('api', { ...env, LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1' }, /api listening/);
    stops.push(apiService.stop);
    stops.push(await startFleet(env));
    const problems = (await api(base, 'GET', '/problems')).problems ?? [];
    const repeats = Math.ceil(BACKLOG / (problems.length * AGENTS.length));
    const big = await api(base, 'POST', '/runs', { name: 'big', problem_filter: {}, agents: AGENTS, repeats, confirm: true, max_retries: 0 });
    // The fleet is busy with the big run before the small one comes.
    await pollUntil(db, "SELECT count(*)::int AS n FROM tasks WHERE run_id = $1 AND status = 'completed'", [big.run_id], (r) => r.n >= 5 * WORKERS, 120);
    // Throughput over 10 s of the big run alone, and the dispatch queue's ready messages meanwhile
    // (0 would mean workers waiting for a dispatch).
    const doneOf = async () => (await db.query("SELECT count(*)::int AS n, now() AS at FROM tasks WHERE run_id = $1 AND status = 'completed'", [big.run_id])).rows[0];
    const t0 = await doneOf();
    const readySamples = [];
    for (let i = 0; i < 50; i++) {
      readySamples.push(await depth());
      await sleep(0.2);
    }
    const t1 = await doneOf();
    const throughput = (t1.n - t0.n) / ((t1.at - t0.at) / 1000);
    const ahead = await depth();
    const small = await api(base, 'POST', '/runs', { name: 'small', problem_ids: problems.slice(0, SMALL).map((p) => p.id), agents: AGENTS.slice(0, 1), repeats: 1, max_retries: 0 });
    const firstQuery = `SELECT extract(epoch FROM min(t.started_at) - r.created_at) * 1000 AS first_ms, extract(epoch FROM max(t.completed_at) - r.created_at) * 1000 AS last_ms,
      count(*) FILTER (WHERE t.status = 'completed')::int AS done FROM runs r JOIN tasks t ON t.run_id = r.id WHERE r.id = $1 GROUP BY r.created_at`;
    const first = await pollUntil(db, firstQuery, [small.run_id], (r) => r?.first_ms !== null && r?.first_ms !== undefined, WAIT_LIMIT_S);
    const all = first.reached ? await pollUntil(db, firstQuery, [small.run_id], (r) => r.done === SMALL, WAIT_LIMIT_S) : first;

    const beforeCancel = await depth();
    const cancelAt = Date.now();
    const cancelled = await api(base, 'DELETE', `/runs/${big.run_id}`).then(() => true, (error) => (/ 409: /.test(error.message) ? false : Promise.reject(error)));
    const cancelMs = cancelled ? Date.now() - cancelAt : null;
    const afterCancel = await depth();
    let drainedS = null;
    for (let i = 0; i < WAIT_LIMIT_S * 4; i++) {
      if ((await depth()) === 0) {
        drainedS = (Date.now() - cancelAt) / 1000;
        break;
      }
      await sleep(0.25);
    }
    return {
      mode,
      tasks: big.task_count,
      ahead,
      throughput,
      readyMin: Math.min(...readySamples),
      readyMean: readySamples.reduce((a, b) => a + b, 0) / readySamples.length,
      first: first.reached ? Number(first.row.first_ms) : null,
      last: all.reached ? Number(all.row.last_ms) : null,
      smallDone: all.row?.done ?? 0,
      beforeCancel,
      afterCancel,
      cancelMs,
      drainedS,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await channel.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await db.end();
    if (!process.env.BENCH_KEEP_DB) await s.drop();
  }
}

async function main() {
  console.error(`fair-share bench: a ${BACKLOG}-task run on ${WORKERS} workers, then a ${SMALL}-task run, then the big run cancelled; window (defaults) vs FIFO`);
  const results = [];
  for (const mode of MODES) {
    results.push(await runMode(mode));
    console.error(`${mode}: ${JSON.stringify(results[results.length - 1])}`);
  }
  printTable(`Fair sharing: a ${SMALL}-task run behind a ${results[0].tasks}-task run, ${WORKERS} workers (no-op runner)`, results.map((r) => ({
    dispatch: r.mode === 'fifo' ? 'FIFO (every task in the broker; the peer)' : 'window (DISPATCH_WINDOW_* defaults)',
    'dispatch queue when the small run came': r.ahead,
    'small run: first claim': r.first === null ? `not within ${WAIT_LIMIT_S} s (~${((r.ahead / r.throughput) || 0).toFixed(0)} s at ${r.throughput.toFixed(0)} tasks/s)` : `${ms(r.first)} ms`,
    'small run: all done': r.last === null ? `${r.smallDone}/${SMALL} in ${WAIT_LIMIT_S} s` : `${ms(r.last)} ms`,
    'big run alone: tasks/s (10 s)': r.throughput.toFixed(0),
    'ready in the queue meanwhile: min / mean': `${r.readyMin} / ${r.readyMean.toFixed(0)}`,
    'queue before / right after cancel': `${r.beforeCancel} / ${r.afterCancel}`,
    'DELETE /runs ms': r.cancelMs ?? 'the big run had finished',
    'stale messages drained in': r.drainedS === null ? `> ${WAIT_LIMIT_S} s` : `${r.drainedS.toFixed(1)} s`,
  })));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

#!/usr/bin/env node
// npm run bench:fleet [-- --workers 100,500,1000 --per-process 25 --rate 100 --idle-seconds 60
//                        --load-seconds 60 --warmup-seconds 20 --direct]
// N virtual workers (scripts/bench/fleet-host.js: the real worker code, many per process, a
// no-op runner), the api and the history service, all through PgBouncer in transaction mode
// (127.0.0.1:6432, DATABASE_PREPARED_STATEMENTS=false; --direct: straight to PostgreSQL, with them
// on; --prepared true|false overrides).
// For each N, idle and at --rate tasks/s: PostgreSQL server sessions, transactions/s, CPU;
// RabbitMQ connections, channels, memory; claim p99 (created_at → started_at). docs/benchmarks.md.
// The peer, in the same run after each N (BENCH_PEER=0 leaves it out): BullMQ on a Redis of its own
// (bullmq-peer.js), N workers of concurrency 1, as many per process, each job spawning the same no-op
// child through /bin/sh, jobs added one by one at --rate for --load-seconds: its add → start
// latency and CPU by process, on the same cores.
// BENCH_AMQP_URL / BENCH_MANAGEMENT_URL choose the broker (N=1,000 needs one whose `ulimit -n` is
// well above N, e.g. node a of scripts/rabbitmq-cluster.sh: amqp://guest:guest@127.0.0.1:5701 and
// http://127.0.0.1:15701).
const { spawn } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { requirePeerPrerequisites, peerClaimLatency } = require('./bullmq-peer');
const { FLEET_NOOP_RUNNER, CPU_WORKERS, CPU_RUNNERS, MANAGEMENT_URL: MGMT, scratch, startService, stopChild, cpuSnapshot, cpuSecondsSince, percentile, ms, postJson, printTable } = require('./bench-lib');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SIZES = arg('workers', '50').split(',').map(Number);
const PER_PROCESS = Number(arg('per-process', '25'));
const RATE = Number(arg('rate', '100'));
const IDLE_S = Number(arg('idle-seconds', '30'));
const LOAD_S = Number(arg('load-seconds', '30'));
const WARMUP_S = Number(arg('warmup-seconds', '20'));
const DIRECT = process.argv.includes('--direct');
/** Prepared statements: on by default direct, off through PgBouncer 1.18; --prepared=false|true overrides (to measure their cost). */
const PREPARED = arg('prepared', DIRECT ? 'true' : 'false');
const BOUNCER_PORT = process.env.PGBOUNCER_PORT ?? '6432';
const AUTH = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` };
const WITH_PEER = process.env.BENCH_PEER !== '0';
const GOALS = { sessions: 50, idleTxPerWorker: 0.1, claimP99Ms: 50 };
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

async function mgmt(pathname) {
  const res = await fetch(`${MGMT}${pathname}`, { headers: AUTH });
  return res.json();
}

/** Broker figures for this run's connections (named "worker fleet-…", "api@…", history). */
async function broker(baseline) {
  const [connections, channels, nodes] = await Promise.all([mgmt('/api/connections?columns=name'), mgmt('/api/channels?columns=name'), mgmt('/api/nodes?columns=mem_used')]);
  return { connections: connections.length - baseline.connections, channels: channels.length - baseline.channels, memMb: nodes.reduce((s, n) => s + n.mem_used, 0) / 2 ** 20 };
}

/** Samples server sessions on the scratch database every second; the monitor itself sits in the postgres database. */
function sessionSampler(monitor, dbName) {
  const samples = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const { rows } = await monitor.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'", [dbName]);
      samples.push(rows[0].n);
      await sleep(1);
    }
  })();
  return { stop: async () => ((on = false), await loop, samples) };
}

async function xacts(monitor, dbName) {
  const { rows } = await monitor.query('SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = $1', [dbName]);
  return Number(rows[0].n);
}

/** Where the machine's CPU goes during a window (the profile that says which part is the bottleneck). */
const CPU_GROUPS = (dbName) => ({
  pg: (pid, cmd) => cmd.startsWith('postgres: ') && cmd.includes(` ${dbName} `),
  rabbitmq: (pid, cmd) => cmd.includes('beam.smp'),
  pgbouncer: (pid, cmd) => cmd.startsWith('pgbouncer') || cmd.includes('/pgbouncer '),
  api: (pid, cmd) => cmd.includes('services/api/dist/main.js'),
  history: (pid, cmd) => cmd.includes('services/history/dist/main.js'),
  workers: (pid, cmd) => cmd.includes('fleet-host.js'),
  'load generator': (pid) => pid === process.pid,
});

/** One measured window: sessions (max), transactions/s, PostgreSQL CPU of this database's backends, broker. */
async function measure(monitor, dbName, seconds, baseline, during = async () => undefined) {
  const sampler = sessionSampler(monitor, dbName);
  const x0 = await xacts(monitor, dbName);
  const cpu0 = cpuSnapshot();
  const t0 = Date.now();
  const [extra] = await Promise.all([during(), sleep(seconds)]);
  await sleep(1.5); // pg_stat_database is flushed about once a second
  const elapsed = (Date.now() - t0) / 1000;
  const tx = (await xacts(monitor, dbName)) - x0;
  const cpu = cpuSecondsSince(cpu0, CPU_GROUPS(dbName));
  const samples = await sampler.stop();
  const cpuPct = Object.fromEntries(Object.entries(cpu).map(([name, s]) => [name, (s / elapsed) * 100]));
  return { sessionsMax: Math.max(...samples), txPerS: tx / elapsed, pgCpuPct: cpuPct.pg, cpuPct, broker: await broker(baseline), extra };
}

/** POSTs `RATE` tasks a second for `seconds`; returns their ids. */
async function submitLoad(api, seconds) {
  const ids = [];
  const body = { problem_id: 'k8s_target_port-misconfig-detection-1', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] }, max_steps: 5, timeout_minutes: 10 };
  const start = Date.now();
  const pending = [];
  for (let i = 0; i < seconds * RATE; i++) {
    const due = start + (i * 1000) / RATE;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    pending.push(postJson(api, '/tasks', body).then((r) => r.status === 201 && ids.push(JSON.parse(r.text).task_id), () => undefined));
  }
  await Promise.all(pending);
  return ids;
}

function startHost(env, first, count) {
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, path.join(__dirname, 'fleet-host.js')], { env: { ...process.env, ...env, FLEET_FIRST: String(first), WORKER_COUNT: String(count) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output = (output + chunk).slice(-5000);
      if (output.includes('fleet ready')) resolve({ child, stop: () => stopChild(child) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`fleet host exited with ${code}:\n${output}`)));
  });
}

async function runSize(n) {
  const s = await scratch(`fleet${n}`);
  const dbName = new URL(s.databaseUrl).pathname.slice(1);
  const url = new URL(s.databaseUrl);
  if (!DIRECT) url.port = BOUNCER_PORT;
  const env = { ...s.env, DATABASE_URL: url.toString(), DATABASE_PREPARED_STATEMENTS: PREPARED, LOG_LEVEL: 'warn' };
  const monitor = new Client({ connectionString: s.databaseUrl.replace(`/${dbName}`, '/postgres') });
  monitor.on('error', (error) => console.error(`monitor connection: ${error.message}`));
  await monitor.connect();
  const baseline = await mgmt('/api/connections?columns=name').then(async (c) => ({ connections: c.length, channels: (await mgmt('/api/channels?columns=name')).length }));
  const stops = [];
  try {
    const apiPort = 18_100 + (n % 800);
    const api = await startService('api', { ...env, LOG_LEVEL: 'info', PORT: String(apiPort), HOST: '127.0.0.1', DB_POOL_SIZE: '10' });
    stops.push(api.stop);
    const history = await startService('history', { ...env, LOG_LEVEL: 'info', HEALTH_PORT: '0', HEALTH_HOST: '127.0.0.1' });
    stops.push(history.stop);
    // The api's and history's own idle load (the api's outbox relay polls every second), before any worker.
    await sleep(5);
    const base = await measure(monitor, dbName, Math.min(IDLE_S, 20), baseline);
    const t0 = Date.now();
    for (let first = 0; first < n; first += PER_PROCESS) {
      const host = await startHost(env, first, Math.min(PER_PROCESS, n - first));
      stops.push(host.stop);
    }
    console.error(`N=${n}: ${n} workers consuming after ${((Date.now() - t0) / 1000).toFixed(0)} s; warming up ${WARMUP_S} s`);
    await sleep(WARMUP_S);
    const idle = await measure(monitor, dbName, IDLE_S, baseline);
    console.error(`N=${n}: idle measured; loading at ${RATE} tasks/s`);
    const apiBase = `http://127.0.0.1:${apiPort}`;
    const load = await measure(monitor, dbName, LOAD_S, baseline, () => submitLoad(apiBase, LOAD_S));
    const ids = load.extra;
    await sleep(5);
    const { rows } = await monitor.query(`SELECT 1`); // keep the monitor alive
    void rows;
    const tasks = new Client({ connectionString: s.databaseUrl });
    await tasks.connect();
    const claims = await tasks.query(
      'SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms, extract(epoch FROM dispatched_at - created_at) * 1000 AS to_dispatch_ms, extract(epoch FROM started_at - dispatched_at) * 1000 AS in_queue_ms, status, attempt FROM tasks WHERE id = ANY($1::uuid[])',
      [ids],
    );
    await tasks.end();
    const claimMs = claims.rows.filter((r) => r.ms !== null).map((r) => Number(r.ms));
    // Where a claim's wait goes: waiting for a dispatch pass (the window), then in the broker's queue.
    const part = (key) => claims.rows.filter((r) => r[key] !== null).map((r) => Number(r[key]));
    const [toDispatch, inQueue] = [part('to_dispatch_ms'), part('in_queue_ms')];
    console.error(`N=${n}: created → dispatched p50 ${ms(percentile(toDispatch, 50))} p99 ${ms(percentile(toDispatch, 99))} ms; dispatched → claimed p50 ${ms(percentile(inQueue, 50))} p99 ${ms(percentile(inQueue, 99))} ms`);
    const completed = claims.rows.filter((r) => r.status === 'completed').length;
    const byStatus = {};
    for (const r of claims.rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const byAttempts = {};
    for (const r of claims.rows) byAttempts[r.attempt] = (byAttempts[r.attempt] ?? 0) + 1;
    console.error(`N=${n}: tasks by status ${JSON.stringify(byStatus)}, by attempts ${JSON.stringify(byAttempts)} (a task claimed twice would show attempt 2)`);
    if (process.env.BENCH_KEEP_DB) console.error(`N=${n}: database ${s.databaseUrl}`);
    return { n, base, idle, load, claimP50: percentile(claimMs, 50), claimP99: percentile(claimMs, 99), submitted: ids.length, completed };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await monitor.end();
    if (!process.env.BENCH_KEEP_DB) await s.drop();
  }
}

/** Idle transactions a second per worker, above what the api and history commit with no worker at all. */
const perWorker = (r) => Math.max(0, r.idle.txPerS - r.base.txPerS) / r.n;

async function main() {
  if (WITH_PEER) requirePeerPrerequisites(); // before the runs, not after them
  console.error(`fleet bench: N=${SIZES.join(',')}, ${PER_PROCESS} workers per process, ${DIRECT ? 'direct to PostgreSQL' : `through PgBouncer :${BOUNCER_PORT}`}, DATABASE_PREPARED_STATEMENTS=${PREPARED}, idle ${IDLE_S} s, load ${RATE} tasks/s for ${LOAD_S} s`);
  const results = [];
  for (const n of SIZES) {
    try {
      const ours = await runSize(n);
      // The peer runs after ours has stopped, so neither shares the cores with the other.
      if (WITH_PEER) ours.peer = await peerClaimLatency(n, RATE, LOAD_S, FLEET_NOOP_RUNNER.replace('>&3', '>/dev/null'), 0, 0, PER_PROCESS);
      results.push(ours);
    } catch (error) {
      console.error(`N=${n} failed: ${error.message.slice(0, 500)}`);
    }
  }
  if (results.length === 0) throw new Error('no size completed');
  const rows = results.map((r) => ({
    N: r.n,
    'PG sessions idle / load (max)': `${r.idle.sessionsMax} / ${r.load.sessionsMax}`,
    'tx/s idle: all / api+history / per worker': `${r.idle.txPerS.toFixed(1)} / ${r.base.txPerS.toFixed(1)} / ${perWorker(r).toFixed(3)}`,
    'tx/s load': r.load.txPerS.toFixed(0),
    'PG CPU % idle / load': `${r.idle.pgCpuPct.toFixed(1)} / ${r.load.pgCpuPct.toFixed(0)}`,
    'AMQP conns / channels': `${r.load.broker.connections} / ${r.load.broker.channels}`,
    'RabbitMQ MiB': r.load.broker.memMb.toFixed(0),
    'claim p50 / p99 ms': `${ms(r.claimP50)} / ${ms(r.claimP99)}`,
    'done / sent': `${r.completed} / ${r.submitted}`,
  }));
  printTable(`Fleet (${DIRECT ? 'direct' : 'through PgBouncer, transaction mode'}, prepared statements ${PREPARED === 'true' ? 'on' : 'off'})`, rows);
  // % of one core each, under load; the machine has os.cpus().length of them.
  printTable(`CPU under load, % of one core (${os.cpus().length} cores)`, results.map((r) => ({ N: r.n, ...Object.fromEntries(Object.entries(r.load.cpuPct).map(([k, v]) => [k, v.toFixed(0)])), total: Object.values(r.load.cpuPct).reduce((a, b) => a + b, 0).toFixed(0) })));
  const peers = results.filter((r) => r.peer);
  if (peers.length > 0) {
    // % of one core each from the first add to the last completion; the runners' /bin/sh are left out of the total, as in ours.
    const pct = (r, name) => (r.peer.cpu[name] / r.peer.elapsedS) * 100;
    printTable(
      `The peer, same run: BullMQ, N workers of concurrency 1 (${PER_PROCESS} per process), jobs added one by one at ${RATE}/s for ${LOAD_S} s`,
      peers.map((r) => ({
        N: r.n,
        'add → start p50 / p99 ms (ours: claim)': `${ms(r.peer.p50)} / ${ms(r.peer.p99)} (${ms(r.claimP50)} / ${ms(r.claimP99)})`,
        'jobs done': r.peer.jobs,
        'CPU %: redis': pct(r, 'redis').toFixed(0),
        workers: pct(r, CPU_WORKERS).toFixed(0),
        'load generator': pct(r, 'load generator').toFixed(0),
        total: (pct(r, 'redis') + pct(r, CPU_WORKERS) + pct(r, 'load generator')).toFixed(0),
        '(runners)': pct(r, CPU_RUNNERS).toFixed(0),
      })),
    );
  }
  const last = results[results.length - 1];
  console.log(`\nGoals at N=1000, shown for N=${last.n}: PostgreSQL sessions ≤ ${GOALS.sessions} (${Math.max(last.idle.sessionsMax, last.load.sessionsMax)}); idle tx/s per worker ≤ ${GOALS.idleTxPerWorker} (${perWorker(last).toFixed(3)}; ${(last.idle.txPerS / last.n).toFixed(3)} with the api's and history's share); claim p99 ≤ ${GOALS.claimP99Ms} ms at ${RATE} tasks/s (${ms(last.claimP99)})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

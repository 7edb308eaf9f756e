#!/usr/bin/env node
// End-to-end benchmarks with api, history and K workers as real processes and a no-op runner:
//   1. throughput: N no-op tasks (batches of 100) over K workers, completed tasks per second;
//   2. latency: tasks posted one by one at a steady rate, time from the 201 answer to the claim;
//   3. the resident memory of an idle worker.
// Ceilings measured in the same run: spawning the no-op runner back to back (what one worker
// could do with zero overhead), a RabbitMQ publish→consume round trip, and the peer: BullMQ on
// Redis (AOF fsynced every second) with the same number of worker processes spawning the same
// no-op child (bullmq-peer.js). BENCH_PEER=0 leaves the peer out; BENCH_THROUGHPUT_ONLY=1 stops
// after the throughput tables.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const amqp = require('amqplib');
const { AMQP_URL, Client, scratch, startService, percentile, ms, printTable, postJson, cpuSnapshot, cpuSecondsSince, CPU_WORKERS, CPU_RUNNERS } = require('./bench-lib');
const { requirePeerPrerequisites, peerClaimLatency, peerThroughput } = require('./bullmq-peer');

const TASKS = Number(process.env.BENCH_PIPELINE_TASKS ?? 2000);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,4').split(',').map(Number);
const RATES = (process.env.BENCH_CLAIM_RATES ?? '20,100').split(',').map(Number);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
// Every system (ours and the peer) first runs this many no-op tasks per worker, unmeasured: a
// fresh worker runs much of its per-task code in V8's lower tiers for its first ~1,000 tasks
// (BENCH_WARMUP_TASKS_PER_WORKER=0 measures from a cold start).
const WARMUP_TASKS_PER_WORKER = Number(process.env.BENCH_WARMUP_TASKS_PER_WORKER ?? 1000);
const NOOP_RUNNER = `printf '{"type":"result","results":{"success":true},"framework_overhead":0,"session":null}\\n' >&3`;
const PEER_CHILD = NOOP_RUNNER.replace('>&3', '>/dev/null');
const WITH_PEER = process.env.BENCH_PEER !== '0';
const BODY = JSON.stringify({ problem_id: 'container_kill-detection', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } });

const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });

async function system(label, workers) {
  const s = await scratch(label);
  const services = [];
  const apiPort = await freePort();
  services.push(await startService('api', { ...s.env, PORT: String(apiPort), HOST: '127.0.0.1' }, /api listening/));
  services.push(await startService('history', { ...s.env, HEALTH_PORT: String(await freePort()), HEALTH_HOST: '127.0.0.1' }, /consuming|listening|started/));
  for (let i = 0; i < workers; i++) {
    services.push(await startService('worker', { ...s.env, WORKER_ID: `bench-w${i}`, CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: NOOP_RUNNER, REFRESH_PROBLEMS_AT_START: 'false', RUNNER_PREFLIGHT: 'false', HEALTH_PORT: String(await freePort()), HEALTH_HOST: '127.0.0.1', WORK_DIR: `/tmp/bench-work-${label}-${i}` }, /worker started/));
  }
  const db = new Client({ connectionString: s.databaseUrl });
  await db.connect();
  return {
    api: `http://127.0.0.1:${apiPort}`,
    db,
    apiPid: services[0].child.pid,
    historyPid: services[1].child.pid,
    workerPids: services.slice(2).map((w) => w.child.pid),
    async waitDone(count, timeoutMs = 600_000) {
      const started = Date.now();
      for (;;) {
        const { rows } = await db.query("SELECT count(*)::int AS done FROM tasks WHERE status IN ('completed','failed','timed_out','cancelled')");
        if (rows[0].done >= count) return;
        if (Date.now() - started > timeoutMs) throw new Error(`only ${rows[0].done} of ${count} tasks finished`);
        // Polled slowly: each poll is a count over the tasks table, work the peer's run does not
        // have; the throughput's end is read from completed_at, not from when a poll saw it.
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await db.end();
      for (const service of services.reverse()) await service.stop();
      await s.drop();
    },
  };
}

/** CPU seconds by group → ms per task, with the total. */
function msPerTask(cpu, tasks) {
  const perTask = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, (1000 * v) / tasks]));
  perTask.total = Object.values(perTask).reduce((a, b) => a + b, 0);
  return perTask;
}

async function submitBatches(sys, count) {
  for (let i = 0; i < count; i += 100) {
    const tasks = Array.from({ length: Math.min(100, count - i) }, () => JSON.parse(BODY));
    const res = await postJson(sys.api, '/tasks/batch', { tasks });
    if (res.status !== 201) throw new Error(`batch answered ${res.status}`);
  }
}

async function warmUp(sys, workers) {
  const count = WARMUP_TASKS_PER_WORKER * workers;
  await submitBatches(sys, count);
  await sys.waitDone(count);
  return count;
}

async function throughput(workers) {
  const sys = await system(`thr${workers}`, workers);
  try {
    const warm = await warmUp(sys, workers);
    const started = Date.now();
    const cpuBefore = cpuSnapshot();
    await submitBatches(sys, TASKS);
    await sys.waitDone(warm + TASKS);
    const { rows: last } = await sys.db.query('SELECT max(completed_at) AS at FROM tasks');
    const seconds = (last[0].at.getTime() - started) / 1000;
    const workerPids = new Set(sys.workerPids);
    const cpu = cpuSecondsSince(
      cpuBefore,
      {
        [CPU_WORKERS]: (pid) => workerPids.has(pid),
        api: (pid) => pid === sys.apiPid,
        history: (pid) => pid === sys.historyPid,
        postgres: (_, command) => command.startsWith('postgres'),
        rabbitmq: (_, command) => command.includes('beam.smp'),
      },
      { [CPU_RUNNERS]: (pid) => workerPids.has(pid) },
    );
    const { rows } = await sys.db.query("SELECT count(*) FILTER (WHERE status = 'completed')::int - $1 AS completed FROM tasks", [warm]);
    return { workers, rate: TASKS / seconds, seconds, completed: rows[0].completed, cpuMsPerTask: msPerTask(cpu, TASKS) };
  } finally {
    await sys.stop();
  }
}

async function claimLatency(workers, rate) {
  const sys = await system(`lat${rate}`, workers);
  try {
    const warm = await warmUp(sys, workers);
    const answered = new Map();
    const warmIds = new Set();
    const inFlight = [];
    const start = performance.now();
    // The first WARMUP_SECONDS of posts warm connections and JIT, and are left out of the figures.
    const warmup = Math.floor(rate * WARMUP_SECONDS);
    const total = warmup + Math.floor(rate * LATENCY_SECONDS);
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(
        postJson(sys.api, '/tasks', BODY).then((res) => {
          const at = Date.now();
          if (res.status !== 201) throw new Error(`submission answered ${res.status}: ${res.text}`);
          const id = JSON.parse(res.text).task_id;
          answered.set(id, at);
          if (i < warmup) warmIds.add(id);
        }),
      );
    }
    await Promise.all(inFlight);
    await sys.waitDone(warm + total);
    const { rows } = await sys.db.query('SELECT id::text, started_at FROM tasks WHERE id = ANY($1::uuid[])', [[...answered.keys()]]);
    const latencies = rows.filter((r) => !warmIds.has(r.id)).map((r) => r.started_at.getTime() - answered.get(r.id));
    const idleRss = sys.workerPids.map((pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
    return { rate, workers, p50: percentile(latencies, 50), p99: percentile(latencies, 99), idleRss: Math.max(...idleRss) };
  } finally {
    await sys.stop();
  }
}

function spawnCeiling(n = 200) {
  const started = Date.now();
  for (let i = 0; i < n; i++) spawnSync('/bin/sh', ['-c', NOOP_RUNNER.replace('>&3', '>/dev/null')]);
  return n / ((Date.now() - started) / 1000);
}

async function rabbitRoundTrip(n = 500) {
  const connection = await amqp.connect(AMQP_URL, { noDelay: true });
  const channel = await connection.createConfirmChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true });
  const latencies = [];
  let resolveNext;
  await channel.consume(queue, (message) => {
    latencies.push(performance.now() - Number(message.content.toString()));
    channel.ack(message);
    resolveNext();
  });
  for (let i = 0; i < n; i++) {
    const got = new Promise((r) => (resolveNext = r));
    channel.publish('', queue, Buffer.from(String(performance.now())), { persistent: true });
    await got;
  }
  await connection.close();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function main() {
  if (WITH_PEER) requirePeerPrerequisites(); // before the runs, not after them
  const rows = [];
  const cpuRows = [];
  for (const workers of WORKER_COUNTS) {
    const r = await throughput(workers);
    cpuRows.push({ system: 'ours', workers, ...r.cpuMsPerTask });
    const row = { workers, tasks: TASKS, completed: r.completed, 'no-op tasks/s': r.rate.toFixed(1), seconds: r.seconds.toFixed(1) };
    if (WITH_PEER) {
      const peer = await peerThroughput(workers, TASKS, PEER_CHILD, WARMUP_TASKS_PER_WORKER * workers);
      row['peer (BullMQ) jobs/s'] = peer.rate.toFixed(1);
      row['ours / peer'] = (r.rate / peer.rate).toFixed(2);
      cpuRows.push({ system: 'peer (BullMQ)', workers, ...msPerTask(peer.cpu, TASKS) });
    }
    rows.push(row);
  }
  const spawn = spawnCeiling();
  rows.push({ workers: 'ceiling', tasks: '', completed: '', 'no-op tasks/s': `${spawn.toFixed(0)} runner spawns/s (one worker)`, seconds: '', 'peer (BullMQ) jobs/s': '', 'ours / peer': '' });
  printTable(`Throughput: ${TASKS} no-op tasks submitted in batches of 100, after ${WARMUP_TASKS_PER_WORKER} unmeasured tasks per worker (the peer's too)`, rows);
  // Postgres, rabbitmq and redis count every client's work on this machine; the bench process's own (posting, polling) is not counted, for either system.
  const columns = ['system', 'workers', CPU_WORKERS, CPU_RUNNERS, 'api', 'history', 'postgres', 'rabbitmq', 'redis', 'total'];
  printTable(
    'CPU ms per task by process group over the measured throughput run (/proc utime+stime; runners: the workers\' reaped children)',
    cpuRows.map((row) => Object.fromEntries(columns.map((c) => [c, typeof row[c] === 'number' && c !== 'workers' ? row[c].toFixed(2) : (row[c] ?? '')]))),
  );
  if (process.env.BENCH_THROUGHPUT_ONLY === '1') return;

  const latency = [];
  const workers = WORKER_COUNTS[WORKER_COUNTS.length - 1];
  for (const rate of RATES) {
    const r = await claimLatency(workers, rate);
    const row = { 'tasks/s posted': rate, workers, '201 → claim p50 ms': ms(r.p50), '201 → claim p99 ms': ms(r.p99), 'idle worker RSS MB': r.idleRss.toFixed(0) };
    if (WITH_PEER) {
      const peer = await peerClaimLatency(workers, rate, LATENCY_SECONDS, PEER_CHILD, WARMUP_SECONDS, WARMUP_TASKS_PER_WORKER * workers);
      row['peer add → start p50/p99 ms'] = `${ms(peer.p50)} / ${ms(peer.p99)}`;
    }
    latency.push(row);
  }
  const rabbit = await rabbitRoundTrip();
  latency.push({ 'tasks/s posted': 'ceiling', workers: '', '201 → claim p50 ms': `${ms(rabbit.p50)} (RabbitMQ round trip)`, '201 → claim p99 ms': ms(rabbit.p99), 'idle worker RSS MB': '', 'peer add → start p50/p99 ms': '' });
  printTable(`Submit → claim: tasks posted one by one at a steady rate for ${LATENCY_SECONDS} s after ${WARMUP_TASKS_PER_WORKER} unmeasured tasks per worker and ${WARMUP_SECONDS} s of unmeasured posts (targets: p50 <= 5 ms, p99 <= 20 ms at 100/s; idle worker < 100 MB)`, latency);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

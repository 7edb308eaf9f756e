#!/usr/bin/env node
// End-to-end benchmarks with api, history and K workers as real processes and a no-op runner:
// submit→claim latency and completed tasks per second, beside the ceiling of the same run
// (spawning the no-op runner back to back: what K workers could do with zero overhead).
const { spawnSync } = require('node:child_process');
const net = require('node:net');
const { Client, scratch, startService, percentile, ms, printTable } = require('./bench-lib');

const TASKS = Number(process.env.BENCH_PIPELINE_TASKS ?? 300);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,3').split(',').map(Number);
const NOOP_RUNNER = `printf '{"type":"result","results":{"success":true},"framework_overhead":0,"session":null}\\n' >&3`;

const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });

async function runWith(workers) {
  const s = await scratch(`pipe${workers}`);
  const services = [];
  try {
    const apiPort = await freePort();
    services.push(await startService('api', { ...s.env, PORT: String(apiPort), HOST: '127.0.0.1' }, /api listening/));
    services.push(await startService('history', { ...s.env, HEALTH_PORT: String(await freePort()), HEALTH_HOST: '127.0.0.1' }, /consuming|listening|started/));
    for (let i = 0; i < workers; i++) {
      services.push(await startService('worker', { ...s.env, WORKER_ID: `bench-w${i}`, CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: NOOP_RUNNER, REFRESH_PROBLEMS_AT_START: 'false', HEALTH_PORT: String(await freePort()), HEALTH_HOST: '127.0.0.1', WORK_DIR: `/tmp/bench-work-${i}` }, /worker started|consuming/));
    }
    const started = Date.now();
    for (let i = 0; i < TASKS; i += 100) {
      const tasks = Array.from({ length: Math.min(100, TASKS - i) }, () => ({ problem_id: 'container_kill-detection', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } }));
      const res = await fetch(`http://127.0.0.1:${apiPort}/tasks/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tasks }) });
      if (res.status !== 201) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
    }
    const db = new Client({ connectionString: s.databaseUrl });
    await db.connect();
    for (;;) {
      const { rows } = await db.query("SELECT count(*)::int AS done FROM tasks WHERE status IN ('completed','failed','timed_out','cancelled')");
      if (rows[0].done >= TASKS) break;
      if (Date.now() - started > 600_000) throw new Error('pipeline did not finish within 10 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const { rows } = await db.query(`SELECT EXTRACT(EPOCH FROM (started_at - created_at)) * 1000 AS claim_ms, status FROM tasks`);
    await db.end();
    const claim = rows.map((r) => Number(r.claim_ms));
    return { workers, seconds, rate: TASKS / seconds, claimP50: percentile(claim, 50), claimP99: percentile(claim, 99), completed: rows.filter((r) => r.status === 'completed').length };
  } finally {
    for (const service of services.reverse()) await service.stop();
    await s.drop();
  }
}

function spawnCeiling(n = 200) {
  const started = Date.now();
  for (let i = 0; i < n; i++) spawnSync('/bin/sh', ['-c', NOOP_RUNNER.replace('>&3', '>/dev/null')]);
  return n / ((Date.now() - started) / 1000);
}

async function main() {
  const rows = [];
  for (const workers of WORKER_COUNTS) {
    const r = await runWith(workers);
    rows.push({ workers, tasks: TASKS, completed: r.completed, 'tasks/s': r.rate.toFixed(1), 'submit→claim p50 ms': ms(r.claimP50), 'submit→claim p99 ms': ms(r.claimP99), seconds: r.seconds.toFixed(1) });
  }
  const ceiling = spawnCeiling();
  rows.push({ workers: 'ceiling', tasks: '', completed: '', 'tasks/s': `${ceiling.toFixed(0)} per worker`, 'submit→claim p50 ms': '', 'submit→claim p99 ms': '', seconds: '' });
  printTable(`End to end: ${TASKS} no-op tasks submitted in batches of 100 (ceiling: spawning the no-op runner back to back)`, rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

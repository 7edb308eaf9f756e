// Helpers shared by the benchmark scripts: a scratch database and queue prefix, service
// processes, percentiles, and the raw ceilings every figure is printed beside.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');
const { Client, Pool } = require('pg');
const amqp = require('amqplib');
const { serviceArgs } = require('../service-command');

const root = path.resolve(__dirname, '../..');
const SERVER_DB = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The management API of BENCH_AMQP_URL's broker (e.g. http://127.0.0.1:15701 for scripts/rabbitmq-cluster.sh's node a). */
const MANAGEMENT_URL = process.env.BENCH_MANAGEMENT_URL ?? 'http://127.0.0.1:15672';

function dbUrl(name) {
  const url = new URL(SERVER_DB);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh migrated database and a unique queue prefix; `drop()` removes both. */
async function scratch(label) {
  const id = `${label}_${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`;
  const databaseUrl = dbUrl(`aiopslab_bench_${id}`);
  const { ensureDatabase, dropDatabase } = require(path.join(root, 'shared/dist/db/create-database.js'));
  const { migrate } = require(path.join(root, 'shared/dist/db/migrator.js'));
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl, path.join(root, 'prisma/migrations'));
  const queuePrefix = `bench.${id}.`;
  return {
    databaseUrl,
    queuePrefix,
    env: { DATABASE_URL: databaseUrl, AMQP_URL, QUEUE_PREFIX: queuePrefix, LOG_LEVEL: 'info' },
    async drop() {
      await dropDatabase(databaseUrl).catch(() => undefined);
      await deleteQueues(queuePrefix).catch(() => undefined);
    },
  };
}

async function deleteQueues(prefix) {
  const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  for (const kind of ['queues', 'exchanges']) {
    const res = await fetch(`${MANAGEMENT_URL}/api/${kind}/%2F?columns=name`, { headers: { authorization: auth } });
    if (!res.ok) continue;
    for (const { name } of await res.json()) {
      if (name.startsWith(prefix)) await fetch(`${MANAGEMENT_URL}/api/${kind}/%2F/${encodeURIComponent(name)}`, { method: 'DELETE', headers: { authorization: auth } });
    }
  }
}

/** Starts `node services/<name>/dist/main.js`; resolves when `ready` matches a log line. */
function startService(name, env, ready = /listening|consuming|started/) {
  const args = serviceArgs(name);
  return startScript(args[args.length - 1], env, ready, name, args.slice(0, -1));
}

function startScript(script, env, ready, name = path.basename(script), nodeOptions = []) {
  // BENCH_CPU_PROF_DIR=dir writes a V8 CPU profile of every service process into dir (for tuning).
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...nodeOptions, ...profile, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 20 s:\n${output.slice(-2000)}`));
    }, 20_000);
    const onData = (chunk) => {
      output = (output + chunk).slice(-20_000);
      if (ready.test(output)) {
        clearTimeout(timer);
        // From now on the output is only drained (keeping its last chunk for an exit message):
        // the bench shares the cores it measures.
        for (const stream of [child.stdout, child.stderr]) {
          stream.off('data', onData);
          stream.on('data', (more) => (output = String(more)));
        }
        resolve({ child, stop: () => stopChild(child) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output.slice(-2000)}`)));
  });
}

function stopChild(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');

/** Runs `worker` from `concurrency` loops for `seconds`; returns latencies (ms) and the rate. */
async function loadFor(seconds, concurrency, worker) {
  const latencies = [];
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        await worker(i);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { latencies, rate: latencies.length / ((Date.now() - started) / 1000) };
}

/** Ceiling: plain PostgreSQL transactions of the same shape as a submission (1 task + 2 outbox rows). */
async function ceilingPostgresTransactions(databaseUrl, seconds, concurrency) {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_ceiling (id uuid primary key, body jsonb, created_at timestamptz default now())');
  const result = await loadFor(seconds, concurrency, async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO bench_ceiling (id, body) VALUES ($1, $2)', [crypto.randomUUID(), { problem_id: 'x' }]);
      await client.query('INSERT INTO bench_ceiling (id, body) VALUES ($1, $2), ($3, $4)', [crypto.randomUUID(), { e: 1 }, crypto.randomUUID(), { d: 1 }]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });
  await pool.end();
  return result;
}

/** Ceiling: plain RabbitMQ persistent publishes with confirms (window of 100) to a fresh queue. */
async function ceilingRabbitConfirmedPublish(prefix, seconds) {
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  const queue = `${prefix}ceiling`;
  await channel.assertQueue(queue, { durable: true });
  const body = Buffer.from(JSON.stringify({ task_id: crypto.randomUUID(), attempt: 0 }));
  let published = 0;
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    for (let i = 0; i < 100; i++) channel.publish('', queue, body, { persistent: true });
    await channel.waitForConfirms();
    published += 100;
  }
  const rate = published / ((Date.now() - started) / 1000);
  await channel.deleteQueue(queue);
  await connection.close();
  return { rate };
}

// One keep-alive agent per origin: the load generators share the two cores with what they
// measure, so they use node:http, much cheaper per request than fetch.
const agents = new Map();

/** POSTs a JSON body; resolves with the status and the body's text. */
function postJson(base, pathname, body, maxSockets = 64) {
  const http = require('node:http');
  const url = new URL(base);
  if (!agents.has(url.origin)) agents.set(url.origin, new http.Agent({ keepAlive: true, maxSockets }));
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: pathname, method: 'POST', agent: agents.get(url.origin), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** CPU ticks (1/100 s) of every process now, by pid, with its command line (Linux /proc). */
function cpuSnapshot() {
  const fs = require('node:fs');
  const processes = new Map();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime+stime, and cutime+cstime: what its children that it waited for used (the runners).
      processes.set(Number(pid), { ticks: Number(fields[11]) + Number(fields[12]), childTicks: Number(fields[13]) + Number(fields[14]), command: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // exited meanwhile
    }
  }
  return processes;
}

/** The fleet's runner: answers at once, one protocol line on fd 3, through /bin/sh (no node start-up per task). */
const FLEET_NOOP_RUNNER = `printf '%s\\n' '{"type":"result","results":{"Detection Accuracy":"Correct"},"framework_overhead":0,"session":{"session_id":"noop","trace":[]}}' >&3`;

/** Column names of the per-process CPU tables, the same for ours and the peer's. */
const CPU_WORKERS = 'workers (own)';
const CPU_RUNNERS = "runners (workers' children)";

/**
 * CPU seconds spent since `before` by each group; a group is a predicate on (pid, command).
 * `childGroups` count instead what the matching processes' waited-for children used.
 */
function cpuSecondsSince(before, groups, childGroups = {}) {
  const after = cpuSnapshot();
  const seconds = Object.fromEntries([...Object.keys(groups), ...Object.keys(childGroups)].map((name) => [name, 0]));
  for (const [pid, { ticks, childTicks, command }] of after) {
    const name = Object.keys(groups).find((g) => groups[g](pid, command));
    if (name) seconds[name] += (ticks - (before.get(pid)?.ticks ?? 0)) / 100;
    const childName = Object.keys(childGroups).find((g) => childGroups[g](pid, command));
    if (childName) seconds[childName] += (childTicks - (before.get(pid)?.childTicks ?? 0)) / 100;
  }
  return seconds;
}

function printTable(title, rows) {
  const headers = Object.keys(rows[0]);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n${line(headers)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(headers.map((h) => row[h])));
}

module.exports = { FLEET_NOOP_RUNNER, MANAGEMENT_URL, postJson, cpuSnapshot, cpuSecondsSince, CPU_WORKERS, CPU_RUNNERS, root, AMQP_URL, scratch, startService, startScript, stopChild, percentile, ms, loadFor, ceilingPostgresTransactions, ceilingRabbitConfirmedPublish, printTable, Client };

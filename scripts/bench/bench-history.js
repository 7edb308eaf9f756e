#!/usr/bin/env node
// Status-history benchmark: drives transitions through the transactional outbox at a fixed rate
// with the history service running as a real process, and prints the history lag
// (recorded_at - occurred_at) beside ceilings measured in the same run.
//
//   npx tsc -b services/history && node scripts/bench/bench-history.js [--seconds 20] [--rate 200]
//
// Plain JavaScript against the built dist/ (no ts-node). Uses a scratch database and queue
// prefix (scripts/bench/bench-lib.js) and removes both at the end. BENCH_DATABASE_URL /
// BENCH_AMQP_URL point it elsewhere (defaults: local servers). No assertions: it reports.
'use strict';
const crypto = require('node:crypto');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const amqp = require('amqplib');
const { Pool } = require('pg');
const lib = require('./bench-lib');

const dist = (p) => require(path.join(lib.root, p));
const { createSqlDb } = dist('shared/dist/db/sql.js');
const { createTaskStore } = dist('shared/dist/task-store/task-store.js');
const { buildTaskEvent } = dist('shared/dist/domain/task-event.js');
const { enqueueOutbox } = dist('shared/dist/tables/outbox.js');
const { OutboxRelay } = dist('shared/dist/outbox/outbox-relay.js');
const { AmqpConnection } = dist('shared/dist/amqp/amqp-connection.js');
const { ConfirmPublisher } = dist('shared/dist/amqp/confirm-publisher.js');
const { assertTopology, topologyNames } = dist('shared/dist/amqp/topology.js');
const { createLogger } = dist('shared/dist/logging/logger.js');
const { MESSAGE_TYPES } = dist('shared/dist/schemas/messages.js');

function parseArgs(argv) {
  const args = { seconds: 20, rate: 200, warmup: 2, ceilingSeconds: 5 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = { '--seconds': 'seconds', '--rate': 'rate', '--warmup': 'warmup', '--ceiling-seconds': 'ceilingSeconds' }[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isFinite(value) || value <= 0) throw new Error(`usage: node scripts/bench/bench-history.js [--seconds n] [--rate n] [--warmup n] [--ceiling-seconds n] (bad "${argv[i]} ${argv[i + 1] ?? ''}")`);
    args[key] = value;
  }
  return args;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Cumulative bucket counts of a Prometheus histogram in a /metrics text: [[le, count], ...]. */
function histogramBuckets(text, name) {
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm');
  return [...text.matchAll(re)].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
}

/** Quantile (ms) of the observations between two scrapes, interpolated inside its bucket. */
function histogramQuantile(before, after, q) {
  const counts = after.map(([le, count], i) => [le, count - (before[i]?.[1] ?? 0)]);
  const total = counts.at(-1)?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  for (let i = 0; i < counts.length; i++) {
    const [le, count] = counts[i];
    if (count >= rank) {
      const [lower, below] = i === 0 ? [0, 0] : counts[i - 1];
      if (le === Infinity) return lower * 1000;
      return (lower + ((le - lower) * (rank - below)) / Math.max(1, count - below)) * 1000;
    }
  }
  return NaN;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Calls `op()` `rate` times a second for `seconds` on a fixed schedule, without waiting for each
 * call but with at most `maxInFlight` running: a saturated machine falls behind (the achieved
 * rate says so) instead of piling up work. Failures are counted, not thrown.
 */
async function paced(rate, seconds, op, maxInFlight = 16) {
  const total = Math.round(rate * seconds);
  const started = now();
  const inFlight = new Set();
  let issued = 0;
  let failed = 0;
  let firstError = null;
  while (issued < total) {
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * rate) + 1);
    while (issued < due && inFlight.size < maxInFlight) {
      const p = op(issued++)
        .catch((error) => {
          failed++;
          firstError ??= error;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await sleep(2);
  }
  await Promise.all(inFlight);
  if (firstError) console.error(`${failed} operations failed; first: ${firstError.message}`);
  return { issued, failed, seconds: (now() - started) / 1000 };
}

/** Ceiling 1: one persistent message published with a confirm and consumed, as history's events are. */
async function ceilingRabbitRoundTrip(prefix, rate, seconds) {
  const connection = await amqp.connect(lib.AMQP_URL, { noDelay: true });
  const publisher = await connection.createConfirmChannel();
  const consumer = await connection.createChannel();
  const queue = `${prefix}ceiling.roundtrip`;
  await publisher.assertQueue(queue, { durable: true });
  const sent = new Map();
  const latencies = [];
  await consumer.consume(queue, (message) => {
    if (!message) return; // cancelled when the queue is deleted
    latencies.push(now() - sent.get(message.properties.messageId));
    consumer.ack(message);
  });
  await paced(rate, seconds, async (n) => {
    const id = String(n);
    sent.set(id, now());
    publisher.publish('', queue, Buffer.from(JSON.stringify({ n, pad: 'x'.repeat(200) })), { persistent: true, messageId: id });
  });
  while (latencies.length < sent.size) await sleep(10);
  await publisher.deleteQueue(queue);
  await connection.close();
  return latencies;
}

/** Ceiling 2: one autocommitted single-row INSERT shaped like a status_history row. */
async function ceilingPostgresInsert(databaseUrl, rate, seconds) {
  const client = new Pool({ connectionString: databaseUrl, max: 8 });
  await client.query('CREATE TABLE bench_history_ceiling (LIKE status_history INCLUDING ALL)');
  const latencies = [];
  await paced(rate, seconds, async () => {
    const t0 = now();
    await client.query(
      `INSERT INTO bench_history_ceiling (event_id, task_id, from_status, to_status, attempt, worker_id, notes, occurred_at)
       VALUES ($1, $2, 'pending', 'processing', 1, 'worker-1', 'claimed', now()) ON CONFLICT (event_id) DO NOTHING`,
      [crypto.randomUUID(), crypto.randomUUID()],
    );
    latencies.push(now() - t0);
  });
  await client.query('DROP TABLE bench_history_ceiling');
  await client.end();
  return latencies;
}

/** A saturated machine queues transactions for a while; the run reports it rather than dying. */
const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

/**
 * Task lifecycles advanced one transition per call: submit (null → pending), claim, 1 in 4
 * retried (→ retrying → processing), then completed or failed. Transitions of one task never
 * overlap; many tasks are in flight at once. `onCommitted` hears (task, to_status, attempt) and
 * the wall-clock time the transaction returned.
 */
function createLifecycleDriver(db, topology, relay, onCommitted) {
  const tasks = createTaskStore({ db, topology, outbox: relay });
  const ready = []; // tasks waiting for their next transition
  let serial = 0;
  const submit = async () => {
    const id = crypto.randomUUID();
    const event = buildTaskEvent({ taskId: id, from: null, to: 'pending', attempt: 0, workerId: null, notes: 'submitted' });
    await db.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO tasks (id, problem_id, status, agent_config, max_steps, timeout_minutes, max_retries) VALUES (${id}::uuid, 'bench-problem', 'pending', '{"kind":"registry","name":"bench"}', 10, 30, 2)`;
      await enqueueOutbox(tx, [{ exchange: topology.exchanges.events, routingKey: topology.eventRoutingKey('pending'), type: MESSAGE_TYPES.transition, payload: event, messageId: event.event_id }]);
    }, TX_OPTIONS);
    serial++;
    return { id, status: 'pending', attempt: 0, retry: serial % 4 === 1, fail: serial % 7 === 0 };
  };
  const move = async (task, to, extra = {}) => {
    // One statement published at once, as the worker claims and finishes (the task store; the guard is the status it is in).
    const moved = await tasks.transition({ taskId: task.id, to, from: [task.status], notes: to, ...extra });
    const row = moved.task;
    task.status = to;
    task.attempt = row.attempt;
  };
  return async function next() {
    let task = ready.length > 20 ? ready.shift() : null;
    if (!task) task = await submit();
    else if (task.status === 'pending' || task.status === 'retrying') {
      await move(task, 'processing', { data: { attempt: { increment: 1 }, workerId: 'bench-worker', startedAt: new Date() }, notes: 'claimed by bench-worker' });
    } else if (task.retry) {
      task.retry = false;
      await move(task, 'retrying', { notes: 'retry 1 of 2' });
    } else {
      await move(task, task.fail ? 'failed' : 'completed');
    }
    onCommitted(task, Date.now());
    if (task.status !== 'completed' && task.status !== 'failed') ready.push(task);
  };
}

/**
 * The pipeline under test: the history service as a process, and in this process the outbox
 * relay the api and worker would run, plus a tap queue beside status-history.
 */
async function startPipeline(scratch, settings, cleanups, onTap) {
  const logger = createLogger('bench-history', 'error', true);
  const healthPort = await freePort();
  const history = await lib.startService('history', { ...scratch.env, ...settings, HEALTH_PORT: String(healthPort), HEALTH_HOST: '127.0.0.1', LOG_LEVEL: 'info' }, /"consuming"/);
  process.once('exit', () => history.child.kill('SIGKILL')); // never leave the service behind
  cleanups.push(() => history.stop());
  const db = createSqlDb(scratch.databaseUrl, 20); // node-postgres, as the api and the worker write
  cleanups.push(() => db.$disconnect());
  const topology = topologyNames(scratch.queuePrefix);
  const tapQueue = `${scratch.queuePrefix}bench.tap`;
  const connection = new AmqpConnection(lib.AMQP_URL, logger, { connectionName: 'bench-history relay' });
  connection.onConnected(async (model) => {
    const channel = await model.createChannel();
    await assertTopology(channel, topology);
    await channel.assertQueue(tapQueue, { durable: false, autoDelete: true });
    await channel.bindQueue(tapQueue, topology.exchanges.events, 'task.#');
    await channel.close();
  });
  const publisher = new ConfirmPublisher(connection);
  await connection.start();
  await connection.waitUntilConnected(5000);
  cleanups.push(() => connection.close());
  const relay = new OutboxRelay(db, publisher, logger, { pollIntervalMs: 500 });
  relay.start();
  cleanups.push(() => relay.stop());
  const tapConnection = await amqp.connect(lib.AMQP_URL, { noDelay: true });
  cleanups.push(() => tapConnection.close());
  const tap = await tapConnection.createChannel();
  await tap.consume(tapQueue, (message) => message && onTap(JSON.parse(message.content.toString())), { noAck: true });
  const scrape = () => fetch(`http://127.0.0.1:${healthPort}/metrics`).then((r) => r.text());
  return { history, db, topology, relay, scrape };
}

/** Warm-up, then the measured run; returns what only the driver can know. */
async function drive(args, pipeline, measure) {
  const { db, topology, relay, history, scrape } = pipeline;
  const committedAt = new Map(); // "task|to|attempt" → when its transaction returned (measured phase)
  const next = createLifecycleDriver(db, topology, relay, (task, at) => {
    relay.wake(); // a submission's rows (a transition's are published by the store itself)
    if (at >= measure.from) committedAt.set(`${task.id}|${task.status}|${task.attempt}`, at);
  });
  console.log(`warm-up ${args.warmup} s, then ${args.rate} transitions/s for ${args.seconds} s …`);
  await paced(args.rate, args.warmup, () => next());
  const processingBefore = histogramBuckets(await scrape(), 'history_processing_seconds');
  measure.from = Date.now();
  const cpuBefore = lib.cpuSnapshot();
  const commits = [];
  const run = await paced(args.rate, args.seconds, async () => {
    const t0 = now();
    await next();
    commits.push(now() - t0);
  });
  const cpu = lib.cpuSecondsSince(cpuBefore, { history: (pid) => pid === history.child.pid, bench: (pid) => pid === process.pid });
  const count = async (table) => Number((await db.$queryRawUnsafe(`SELECT count(*) AS n FROM ${table}`))[0].n);
  const recordedWhenStopped = await count('status_history');
  const events = await count('outbox');
  for (let waited = 0; (await count('status_history')) < events && waited < 30_000; waited += 100) await sleep(100);
  return { run, commits, committedAt, cpu, processingBefore, recordedWhenStopped, events };
}

/** Lag of every event of the measured run, whole and split at the commit and at the relay. */
async function lagOf(db, from, committedAt) {
  const rows = await db.$queryRaw`
    SELECT h.task_id::text AS task_id, h.to_status, h.attempt, h.recorded_at,
           extract(epoch FROM h.recorded_at - h.occurred_at) * 1000 AS lag,
           extract(epoch FROM o.published_at - h.occurred_at) * 1000 AS to_relay,
           extract(epoch FROM h.recorded_at - o.published_at) * 1000 AS after_relay
    FROM status_history h LEFT JOIN outbox o ON o.message_id = h.event_id
    WHERE h.occurred_at >= ${new Date(from)}`;
  const numbers = (key) => rows.filter((r) => r[key] !== null).map((r) => Number(r[key]));
  const afterCommit = rows
    .map((r) => [committedAt.get(`${r.task_id}|${r.to_status}|${r.attempt}`), r.recorded_at.getTime()])
    .filter(([at]) => at !== undefined)
    .map(([at, recorded]) => recorded - at);
  return { total: numbers('lag'), afterCommit, toRelay: numbers('to_relay'), afterRelay: numbers('after_relay') };
}

function printReport(args, settings, ceilings, measured, lag, tapDelivery, metrics) {
  const row = (measure, values) => ({ measure, n: values.length, 'p50 ms': lib.ms(lib.percentile(values, 50)), 'p99 ms': lib.ms(lib.percentile(values, 99)), 'max ms': lib.ms(Math.max(...values)) });
  const processingAfter = histogramBuckets(metrics, 'history_processing_seconds');
  const metric = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const { run, cpu } = measured;
  lib.printTable(
    `status-history: ${((run.issued - run.failed) / run.seconds).toFixed(1)} transitions/s achieved (target ${args.rate}) for ${run.seconds.toFixed(1)} s; ` +
      `history BATCH_SIZE=${settings.BATCH_SIZE} PREFETCH=${settings.PREFETCH} BATCH_WAIT_MS=${settings.BATCH_WAIT_MS}`,
    [
      row('ceiling: RabbitMQ publish→consume (persistent, confirm channel)', ceilings.rabbit),
      row('ceiling: PostgreSQL single-row INSERT, autocommit', ceilings.postgres),
      row('transition commit (task store / submit txn)', measured.commits),
      row('delivery: occurred_at → a tap consumer in the bench process', tapDelivery),
      row('history lag: recorded_at - occurred_at', lag.total),
      row('  after the commit: recorded_at - commit returned', lag.afterCommit),
      row('  to the relay: outbox published_at - occurred_at', lag.toRelay),
      row('  from the relay: recorded_at - outbox published_at', lag.afterRelay),
      {
        measure: '  in the history service: delivery → commit (its histogram)',
        n: (processingAfter.at(-1)?.[1] ?? 0) - (measured.processingBefore.at(-1)?.[1] ?? 0),
        'p50 ms': lib.ms(histogramQuantile(measured.processingBefore, processingAfter, 0.5)),
        'p99 ms': lib.ms(histogramQuantile(measured.processingBefore, processingAfter, 0.99)),
        'max ms': 'n/a',
      },
    ],
  );
  const p99 = lib.percentile(lag.total, 99);
  const share = (seconds) => `${((seconds / run.seconds) * 100).toFixed(0)}% of a core`;
  console.log(`\nhistory lag p99 ${lib.ms(p99)} ms (target ≤ 50 ms: ${p99 <= 50 ? 'met' : 'NOT met'}); ` +
    `${metric('history_events_recorded_total')} of ${measured.events} events recorded (${measured.recordedWhenStopped} when the load stopped), ` +
    `duplicates ${metric('history_events_duplicate_total')}, ${metric('history_batch_size_count')} batches (mean ${(metric('history_batch_size_sum') / metric('history_batch_size_count')).toFixed(2)} events)`);
  console.log(`CPU during the measured run: history service ${share(cpu.history)}, bench process (driver + outbox relay + tap) ${share(cpu.bench)}`);
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at the end of the run`);
  console.log('lag resolution: recorded_at and occurred_at are stored to the millisecond (timestamptz(3)).');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const settings = { BATCH_SIZE: process.env.BATCH_SIZE ?? '100', PREFETCH: process.env.PREFETCH ?? '200', BATCH_WAIT_MS: process.env.BATCH_WAIT_MS ?? '0' };
  const scratch = await lib.scratch('history');
  const cleanups = [];
  try {
    console.log(`ceilings: ${args.rate}/s for ${args.ceilingSeconds} s each …`);
    const ceilings = {
      rabbit: await ceilingRabbitRoundTrip(scratch.queuePrefix, args.rate, args.ceilingSeconds),
      postgres: await ceilingPostgresInsert(scratch.databaseUrl, args.rate, args.ceilingSeconds),
    };
    const measure = { from: Infinity };
    const tapDelivery = [];
    const pipeline = await startPipeline(scratch, settings, cleanups, (event) => {
      const occurred = Date.parse(event.occurred_at);
      if (occurred >= measure.from) tapDelivery.push(Date.now() - occurred);
    });
    const measured = await drive(args, pipeline, measure);
    const lag = await lagOf(pipeline.db, measure.from, measured.committedAt);
    printReport(args, settings, ceilings, measured, lag, tapDelivery, await pipeline.scrape());
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
    await scratch.drop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench-history failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);

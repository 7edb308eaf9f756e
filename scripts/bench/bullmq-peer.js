// The peer the pipeline benchmark is measured against, in the same run (issue: per-task overhead):
// BullMQ on its own Redis (append-only file fsynced every second, as a durable deployment runs
// it), K worker processes of concurrency 1, each job spawning the same no-op child through
// /bin/sh as our runner. The Redis server is started here on a free loopback port, in a scratch
// directory, and stopped by its PID at the end.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Queue, QueueEvents } = require('bullmq');
const { percentile, cpuSnapshot, cpuSecondsSince, CPU_WORKERS, CPU_RUNNERS } = require('./bench-lib');

const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Throws, saying what to install, when the peer cannot run: a bench calls it before its own runs. */
function requirePeerPrerequisites() {
  const found = require('node:child_process').spawnSync('redis-server', ['--version']);
  if (found.error) throw new Error('the peer benchmark needs redis-server on PATH: apt-get install -y redis-server (or run with BENCH_PEER=0)');
}

async function startRedis() {
  requirePeerPrerequisites();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => { const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); }).on('error', () => resolve(false)); });
    if (up) break;
    await sleep(50);
  }
  return {
    pid: child.pid,
    connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `workers` BullMQ workers of concurrency 1, `perProcess` of them in each worker process. */
async function peerSystem(workers, command, perProcess = 1) {
  const redis = await startRedis();
  const name = `bench-peer-${process.pid}-${Date.now()}`;
  const queue = new Queue(name, { connection: redis.connection });
  const events = new QueueEvents(name, { connection: redis.connection });
  await events.waitUntilReady();
  const children = [];
  for (let first = 0; first < workers; first += perProcess) {
    const count = Math.min(perProcess, workers - first);
    const child = spawn(process.execPath, [path.join(__dirname, 'bullmq-peer-worker.js')], {
      env: { ...process.env, PEER_QUEUE: name, PEER_REDIS_PORT: String(redis.connection.port), PEER_COMMAND: command, PEER_WORKERS: String(count) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => child.stdout.once('data', resolve)); // "ready"
    children.push(child);
  }
  return {
    workerPids: children.map((child) => child.pid),
    redisPid: redis.pid,
    queue,
    events,
    async stop() {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)))));
      await events.close();
      await queue.close();
      await redis.stop();
    },
  };
}

/** Adds `jobs` no-op jobs in bulks of 100 and waits for them all to complete. */
async function runJobs(peer, jobs) {
  let done = 0;
  const finished = new Promise((resolve) => {
    const onCompleted = () => {
      if (++done < jobs) return;
      peer.events.off('completed', onCompleted);
      resolve();
    };
    peer.events.on('completed', onCompleted);
  });
  for (let i = 0; i < jobs; i += 100) {
    await peer.queue.addBulk(Array.from({ length: Math.min(100, jobs - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })));
  }
  await finished;
}

/** Jobs per second for `jobs` no-op jobs added in bulks of 100, over `workers` processes, after `warmupJobs` unmeasured ones. */
async function peerThroughput(workers, jobs, command, warmupJobs = 0) {
  const peer = await peerSystem(workers, command);
  try {
    if (warmupJobs > 0) await runJobs(peer, warmupJobs);
    const started = Date.now();
    const cpuBefore = cpuSnapshot();
    await runJobs(peer, jobs);
    const rate = jobs / ((Date.now() - started) / 1000);
    const workerPids = new Set(peer.workerPids);
    const cpu = cpuSecondsSince(
      cpuBefore,
      { [CPU_WORKERS]: (pid) => workerPids.has(pid), redis: (pid) => pid === peer.redisPid },
      { [CPU_RUNNERS]: (pid) => workerPids.has(pid) },
    );
    return { rate, cpu };
  } finally {
    await peer.stop();
  }
}

/**
 * Add → start latency for jobs added one by one at `rate` per second for `seconds`; as
 * bench-pipeline's claimLatency, the first `warmupSeconds` of adds are left out of the figures.
 * Also the CPU seconds each part used from the first add to the last completion, and that window.
 */
async function peerClaimLatency(workers, rate, seconds, command, warmupSeconds = 0, warmupJobs = 0, perProcess = 1) {
  const peer = await peerSystem(workers, command, perProcess);
  try {
    if (warmupJobs > 0) await runJobs(peer, warmupJobs);
    const warmup = Math.floor(rate * warmupSeconds);
    const total = warmup + Math.floor(rate * seconds);
    const latencies = [];
    let completed = 0;
    const finished = new Promise((resolve) => peer.events.on('completed', ({ jobId, returnvalue }) => {
      if (Number(jobId) > warmupJobs + warmup) latencies.push(Number(returnvalue)); // ids count from 1 across the warm-up too
      if (++completed === total) resolve();
    }));
    const cpuBefore = cpuSnapshot();
    const start = performance.now();
    const adds = [];
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      adds.push(peer.queue.add('noop', { addedAt: Date.now() }, { removeOnComplete: true }));
    }
    await Promise.all(adds);
    await finished;
    const elapsedS = (performance.now() - start) / 1000;
    const workerPids = new Set(peer.workerPids);
    const cpu = cpuSecondsSince(
      cpuBefore,
      { [CPU_WORKERS]: (pid) => workerPids.has(pid), redis: (pid) => pid === peer.redisPid, 'load generator': (pid) => pid === process.pid },
      { [CPU_RUNNERS]: (pid) => workerPids.has(pid) },
    );
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), jobs: latencies.length, cpu, elapsedS };
  } finally {
    await peer.stop();
  }
}

module.exports = { requirePeerPrerequisites, peerThroughput, peerClaimLatency };

// One peer worker process (bullmq-peer.js): PEER_WORKERS workers (default 1) of concurrency 1,
// as the fleet bench puts many virtual workers in a process; each job spawns the no-op child
// through /bin/sh, as our worker spawns its runner, and returns how long it waited to start.
const { spawn } = require('node:child_process');
const { Worker } = require('bullmq');

const connection = { host: '127.0.0.1', port: Number(process.env.PEER_REDIS_PORT), maxRetriesPerRequest: null };
const command = process.env.PEER_COMMAND;

const runJob = async (job) => {
  const waited = job.data.addedAt ? Date.now() - job.data.addedAt : 0;
  await new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`no-op child exited ${code}`))));
  });
  return waited;
};

const workers = Array.from({ length: Number(process.env.PEER_WORKERS ?? 1) }, () => new Worker(process.env.PEER_QUEUE, runJob, { connection, concurrency: 1 }));
Promise.all(workers.map((worker) => worker.waitUntilReady())).then(() => process.stdout.write('ready\n'));
process.on('SIGTERM', () => Promise.all(workers.map((worker) => worker.close())).then(() => process.exit(0)));

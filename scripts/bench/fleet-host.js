// One process of the fleet benchmark: WORKER_COUNT virtual workers, each the real worker
// (createWorkerClients + createWorkerService: registry, WORKER_ID lease, presence, reaper
// leadership, dispatch consumer, claim, lease, finish) with its own pool, broker connection,
// metrics registry and health server, side by side in this process. Prints "fleet ready <n>"
// when all consume; SIGTERM stops them all (drain, offline, WORKER_ID freed) and exits.
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
const { loadWorkerSettings } = require(path.join(root, 'services/worker/dist/config.js'));
const { createWorkerClients } = require(path.join(root, 'services/worker/dist/worker-clients.js'));
const { createWorkerService } = require(path.join(root, 'services/worker/dist/worker-service.js'));
const { createLogger } = require(path.join(root, 'shared/dist/logging/logger.js'));
const { FLEET_NOOP_RUNNER } = require('./bench-lib');

async function main() {
  const first = Number(process.env.FLEET_FIRST ?? 0);
  const count = Number(process.env.WORKER_COUNT ?? 10);
  const logger = createLogger('worker', process.env.LOG_LEVEL ?? 'warn', { format: 'json' });
  const workers = [];
  const startOne = async (i) => {
    const env = {
      ...process.env,
      WORKER_ID: `fleet-${String(first + i).padStart(4, '0')}`,
      CLUSTER_PROVIDER: 'none',
      RUNNER_COMMAND: FLEET_NOOP_RUNNER,
      RUNNER_PREFLIGHT: 'false',
      REFRESH_PROBLEMS_AT_START: 'false',
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: '0',
      DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '2',
      WORK_DIR: path.join(process.env.FLEET_WORK_DIR ?? '/tmp/aiopslab-fleet', String(first + i)),
    };
    const settings = loadWorkerSettings(env);
    const clients = createWorkerClients(settings, logger);
    const service = createWorkerService(clients, settings);
    workers.push({ service, clients });
    await service.start();
  };
  // In batches: a thousand simultaneous connects would only measure the start-up storm.
  for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, k) => startOne(i + k)));
  const consuming = () => workers.filter((w) => w.service.isConsuming).length;
  while (consuming() < count) await new Promise((r) => setTimeout(r, 200));
  console.log(`fleet ready ${count}`);

  let stopping = false;
  process.on('SIGTERM', async () => {
    if (stopping) return;
    stopping = true;
    for (let i = 0; i < workers.length; i += 50) {
      await Promise.all(workers.slice(i, i + 50).map(async ({ service, clients }) => {
        await service.stop('bench over').catch(() => undefined);
        await clients.close().catch(() => undefined);
      }));
    }
    console.log('fleet stopped');
    process.exit(0);
  });
}

main().catch((error) => {
  console.error(`fleet host failed: ${error.stack ?? error.message}`);
  process.exit(1);
});

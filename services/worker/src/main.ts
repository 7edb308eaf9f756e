import { ConfigError } from '@aiopslab/shared/config/load-config';
import { EXIT_CONFIG, EXIT_FAILURE } from '@aiopslab/shared/lifecycle/exit-codes';
import { ListenError } from '@aiopslab/shared/lifecycle/listen-error';
import { Shutdown } from '@aiopslab/shared/lifecycle/shutdown';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { loadWorkerSettings, WorkerConfigError } from './config';
import { WorkerIdTakenError } from './presence/worker-id-lock';
import { createWorkerClients } from './worker-clients';
import { createWorkerService } from './worker-service';

/** Composition root: read the environment once, build the clients and the worker, start it, stop it on SIGTERM. */
async function main(): Promise<void> {
  const settings = loadWorkerSettings(process.env);
  const logger = createLogger('worker', settings.env.LOG_LEVEL, { format: settings.env.LOG_FORMAT });
  const clients = createWorkerClients(settings, logger, { defaultMetrics: true });
  const service = createWorkerService(clients, settings);

  const shutdown = new Shutdown(clients.logger, settings.shutdownDeadlineMs + settings.killGraceMs + 20_000);
  shutdown.add('database', () => clients.db.$disconnect());
  shutdown.add('amqp connection', () => clients.connection.close());
  shutdown.add('worker service', () => service.stop('shutdown'));
  // First signal: drain (the running task may finish); second: hand the task back now; third: exit.
  shutdown.installSignalHandlers(undefined, () => service.handBackNow());
  let stopping = false;
  // A bug must not orphan the runner: stop it (and hand its task back) before dying.
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; shutting down', { error: error.message, stack: error.stack });
    if (stopping) return; // one shutdown, however many errors it meets
    stopping = true;
    void shutdown.run('uncaught exception').finally(() => process.exit(1));
  });
  process.on('unhandledRejection', (reason) => logger.error('unhandled promise rejection', { reason: String(reason) }));
  await service.start();
}

main().catch((error: Error) => {
  // A wrong setting stays wrong however often the worker is restarted: say so with EX_CONFIG.
  const config = error instanceof ConfigError || error instanceof WorkerConfigError;
  const known = config || error instanceof ListenError || error instanceof WorkerIdTakenError;
  console.error(known ? error.message : `worker failed to start: ${error.stack ?? error.message}`);
  process.exit(config ? EXIT_CONFIG : EXIT_FAILURE);
});

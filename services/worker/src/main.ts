import { ConfigError } from '@aiopslab/shared/config/load-config';
import { ListenError } from '@aiopslab/shared/lifecycle/listen-error';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { loadWorkerSettings, WorkerConfigError } from './config';
import { WorkerIdTakenError } from './presence/worker-id-lock';
import { WorkerApp } from './worker-app';

/** Composition root: read the environment once, build the worker, start it, stop it on SIGTERM. */
async function main(): Promise<void> {
  const settings = loadWorkerSettings(process.env);
  const logger = createLogger('worker', settings.env.LOG_LEVEL);
  const app = new WorkerApp(settings, { logger, defaultMetrics: true });
  app.installSignalHandlers();
  let stopping = false;
  // A bug must not orphan the runner: stop it (and hand its task back) before dying.
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; shutting down', { error: error.message, stack: error.stack });
    if (stopping) return; // one shutdown, however many errors it meets
    stopping = true;
    void app.stop('uncaught exception').finally(() => process.exit(1));
  });
  process.on('unhandledRejection', (reason) => logger.error('unhandled promise rejection', { reason: String(reason) }));
  await app.start();
}

main().catch((error: Error) => {
  const known = error instanceof ConfigError || error instanceof WorkerConfigError || error instanceof ListenError || error instanceof WorkerIdTakenError;
  console.error(known ? error.message : `worker failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});

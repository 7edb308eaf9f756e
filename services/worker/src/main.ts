import { runService } from '@aiopslab/shared/lifecycle/run-service';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { loadWorkerSettings } from './config';
import { createWorkerClients } from './worker-clients';
import { createWorkerService } from './worker-service';

runService(
  {
    name: 'worker',
    loadConfig: (env) => loadWorkerSettings(env),
    create: (settings) => {
      const logger = createLogger('worker', settings.env.LOG_LEVEL, { format: settings.env.LOG_FORMAT });
      const clients = createWorkerClients(settings, logger, { defaultMetrics: true });
      const worker = createWorkerService(clients, settings);
      // First signal: drain (the running task may finish); second: hand the task back now; third: exit.
      const service = { start: () => worker.start(), stop: (reason: string) => worker.stop(reason), hurry: () => worker.handBackNow() };
      return { service, logger: clients.logger, shutdownDeadlineMs: settings.shutdownDeadlineMs + settings.killGraceMs + 20_000, close: () => clients.close() };
    },
  },
  process.env,
);

import { runService } from '@aiopslab/shared/lifecycle/run-service';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { loadHistoryConfig } from './config';
import { createHistoryClients } from './history-clients';
import { createHistoryService } from './history-service';

runService(
  {
    name: 'history',
    loadConfig: (env) => loadHistoryConfig(env),
    create: (config) => {
      const logger = createLogger('history', config.LOG_LEVEL, { format: config.LOG_FORMAT });
      const clients = createHistoryClients(config, logger, { defaultMetrics: true });
      const service = createHistoryService(clients, config);
      return { service: { start: () => service.start(), stop: () => service.stop() }, logger, shutdownDeadlineMs: config.SHUTDOWN_DEADLINE_SECONDS * 1000, close: () => clients.close() };
    },
  },
  process.env,
);

import { runService } from '@aiopslab/shared/lifecycle/run-service';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { createApiClients, createApiService } from './api-service';
import { loadApiConfig } from './config';

runService(
  {
    name: 'api',
    loadConfig: (env) => loadApiConfig(env),
    create: (config) => {
      const logger = createLogger('api', config.LOG_LEVEL, { format: config.LOG_FORMAT });
      const clients = createApiClients(config, logger);
      return { service: createApiService(clients, config), logger, shutdownDeadlineMs: config.SHUTDOWN_DEADLINE_SECONDS * 1000, close: () => clients.close() };
    },
  },
  process.env,
);

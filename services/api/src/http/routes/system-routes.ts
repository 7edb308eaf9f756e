import { dependencyHealth, HealthReport, probeDatabase } from '@aiopslab/shared/http/health-server';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { listProblems } from '@aiopslab/shared/catalog/problem-catalog';
import type { ApiDeps } from '../api-deps';
import { buildOpenApiDocument } from '../../openapi/openapi-document';

/** Health, metrics, the problem catalog and the API reference. */
export function systemRouter(deps: ApiDeps): Router {
  const router = Router();
  const openapi = buildOpenApiDocument(deps.config.MAX_TASK_TIMEOUT_MINUTES);

  router.get('/health', async (_req, res) => {
    const database = await probeDatabase(deps.db);
    const queue = deps.queueStatus();
    const backlog = database === 'up' ? await deps.outboxBacklog().catch(() => null) : null;
    const status = dependencyHealth(database, queue);
    // Without the broker the api still accepts tasks (the outbox holds them): 503 only without the database.
    const report: HealthReport = {
      status,
      service: 'api',
      database_status: database,
      queue_status: queue,
      outbox_backlog: backlog,
      accepting_tasks: database === 'up',
      ...(database === 'down' ? { detail: 'PostgreSQL is unreachable; no task can be accepted until it returns' } : queue === 'down' ? { detail: 'RabbitMQ is unreachable; tasks are accepted and held in the outbox until it returns' } : {}),
    };
    res.status(database === 'down' ? 503 : 200).json(report);
  });

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  router.get('/problems', async (_req, res) => {
    res.json(await listProblems(deps.db));
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi, { customSiteTitle: 'AIOpsLab task service API' }));

  return router;
}

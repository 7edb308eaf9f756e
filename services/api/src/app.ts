import express, { Express } from 'express';
import type { ApiDeps } from './http/api-deps';
import { errorHandler, notFoundHandler } from './http/middleware/error-handler';
import { requestContext } from './http/middleware/request-context';
import { requestMetrics } from './http/middleware/request-metrics';
import { bearerAuth, rateLimit, secureHeaders } from './http/middleware/security';
import { dashboardRouter } from './http/routes/dashboard-routes';
import { queuesRouter } from './http/routes/queues-routes';
import { systemRouter } from './http/routes/system-routes';
import { runsRouter } from './http/routes/runs-routes';
import { problemHealthRouter } from './http/routes/problem-health-routes';
import { tasksRouter } from './http/routes/tasks-routes';
import { workersRouter } from './http/routes/workers-routes';

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', false);
  app.use(requestContext);
  app.use(secureHeaders);
  app.use(requestMetrics(deps.metrics));
  app.use(rateLimit(deps.config.RATE_LIMIT_PER_MINUTE));
  app.use(bearerAuth(deps.config.API_TOKEN, deps.config.WORKER_TOKEN));
  app.use(systemRouter(deps));
  app.use(problemHealthRouter(deps)); // before runs: it answers results with exclude_flagged
  app.use(runsRouter(deps));
  app.use(tasksRouter(deps));
  app.use(workersRouter(deps));
  app.use(queuesRouter(deps));
  app.use(dashboardRouter(deps.dashboard));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

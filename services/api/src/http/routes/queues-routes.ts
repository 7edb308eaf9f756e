import { Router } from 'express';
import type { ApiDeps } from '../api-deps';
import { readQueues } from '../../use-cases/read-queues';

/** GET /queues: broker queues of this deployment and the outbox backlog (the dashboard's Queues view). */
export function queuesRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/queues', async (_req, res) => {
    res.json(await readQueues({ db: deps.db, ...deps.queues }));
  });
  return router;
}

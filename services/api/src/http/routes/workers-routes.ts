import { Router } from 'express';
import type { ApiDeps } from '../api-deps';
import { jsonBody } from '../middleware/json-body';
import { getWorker, heartbeat, listWorkers, register } from '../../use-cases/workers';

export function workersRouter(deps: ApiDeps): Router {
  const router = Router();
  const { validators: v, db } = deps;
  const body = jsonBody(deps.config.BODY_LIMIT_BYTES);

  router.post('/workers/register', body, async (req, res) => {
    const r = v.registration(req.body);
    res.status(201).json(await register(db, { id: r.worker_id, hostname: r.hostname, clusterName: r.cluster_name, backend: r.backend, version: r.version }));
  });

  router.post('/workers/heartbeat', body, async (req, res) => {
    const h = v.heartbeat(req.body);
    res.json(await heartbeat(db, { id: h.worker_id, status: h.status, currentTaskId: h.current_task_id, clusterName: h.cluster_name }));
  });

  router.get('/workers', async (req, res) => {
    res.json(await listWorkers(db, v.listWorkersQuery(req.query).status));
  });

  router.get('/workers/:id', async (req, res) => {
    res.json(await getWorker(db, v.workerId(req.params.id)));
  });

  return router;
}

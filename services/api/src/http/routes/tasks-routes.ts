import { Router } from 'express';
import { CachedProblemCatalog } from '@aiopslab/shared/catalog/problem-catalog';
import { ValidationError } from '@aiopslab/shared/errors/app-error';
import type { ApiDeps } from '../api-deps';
import { jsonBody } from '../middleware/json-body';
import { streamTaskLogs } from '../log-stream';
import { presentSubmission } from '../../data/task-presenter';
import { submitTasks } from '../../use-cases/submit-tasks';
import { listTasks } from '../../use-cases/list-tasks';
import { getTask } from '../../use-cases/get-task';
import { cancelTask } from '../../use-cases/cancel-task';
import { readTaskLogs } from '../../use-cases/read-task-logs';
import { getTaskSessionJson } from '../../use-cases/get-task-session';

export function tasksRouter(deps: ApiDeps): Router {
  const router = Router();
  const { validators: v } = deps;
  const catalog = new CachedProblemCatalog(deps.db);
  const submitDeps = {
    tasks: deps.tasks,
    findUnknownProblems: deps.config.VALIDATE_PROBLEM_IDS ? (ids: string[]) => catalog.findUnknown(ids) : undefined,
    describeUnknownProblem: (id: string) => catalog.describeUnknown(id),
    allowPrivateCallbacks: deps.config.CALLBACK_ALLOW_PRIVATE,
  };

  router.post('/tasks', jsonBody(deps.config.BODY_LIMIT_BYTES), async (req, res) => {
    const submission = v.submission(req.body);
    const header = req.get('idempotency-key');
    if (header !== undefined) {
      v.idempotencyKeyHeader(header);
      if (submission.idempotency_key && submission.idempotency_key !== header) {
        throw new ValidationError('Idempotency-Key header and idempotency_key field differ; send one of them', [{ field: 'idempotency_key', rule: 'consistent', message: 'must equal the Idempotency-Key header' }]);
      }
      submission.idempotency_key = header;
    }
    const [{ task, replayed }] = await submitTasks(submitDeps, [submission], res.locals.correlationId);
    if (!replayed) deps.metrics.tasksSubmitted.inc({ mode: 'single' });
    res.status(replayed ? 200 : 201).location(`/tasks/${task.id}`).setHeader('Idempotent-Replayed', String(replayed));
    res.json(presentSubmission(task, replayed));
  });

  router.post('/tasks/batch', jsonBody(deps.config.BATCH_BODY_LIMIT_BYTES), async (req, res) => {
    const { tasks } = v.batch(req.body);
    const results = await submitTasks(submitDeps, tasks, res.locals.correlationId);
    deps.metrics.tasksSubmitted.inc({ mode: 'batch' }, results.filter((r) => !r.replayed).length);
    res.status(201).json({ tasks: results.map((r) => presentSubmission(r.task, r.replayed)) });
  });

  router.get('/tasks', async (req, res) => {
    res.json(await listTasks(deps.db, v.listTasksQuery(req.query)));
  });

  router.get('/tasks/:id', async (req, res) => {
    res.json(await getTask(deps.db, v.taskId(req.params.id)));
  });

  router.delete('/tasks/:id', async (req, res) => {
    const outcome = await cancelTask(deps.tasks, v.taskId(req.params.id), res.locals.correlationId);
    const { kind, ...body } = outcome;
    res.status(kind === 'cancelled' ? 200 : 202).json({ task_id: req.params.id, ...body });
  });

  router.get('/tasks/:id/logs', async (req, res) => {
    const taskId = v.taskId(req.params.id);
    const query = v.logsQuery(req.query);
    if (query.follow) {
      const lastEventId = Number(req.get('last-event-id'));
      const afterSeq = Number.isInteger(lastEventId) && lastEventId > query.after_seq ? lastEventId : query.after_seq;
      await streamTaskLogs(req, res, { db: deps.db, taskId, afterSeq, pollMs: deps.logPollMs ?? 500 });
      return;
    }
    res.json(await readTaskLogs(deps.db, taskId, query.after_seq, query.limit));
  });

  router.get('/tasks/:id/session', async (req, res) => {
    const taskId = v.taskId(req.params.id);
    res.type('application/json').send(await getTaskSessionJson(deps.db, taskId, v.sessionQuery(req.query).attempt));
  });

  return router;
}

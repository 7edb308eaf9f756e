import { Response, Router } from 'express';
import { listProblems } from '@aiopslab/shared/catalog/problem-catalog';
import type { ApiDeps } from '../api-deps';
import { jsonBody } from '../middleware/json-body';
import { createRun, dryRunRun } from '../../use-cases/create-run';
import { getRun, listRuns } from '../../use-cases/read-runs';
import { cancelRun } from '../../use-cases/cancel-run';
import { retryRun, retryTask } from '../../use-cases/retry-tasks';
import { runResults } from '../../use-cases/run-results';
import { resultsCsv } from '../../runs/results-csv';
import { problemMatrixCsv } from '../../runs/results-by-problem';
import { runResultsByProblem } from '../../use-cases/run-results-by-problem';
import { ResultsCache } from '../../runs/results-cache';
import type { ResultsRow } from '../../runs/results-table';
import type { ProblemAgentCell } from '@aiopslab/shared/tables/runs-results';
import { exportAtifLines } from '../../use-cases/export-atif';
import { exportTaskLines } from '../../use-cases/export-tasks';
import { findRun } from '@aiopslab/shared/tables/runs';
import { streamNdjson } from '../ndjson-stream';
import { compareRuns } from '../../use-cases/compare-runs';
import { reconcileRun } from '../../use-cases/reconcile-run';
import { patchRun } from '../../use-cases/patch-run';

function sendCsv(res: Response, filename: string, csv: string): void {
  res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(csv);
}

/** Runs (experiments): problems × agents × repeats, their progress, results, retries and export. */
export function runsRouter(deps: ApiDeps): Router {
  const router = Router();
  const { validators: v } = deps;
  const runDeps = { tasks: deps.tasks, listCatalog: () => listProblems(deps.db), validateProblemIds: deps.config.VALIDATE_PROBLEM_IDS, allowPrivateCallbacks: deps.config.CALLBACK_ALLOW_PRIVATE, confirmLimit: deps.config.RUN_CONFIRM_LIMIT, prices: deps.config.PRICES };
  // Reads of one run reconcile it first (infra retries, a budgeted run's next wave): see runs/run-reconciler.ts.
  const reconciled = async (id: string, correlationId?: string) => (await reconcileRun({ tasks: deps.tasks, prices: deps.config.PRICES }, id, correlationId), id);
  const resultsCache = new ResultsCache<ResultsRow[]>();
  const problemCellsCache = new ResultsCache<ProblemAgentCell[]>();

  router.post('/runs', jsonBody(deps.config.BODY_LIMIT_BYTES), async (req, res) => {
    const body = v.runCreation(req.body);
    if (req.query.dry_run === 'true') return void res.json(await dryRunRun({ ...runDeps, db: deps.db }, body));
    const header = req.get('idempotency-key');
    if (header !== undefined) v.idempotencyKeyHeader(header);
    const { replayed, ...run } = await createRun(runDeps, body, header, res.locals.correlationId);
    if (!replayed) deps.metrics.tasksSubmitted.inc({ mode: 'run' }, run.task_count);
    res.status(replayed ? 200 : 201).location(`/runs/${run.run_id}`).setHeader('Idempotent-Replayed', String(replayed));
    res.json({ ...run, ...(replayed ? { replayed: true } : {}) });
  });

  router.get('/runs', async (req, res) => {
    res.json(await listRuns(deps.db, v.listRunsQuery(req.query)));
  });

  // Before /runs/:id, which would take "compare" for an id.
  router.get('/runs/compare', async (req, res) => {
    res.json(await compareRuns(deps.db, v.compareQuery(req.query)));
  });

  router.get('/runs/:id', async (req, res) => {
    res.json(await getRun(deps.db, await reconciled(v.runId(req.params.id), res.locals.correlationId), deps.config.PRICES));
  });

  router.patch('/runs/:id', jsonBody(deps.config.BODY_LIMIT_BYTES), async (req, res) => {
    res.json(await patchRun({ tasks: deps.tasks, prices: deps.config.PRICES }, v.runId(String(req.params.id)), v.runPatch(req.body), res.locals.correlationId));
  });

  router.get('/runs/:id/results', async (req, res) => {
    const { format, by } = v.resultsQuery(req.query);
    const id = await reconciled(v.runId(req.params.id), res.locals.correlationId);
    if (by === 'problem') {
      const matrix = await runResultsByProblem(deps.db, id, problemCellsCache);
      if (format === 'csv') sendCsv(res, `run-${matrix.run_id}-results-by-problem.csv`, problemMatrixCsv(matrix.problems));
      else res.json(matrix);
      return;
    }
    const table = await runResults(deps.db, id, deps.config.PRICES, resultsCache);
    if (format === 'csv') sendCsv(res, `run-${table.run_id}-results.csv`, resultsCsv(table.rows, table.repeats));
    else res.json(table);
  });

  router.get('/runs/:id/export', async (req, res) => {
    const id = v.runId(req.params.id);
    const { format } = v.runExportQuery(req.query);
    await findRun(deps.db, id); // a 404 before the stream starts
    if (format === 'atif') await streamNdjson(req, res, exportAtifLines(deps.db, { run_id: id }), `run-${id}.atif.jsonl`);
    else await streamNdjson(req, res, exportTaskLines(deps.db, { run_id: id }), `run-${id}.ndjson`);
  });

  router.get('/tasks/export', async (req, res) => {
    const filter = v.exportTasksQuery(req.query);
    if (filter.format === 'atif') await streamNdjson(req, res, exportAtifLines(deps.db, filter), 'tasks.atif.jsonl');
    else await streamNdjson(req, res, exportTaskLines(deps.db, filter), 'tasks.ndjson');
  });

  router.delete('/runs/:id', async (req, res) => {
    const outcome = await cancelRun(deps.tasks, v.runId(req.params.id), res.locals.correlationId);
    res.status(outcome.cancel_requested > 0 ? 202 : 200).json(outcome);
  });

  router.post('/runs/:id/retry', async (req, res) => {
    res.status(202).json(await retryRun(deps.tasks, v.runId(req.params.id), res.locals.correlationId));
  });

  router.post('/tasks/:id/retry', async (req, res) => {
    const retried = await retryTask(deps.tasks, v.taskId(req.params.id), res.locals.correlationId);
    res.status(202).location(`/tasks/${retried.task_id}`).json(retried);
  });

  return router;
}

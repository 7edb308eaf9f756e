import { Router } from 'express';
import { ValidationError } from '@aiopslab/shared/errors/app-error';
import type { ApiDeps } from '../api-deps';
import { ResultsCache } from '../../runs/results-cache';
import type { ProblemAgentCell } from '@aiopslab/shared/tables/runs-results';
import { problemMatrixCsv } from '../../runs/results-by-problem';
import { readProblemHealth, runResultsByProblemExcludingFlagged } from '../../use-cases/problem-health';

/**
 * Problem health (GET /problems/health), and the results that leave flagged problems out:
 * GET /runs/{id}/results?by=problem&exclude_flagged=true. Mounted before the runs router, which
 * answers every other results request; a request without exclude_flagged goes on to it.
 */
export function problemHealthRouter(deps: ApiDeps): Router {
  const router = Router();
  const cells = new ResultsCache<ProblemAgentCell[]>();

  router.get('/problems/health', async (_req, res) => {
    res.json(await readProblemHealth(deps.db));
  });

  router.get('/runs/:id/results', async (req, res, next) => {
    const { exclude_flagged: exclude, ...rest } = req.query;
    if (exclude === undefined || exclude === 'false') return next();
    if (exclude !== 'true') throw new ValidationError('exclude_flagged must be true or false', [{ field: 'exclude_flagged', rule: 'enum', message: 'must be true or false' }]);
    if (rest.by !== 'problem') {
      throw new ValidationError('exclude_flagged needs by=problem for now', [{ field: 'by', rule: 'enum', message: 'send by=problem with exclude_flagged=true: the problem × agent matrix leaves flagged problems out' }]);
    }
    const matrix = await runResultsByProblemExcludingFlagged(deps.db, deps.validators.runId(req.params.id), cells);
    if (rest.format === 'csv') {
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="run-${matrix.run_id}-results-by-problem.csv"`);
      res.setHeader('X-Excluded-Problems', String(matrix.excluded_count)).send(problemMatrixCsv(matrix.problems));
      return;
    }
    res.json(matrix);
  });

  return router;
}

import type { SqlDb } from '@aiopslab/shared/db/sql';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { listProblemsFromRunner, storeProblemCatalog } from '../maintenance/refresh-problem-catalog';
import type { CheckResult } from './worker-health';

export interface RunnerPreflightDeps {
  db: SqlDb;
  logger: Logger;
  runnerCommand: string;
  env: Record<string, string | undefined>;
  cwd: string;
  /** REFRESH_PROBLEMS_AT_START: a passing preflight also replaces the problem catalog. */
  refreshCatalog: boolean;
  timeoutMs?: number;
}

/**
 * The worker's preflight: `RUNNER_COMMAND --list-problems` must list problems, which proves the
 * runner starts and AIOpsLab imports (its problem registry pulls in the kubeconfig and the
 * observer). A catalog write that fails is logged and does not fail the check: the database is
 * not the runner's environment.
 */
export function runnerPreflight(deps: RunnerPreflightDeps): (signal: AbortSignal) => Promise<CheckResult> {
  return async (signal) => {
    let listed;
    try {
      listed = await listProblemsFromRunner({ ...deps, signal });
    } catch (error) {
      // The command line itself stays out: the reason is shown in GET /workers.
      return { ok: false, reason: `preflight failed: RUNNER_COMMAND --list-problems: ${(error as Error).message}` };
    }
    deps.logger.info('worker preflight passed', { problems: listed.problems.length });
    if (deps.refreshCatalog) {
      await storeProblemCatalog(deps, listed).catch((error) => deps.logger.warn('problem catalog refresh failed; keeping the current catalog', { reason: (error as Error).message }));
    }
    return { ok: true };
  };
}

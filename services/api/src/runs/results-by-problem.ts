import type { ProblemAgentCell } from '@aiopslab/shared/tables/runs-results';
import type { RunAgent, RunProblem } from '@aiopslab/shared/tables/runs';
import { csvCell } from './results-csv';
import { round, roundInterval } from './run-statistics';
import { wilsonInterval, WilsonInterval } from './statistics/wilson-interval';

/** One problem × agent cell: its repeats (each by its latest task), solved/scored with a Wilson interval, mean TT* and steps. */
export type ProblemCellView = Omit<ProblemAgentCell, 'problem_id' | 'task_type'> & {
  success_rate: number | null;
  success_rate_ci: WilsonInterval | null;
};

/** One row of the matrix: a problem of the run, with one cell per agent in the run's agent order. */
export interface ProblemRowView {
  problem_id: string;
  task_type: string;
  cells: ProblemCellView[];
}

function presentCell(agent: string, cell: ProblemAgentCell | undefined): ProblemCellView {
  const c = cell ?? { n: 0, scored: 0, solved: 0, failed: 0, timed_out: 0, cancelled: 0, unfinished: 0, infra_errors: 0, mean_ttd: null, mean_ttl: null, mean_tta: null, mean_ttm: null, mean_steps: null };
  return {
    agent_label: agent,
    n: c.n,
    scored: c.scored,
    solved: c.solved,
    success_rate: c.scored > 0 ? round(c.solved / c.scored) : null,
    success_rate_ci: roundInterval(wilsonInterval(c.solved, c.scored)),
    failed: c.failed,
    timed_out: c.timed_out,
    cancelled: c.cancelled,
    unfinished: c.unfinished,
    infra_errors: c.infra_errors,
    mean_ttd: round(c.mean_ttd),
    mean_ttl: round(c.mean_ttl),
    mean_tta: round(c.mean_tta),
    mean_ttm: round(c.mean_ttm),
    mean_steps: round(c.mean_steps),
  };
}

/**
 * The problem × agent matrix (pure): every problem of the run in its order, every agent in the
 * run's order, so the grid is complete even where a cell has no task (n 0, rates null).
 */
export function buildProblemMatrix(cells: ProblemAgentCell[], problems: RunProblem[], agents: RunAgent[]): ProblemRowView[] {
  const byKey = new Map(cells.map((c) => [`${c.problem_id}\u0000${c.agent_label}`, c]));
  return problems.map((p) => ({
    problem_id: p.problem_id,
    task_type: p.task_type,
    cells: agents.map((a) => presentCell(a.label, byKey.get(`${p.problem_id}\u0000${a.label}`))),
  }));
}

const CSV_COLUMNS = ['problem_id', 'task_type', 'agent_label', 'n', 'scored', 'solved', 'success_rate', 'success_rate_ci_low', 'success_rate_ci_high', 'failed', 'timed_out', 'cancelled', 'unfinished', 'infra_errors', 'mean_ttd', 'mean_ttl', 'mean_tta', 'mean_ttm', 'mean_steps'] as const;

/** The matrix as CSV (RFC 4180), long form: one line per problem × agent, in the matrix's order. */
export function problemMatrixCsv(rows: ProblemRowView[]): string {
  const lines = rows.flatMap((row) =>
    row.cells.map((c) => {
      const flat: Record<string, unknown> = { ...c, problem_id: row.problem_id, task_type: row.task_type, success_rate_ci_low: c.success_rate_ci?.low, success_rate_ci_high: c.success_rate_ci?.high };
      return CSV_COLUMNS.map((column) => csvCell(flat[column])).join(',');
    }),
  );
  return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

/** What each field of the matrix means, returned with it. */
export const PROBLEM_MATRIX_DEFINITIONS = {
  problems: "one entry per problem of the run, in the run's order; cells: one per agent, in the run's order; each repeat counts once, by its latest task",
  scored: 'latest tasks that ended completed, failed or timed_out (failed and timed-out ones count as unsolved), except infrastructure errors; cancelled and unfinished ones are not scored',
  infra_errors: 'latest tasks whose outcome_class is infra_error: counted in failed/timed_out, kept out of scored and success_rate',
  success_rate: 'solved / scored over the repeats of the cell',
  success_rate_ci: "95% Wilson score interval of solved / scored (Wilson 1927): the uncertainty of this one cell's rate over its repeats; null when nothing is scored",
  means: 'mean_ttd/ttl/tta/ttm (AIOpsLab time to detect/localize/analyze/mitigate, seconds) and mean_steps are means over completed tasks',
};

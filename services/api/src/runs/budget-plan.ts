/**
 * Which tasks a budgeted run may create now (pure). A run with budget_usd creates its tasks in
 * waves: only tasks whose estimated cost fits in what is left once the cost of its ended tasks
 * (spent) and the estimates of its in-flight tasks are taken off. Candidates are taken in order
 * (infra retries first, then the grid's missing cells repeat-major) and the wave stops at the
 * first that does not fit, so a cheap cell never jumps the queue.
 *
 * A cell whose cost cannot be estimated (no finished task of its agent in this run, no history
 * of its problem × agent config) is a probe: at most one such task is in flight at a time, and
 * only while money is left; when it ends, its agent's cost is known and the next wave uses it.
 */
export interface CellRef {
  agent_label: string;
  problem_id: string;
  repeat_index: number;
}

export interface BudgetInput<C extends CellRef> {
  budgetUsd: number;
  /** Estimated cost of the run's ended tasks (all attempts). */
  spentUsd: number;
  inFlight: CellRef[];
  /** In the order they should run. */
  candidates: C[];
  /** Estimated USD of one task of the cell; null when unknown. */
  estimateOf: (cell: CellRef) => number | null;
}

export interface BudgetPlan<C extends CellRef> {
  create: C[];
  /** spent + in-flight estimates + the wave's estimates. */
  committedUsd: number;
  /** Nothing in flight, nothing created, and work left: the budget holds the run. */
  exhausted: boolean;
}

export function planBudget<C extends CellRef>(input: BudgetInput<C>): BudgetPlan<C> {
  let committed = input.spentUsd;
  let unknownInFlight = 0;
  for (const cell of input.inFlight) {
    const estimate = input.estimateOf(cell);
    if (estimate === null) unknownInFlight++;
    else committed += estimate;
  }
  const create: C[] = [];
  for (const cell of input.candidates) {
    const estimate = input.estimateOf(cell);
    const left = input.budgetUsd - committed;
    if (estimate === null) {
      if (unknownInFlight > 0 || left <= 0) break;
      unknownInFlight++;
    } else if (estimate > left || left <= 0) break;
    else committed += estimate;
    create.push(cell);
  }
  const exhausted = create.length === 0 && input.inFlight.length === 0 && input.candidates.length > 0;
  return { create, committedUsd: Math.round(committed * 1e6) / 1e6, exhausted };
}

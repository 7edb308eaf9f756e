/**
 * Whether a task's answer was right (pure). The api's own `outcome_class` / `solved` win when it
 * sends them; otherwise the rule of the results table (services/api/src/runs/results-table.ts and
 * the LATEST_TASKS_CTE it reads): only a completed task can be solved, detection when
 * results["Detection Accuracy"] is "Correct", every other task type when results.success is true;
 * failed and timed-out tasks count as unsolved; cancelled ones are not scored.
 *
 * Returns { key, label } (key: correct | incorrect | agent_error | infra_error | not_scored), or
 * null while the task has not ended or its result is still being read.
 */
const OUTCOMES = {
  correct: 'correct',
  incorrect: 'incorrect',
  agent_error: 'agent error',
  infra_error: 'infra error',
  not_scored: 'not scored',
};

const FROM_CLASS = { solved: 'correct', unsolved: 'incorrect', agent_error: 'agent_error', infra_error: 'infra_error' };

function outcome(key) {
  return { key, label: OUTCOMES[key] };
}

/** Solved by the results table's rule, from the evaluation dict (tasks.result.results). */
export function solvedByResults(results, taskType) {
  if (!results) return false;
  if (taskType === 'detection') return results['Detection Accuracy'] === 'Correct';
  return results.success === true;
}

export function taskOutcome(task, taskType, results) {
  if (task.outcome_class && FROM_CLASS[task.outcome_class]) return { ...outcome(FROM_CLASS[task.outcome_class]), origin: task.outcome_origin ?? null };
  if (task.status === 'cancelled') return outcome('not_scored');
  if (typeof task.solved === 'boolean') return outcome(task.solved ? 'correct' : 'incorrect');
  if (task.status === 'failed' || task.status === 'timed_out') return outcome('incorrect');
  if (task.status !== 'completed') return null;
  if (results === undefined || !taskType) return null; // not read yet
  return outcome(solvedByResults(results, taskType) ? 'correct' : 'incorrect');
}

/** True when the list's own fields settle the outcome, so the task need not be fetched. */
export function outcomeKnownWithoutResult(task) {
  return task.status !== 'completed' || typeof task.solved === 'boolean' || Boolean(task.outcome_class);
}

import { FieldError, ValidationError } from '@aiopslab/shared/errors/app-error';
import type { ProblemEntry } from '@aiopslab/shared/catalog/problem-catalog';
import type { AgentConfig, TaskSubmission } from '@aiopslab/shared/schemas/task-submission';
import type { NewTask } from '@aiopslab/shared/tables/tasks-insert';
import type { RunProblem, RunTaskFields } from '@aiopslab/shared/tables/runs';
import { MAX_RUN_TASKS, RunCreation } from './run-schemas';


/**
 * The run's problems (pure): the named ids, or the catalog entries the filter selects. Unknown
 * ids are a 400 naming each one, unless the deployment turned the catalog check off
 * (VALIDATE_PROBLEM_IDS=false), in which case their task type is "unknown".
 */
export function resolveProblems(
  body: Pick<RunCreation, 'problem_ids' | 'problem_filter'>,
  catalog: readonly ProblemEntry[],
  validateIds: boolean,
  describeUnknown: (id: string) => string = (id) => `unknown problem "${id}"; GET /problems lists the known ids`,
): RunProblem[] {
  if ((body.problem_ids === undefined) === (body.problem_filter === undefined)) {
    const field = body.problem_ids ? 'problem_filter' : 'problem_ids';
    throw new ValidationError('give exactly one of problem_ids and problem_filter', [{ field, rule: 'oneOf', message: 'name the problems (problem_ids) or select them (problem_filter), not both or neither' }]);
  }
  const types = new Map(catalog.map((p) => [p.id, p.task_type]));
  if (body.problem_ids) {
    const details: FieldError[] = [];
    body.problem_ids.forEach((id, index) => {
      if (validateIds && !types.has(id)) details.push({ field: `problem_ids[${index}]`, rule: 'catalog', message: describeUnknown(id) });
    });
    if (details.length > 0) throw new ValidationError(`unknown or unsupported problem_ids: ${details.slice(0, 5).map((d) => d.field).join(', ')}; ${details[0].message}`, details);
    return body.problem_ids.map((id) => ({ problem_id: id, task_type: types.get(id) ?? 'unknown' }));
  }
  const { task_type: taskType, app } = body.problem_filter!;
  const selected = catalog.filter((p) => (!taskType || p.task_type === taskType) && (!app || p.id.toLowerCase().includes(app.toLowerCase())));
  if (selected.length === 0) {
    throw new ValidationError('problem_filter selects no problem: the grid is empty', [{ field: 'problem_filter', rule: 'nonEmpty', message: 'no catalog problem matches; GET /problems lists the ids and task types' }]);
  }
  return selected.map((p) => ({ problem_id: p.id, task_type: p.task_type }));
}

export function checkAgentLabels(body: RunCreation): void {
  const seen = new Map<string, number>();
  const details: FieldError[] = [];
  body.agents.forEach((agent, index) => {
    const first = seen.get(agent.label);
    if (first !== undefined) details.push({ field: `agents[${index}].label`, rule: 'unique', message: `repeats the label of agents[${first}]; each agent needs its own label` });
    else seen.set(agent.label, index);
  });
  if (details.length > 0) throw new ValidationError('agent labels must be unique within a run', details);
}

export function checkGridSize(problemCount: number, body: RunCreation): number {
  const size = problemCount * body.agents.length * body.repeats;
  if (size > MAX_RUN_TASKS) {
    throw new ValidationError(`the run would have ${size} tasks (${problemCount} problems × ${body.agents.length} agents × ${body.repeats} repeats); at most ${MAX_RUN_TASKS}`, [
      { field: 'repeats', rule: 'maximum', message: `problems × agents × repeats must be at most ${MAX_RUN_TASKS}; split the run or lower repeats` },
    ]);
  }
  return size;
}

/** The task fields every task of the run shares. */
export function taskFieldsOf(body: RunCreation): RunTaskFields {
  return { max_steps: body.max_steps, timeout_minutes: body.timeout_minutes, priority: body.priority, max_retries: body.max_retries, metadata: body.metadata, ...(body.callback_url ? { callback_url: body.callback_url } : {}) };
}

const NO_PARAMETERS = Object.freeze({});

export function runTaskSubmission(problemId: string, agentConfig: AgentConfig, fields: RunTaskFields): TaskSubmission {
  return { problem_id: problemId, agent_config: agentConfig, ...fields, parameters: NO_PARAMETERS };
}

/**
 * One task per cell, repeat-major (every problem × agent of repeat 1, then repeat 2, …): with a
 * FIFO queue, a run that is stopped half way still has whole repeats to compare.
 */
export function expandGrid(runId: string, problems: RunProblem[], body: RunCreation, fields: RunTaskFields): NewTask[] {
  const tasks: NewTask[] = [];
  for (let repeat = 1; repeat <= body.repeats; repeat++) {
    for (const problem of problems) {
      for (const agent of body.agents) {
        tasks.push({
          submission: runTaskSubmission(problem.problem_id, agent.agent_config as AgentConfig, fields),
          fingerprint: null,
          placement: { runId, agentLabel: agent.label, repeatIndex: repeat },
        });
      }
    }
  }
  return tasks;
}

/**
 * OpenAPI schemas of the evaluation answers: the results table's rows (with their intervals),
 * the per-problem matrix, and the comparison (per-agent pairs, McNemar, warnings).
 */
const nullableNumber = { type: ['number', 'null'] };
const rate = { ...nullableNumber, minimum: 0, maximum: 1 };

const bootstrapInterval = {
  type: ['object', 'null'],
  description: 'percentile bootstrap interval; null when nothing is scored',
  properties: { low: { type: 'number' }, high: { type: 'number' }, method: { type: 'string' }, level: { type: 'number', example: 0.95 }, B: { type: 'integer', description: 'number of bootstrap resamples', example: 2000 }, seed: { type: 'integer', description: 'mulberry32 seed: the same seed gives the same interval' } },
};
const wilsonInterval = {
  type: ['object', 'null'],
  description: 'Wilson score interval of the cell (Wilson 1927); null when nothing is scored',
  properties: { low: { type: 'number' }, high: { type: 'number' }, method: { const: 'wilson' }, level: { type: 'number', example: 0.95 } },
};

const resultsRow = {
  type: 'object',
  additionalProperties: true,
  description: 'one agent × task type (task_type "all": the agent overall); every field is explained in the answer\'s definitions',
  properties: {
    agent_label: { type: 'string' },
    task_type: { type: 'string' },
    scored: { type: 'integer' },
    solved: { type: 'integer' },
    success_rate: rate,
    success_rate_ci: { ...bootstrapInterval, description: '95% cluster bootstrap (problems, then repeats) of success_rate' },
    success_rate_stderr: { ...nullableNumber, description: 'spread over repeats: sd of the per-repeat rates / √repeats (the same as repeat_spread_stderr)' },
    repeat_spread_stderr: { ...nullableNumber, description: 'sd of the per-repeat success rates / √repeats; says nothing about the problems being a sample' },
    pass_hat_k: { type: 'object', additionalProperties: nullableNumber },
    infra_errors: { type: 'integer', description: 'latest tasks whose outcome_class is infra_error: counted in failed/timed_out, kept out of scored and every rate; retried automatically up to max_infra_retries per cell' },
  },
};

const problemCell = {
  type: 'object',
  properties: {
    agent_label: { type: 'string' },
    n: { type: 'integer', description: 'latest tasks of the cell (one per repeat)' },
    scored: { type: 'integer' },
    solved: { type: 'integer' },
    success_rate: rate,
    success_rate_ci: wilsonInterval,
    failed: { type: 'integer' },
    timed_out: { type: 'integer' },
    cancelled: { type: 'integer' },
    unfinished: { type: 'integer' },
    infra_errors: { type: 'integer', description: 'latest tasks that ended in an infrastructure error: not scored' },
    mean_ttd: nullableNumber,
    mean_ttl: nullableNumber,
    mean_tta: nullableNumber,
    mean_ttm: nullableNumber,
    mean_steps: nullableNumber,
  },
};

const agentPair = {
  type: 'object',
  description: 'agent_a of run a against agent_b of run b over the problems both scored',
  properties: {
    agent_a: { type: 'string' },
    agent_b: { type: 'string' },
    problems: { type: 'integer', description: 'paired problems' },
    unpaired: { type: 'object', properties: { a: { type: 'array', items: { type: 'string' } }, b: { type: 'array', items: { type: 'string' } } }, description: 'problems scored by one side only, left out' },
    success_rate_a: rate,
    success_rate_a_ci: bootstrapInterval,
    success_rate_b: rate,
    success_rate_b_ci: bootstrapInterval,
    difference: { ...nullableNumber, description: 'success_rate_a − success_rate_b' },
    difference_ci: { ...bootstrapInterval, description: 'paired bootstrap: problems drawn with both sides together, then each side’s repeats' },
    solved_only_by_a: { type: 'integer', description: 'discordant problems a solved (majority of repeats) and b did not' },
    solved_only_by_b: { type: 'integer' },
    mcnemar_p: { ...nullableNumber, description: 'exact two-sided McNemar p on the discordant problems; null when there is none' },
    mcnemar_unit: { const: 'problem' },
  },
};

const warning = {
  type: 'object',
  additionalProperties: true,
  required: ['code', 'message'],
  properties: {
    code: { enum: ['run_unfinished', 'problems_differ', 'agents_differ', 'repeats_differ', 'unpaired_problems'] },
    message: { type: 'string' },
  },
  description: 'run_unfinished: run, run_id, status, unfinished_tasks, cancelled_tasks; problems_differ: problems_only_in_a/b; agents_differ: agents_only_in_a/b; repeats_differ: repeats_a/b; unpaired_problems: agent_a, agent_b, problems_scored_only_in_a/b',
};

export const runsEvaluationSchemas = {
  RunResults: {
    type: 'object',
    additionalProperties: true,
    properties: { run_id: { type: 'string' }, status: { type: 'string' }, repeats: { type: 'integer' }, rows: { type: 'array', items: resultsRow }, definitions: { type: 'object' } },
  },
  ProblemMatrix: {
    type: 'object',
    description: 'GET /runs/{id}/results?by=problem: problems in run order, one cell per agent in run order',
    properties: {
      run_id: { type: 'string' },
      status: { type: 'string' },
      by: { const: 'problem' },
      repeats: { type: 'integer' },
      agent_labels: { type: 'array', items: { type: 'string' } },
      problems: { type: 'array', items: { type: 'object', properties: { problem_id: { type: 'string' }, task_type: { type: 'string' }, cells: { type: 'array', items: problemCell } } } },
      definitions: { type: 'object' },
    },
  },
  RunComparison: {
    type: 'object',
    additionalProperties: true,
    properties: {
      pairing: { enum: ['problem_and_agent', 'problem', 'agents'] },
      pairs: { type: 'integer' },
      success_rate_a: rate,
      success_rate_b: rate,
      difference: nullableNumber,
      difference_stderr: nullableNumber,
      difference_ci95: { type: ['array', 'null'], items: { type: 'number' } },
      solved_only_by_a: { type: 'array' },
      solved_only_by_b: { type: 'array' },
      mcnemar_p: { ...nullableNumber, description: 'exact McNemar on the pooled discordant pairs (solved_only_by_a against solved_only_by_b)' },
      by_agent: { type: 'array', items: agentPair },
      warnings: { type: 'array', items: warning, description: 'empty when both runs are finished and their grids match' },
      definitions: { type: 'object' },
    },
  },
};

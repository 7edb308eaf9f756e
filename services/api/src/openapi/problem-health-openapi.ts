import { HEALTH_FLAGS } from '@aiopslab/shared/domain/problem-health';

const tally = { type: 'object', properties: { scored: { type: 'integer' }, solved: { type: 'integer' } } };
const nullableNumber = { type: ['number', 'null'] };

/** GET /problems/health and the results that leave flagged problems out: schemas, paths and the results parameter. */
export function problemHealthOpenApi(helpers: { errors: object }) {
  const json = (ref: string) => ({ description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
  return {
    schemas: {
      ProblemHealthEntry: {
        type: 'object',
        properties: {
          problem_id: { type: 'string' },
          task_type: { type: ['string', 'null'] },
          flags: { type: 'array', items: { enum: HEALTH_FLAGS }, description: 'do_nothing_passes: a grader defect; setup_unreliable: too many setup failures; flaky: a deterministic agent both solved and failed it' },
          notes: { type: 'array', items: { type: 'string' }, description: 'e.g. the expected do-nothing pass of a noop_* problem' },
          finished: { type: 'integer', description: 'finished tasks of the problem, every run and attempt' },
          do_nothing: { ...tally, description: 'tasks of the reference do_nothing agent' },
          constant_yes: { ...tally, description: 'tasks of the reference constant_yes agent (detection base rate)' },
          setup_failures: { type: 'integer' },
          setup_failure_rate: nullableNumber,
          setup_s: { type: 'object', properties: { n: { type: 'integer' }, p50: nullableNumber, p95: nullableNumber }, description: 'setup time in seconds of the tasks that got through setup' },
          deterministic_agents: { type: 'integer' },
          flaky_agents: { type: 'integer' },
          varying_agents: { type: 'integer', description: 'any agent with both outcomes across repeats (not a flag)' },
        },
      },
      ProblemHealth: {
        type: 'object',
        properties: {
          problems: { type: 'array', items: { $ref: '#/components/schemas/ProblemHealthEntry' } },
          flagged: { type: 'integer', description: 'problems with at least one flag' },
          flag_counts: { type: 'object', additionalProperties: { type: 'integer' } },
          definitions: { type: 'object', additionalProperties: { type: 'string' }, description: 'what each flag and count means' },
        },
      },
    },
    paths: {
      '/problems/health': {
        get: {
          summary: 'Per problem: whether a do-nothing agent passes, the setup failure rate, setup time p50/p95 and flakiness, from every finished task (calibration runs: POST /runs with calibration: true)',
          responses: { 200: json('ProblemHealth'), ...helpers.errors },
        },
      },
    },
    /** GET /runs/{id}/results?exclude_flagged=true. */
    excludeFlaggedParameter: {
      name: 'exclude_flagged',
      in: 'query',
      required: false,
      schema: { type: 'boolean', default: false },
      description: 'true (with by=problem): leave out the problems GET /problems/health flags; the answer adds excluded_problems, excluded_count and a note',
    },
  };
}

import { AGENT_ERROR_TYPES, INFRA_KINDS, NON_RETRYABLE_INFRA_ORIGINS, TASK_SPEC_ERROR_TYPES } from '../domain/outcome-class';

/**
 * The `infra_error` outcome class as SQL expressions over a tasks row, so the results table and
 * the infra-retry reconciler can count and select infra errors in one statement. They are built
 * from the same constants as the pure classifier (shared/src/domain/outcome-class.ts) and must
 * agree with classifyOutcome; services/api/test/runs-infra-errors.test.ts checks that on every
 * branch. Literals come from those constants only (never from input).
 */
const list = (values: Iterable<string>) => [...values].map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');

/** The runner got past setup: tasks.result has a setup, a non-empty trajectory, or a loop time (setupReachedOf). */
export function setupReachedSql(row = 't'): string {
  return `coalesce(jsonb_typeof(${row}.result->'setup') <> 'null'
    OR (jsonb_typeof(${row}.result->'trajectory') = 'array' AND jsonb_array_length(${row}.result->'trajectory') > 0)
    OR jsonb_typeof(${row}.result#>'{durations,loop_s}') = 'number', false)`;
}

/** Infra kinds whose origin a new attempt can fix (every one but the deployment's limits). */
function infraKinds(retryableOnly: boolean): string[] {
  return Object.entries(INFRA_KINDS)
    .filter(([, origin]) => !retryableOnly || !NON_RETRYABLE_INFRA_ORIGINS.includes(origin))
    .map(([kind]) => kind);
}

function infraSql(row: string, retryableOnly: boolean): string {
  const kind = `${row}.error->>'kind'`;
  const errorType = `coalesce(${row}.error->>'error_type', '')`;
  const phase = `coalesce(${row}.error->>'phase', 'setup')`;
  const beforeSetup = `NOT ${setupReachedSql(row)}`;
  const agentTypes = list([...Object.keys(AGENT_ERROR_TYPES), ...TASK_SPEC_ERROR_TYPES]);
  return `(CASE
    WHEN ${row}.status = 'timed_out' THEN ${beforeSetup}
    WHEN ${row}.status <> 'failed' THEN false
    WHEN ${kind} = 'runner_error' THEN CASE
      WHEN ${row}.error->>'origin' = 'environment' THEN true
      WHEN ${errorType} IN (${agentTypes}) THEN false
      WHEN ${phase} = 'loop' THEN false
      WHEN ${phase} IN ('eval', 'teardown') THEN true
      ELSE ${beforeSetup} END
    WHEN ${kind} IN ('runner_crashed', 'timeout') THEN ${beforeSetup}
    ELSE coalesce(${kind} IN (${list(infraKinds(retryableOnly))}), false)
  END)`;
}

/** True when the row's outcome_class is infra_error (classifyOutcome), whatever its origin. */
export function infraErrorSql(row = 't'): string {
  return infraSql(row, false);
}

/** True when the row is an infra_error that a new attempt may fix (isRetryableInfraError). */
export function retryableInfraErrorSql(row = 't'): string {
  return infraSql(row, true);
}

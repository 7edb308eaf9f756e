/**
 * The longest `timeout_minutes` a task may have: one setting, read by the api (which refuses
 * longer tasks with a 400 naming it) and by the workers (which refuse, at claim, a longer task
 * stored before the limit was lowered). The deployment keeps RabbitMQ's consumer_timeout at
 * least an hour above it (deploy/rabbitmq/rabbitmq.conf: 300 min for the default 240), so a
 * running task's message stays unacked ("Unacked" in the management UI) for its whole run.
 */
export const DEFAULT_MAX_TASK_TIMEOUT_MINUTES = 240;

export const taskTimeoutEnvProperties = {
  MAX_TASK_TIMEOUT_MINUTES: {
    type: 'integer',
    minimum: 1,
    maximum: 10080,
    default: DEFAULT_MAX_TASK_TIMEOUT_MINUTES,
    description: "longest timeout_minutes of a task, shared by api and workers; keep RabbitMQ's consumer_timeout at least 60 minutes above it",
  },
} as const;

/** The two settings it replaces: a deployment still setting them is told what to do. */
const RENAMED = {
  MAX_TIMEOUT_MINUTES: 'MAX_TIMEOUT_MINUTES was the api-only cap',
  BROKER_CONSUMER_TIMEOUT_MINUTES: "BROKER_CONSUMER_TIMEOUT_MINUTES was the worker's copy of the broker limit",
} as const;

export function renamedTimeoutSettingProblems(env: Record<string, string | undefined>): string[] {
  // Only the names present: reading absent ones would make them look like settings of ours.
  return Object.entries(RENAMED)
    .filter(([name]) => Object.keys(env).includes(name) && env[name] !== '')
    .map(([name, what]) => `${name} is no longer read (${what}); set MAX_TASK_TIMEOUT_MINUTES, one value for the api and every worker, instead`);
}

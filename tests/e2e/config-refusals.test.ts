import { EXIT_CONFIG } from '../../shared/src/lifecycle/exit-codes';
import { runServiceToExit } from '../support/run-to-exit';

/**
 * A bad setting stops a service with exit code 78 (EX_CONFIG), its message naming the variable,
 * so a supervisor can tell it from a failure a restart may cure (exit 1, startup-refusals.test.ts).
 * Every service is the built one (services/<name>/dist/main.js) as a real process; none gets as
 * far as PostgreSQL or RabbitMQ.
 */
test.each([
  ['api', { API_TOKEN: 'short' }, 'API_TOKEN must NOT have fewer than 16 characters'],
  ['api', { LOG_FORMAT: 'xml' }, 'LOG_FORMAT must be equal to one of the allowed values'],
  ['worker', { QUEUE_TYPE: 'lazy' }, 'QUEUE_TYPE must be equal to one of the allowed values'],
  ['worker', { CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: './run-task' }, 'RUNNER_COMMAND runs in each task\'s working directory'],
  ['history', { PREFETCH: '10', BATCH_SIZE: '50' }, 'PREFETCH (10) must be at least BATCH_SIZE (50)'],
  ['history', { QUEUE_PREFIX: 'has space' }, 'QUEUE_PREFIX must match pattern'],
] as const)('%s with %j exits 78 and says what is wrong, once', async (service, bad, message) => {
  const exit = await runServiceToExit(service, { ...bad });
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: EXIT_CONFIG, signal: null });
  expect(exit.output.split(message)).toHaveLength(2);
  expect(exit.output).not.toContain('failed to start'); // the message alone, no stack
});

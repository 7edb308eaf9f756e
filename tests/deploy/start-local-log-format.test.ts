import path from 'node:path';
import { ROOT } from './support/compose';

/**
 * The LOG_FORMAT `npm start` gives the services (scripts/start-local.js): they cannot see the
 * terminal themselves, as their stdout is a pipe to start-local.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serviceEnvironments } = require(path.join(ROOT, 'scripts/start-local.js')) as {
  serviceEnvironments(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): Record<'api' | 'worker' | 'history', NodeJS.ProcessEnv>;
};

describe("npm start's LOG_FORMAT for the services (scripts/start-local.js)", () => {
  test('on a terminal the services are told to write readable lines: their own stdout is a pipe', () => {
    const envs = serviceEnvironments({ PATH: '/bin' }, true);
    expect([envs.api.LOG_FORMAT, envs.worker.LOG_FORMAT, envs.history.LOG_FORMAT]).toEqual(['pretty', 'pretty', 'pretty']);
  });

  test('when output is not a terminal (a file, a pipe, a test) they write JSON lines', () => {
    const envs = serviceEnvironments({ PATH: '/bin' }, false);
    expect([envs.api.LOG_FORMAT, envs.worker.LOG_FORMAT, envs.history.LOG_FORMAT]).toEqual(['json', 'json', 'json']);
  });

  test('a LOG_FORMAT the user set wins either way', () => {
    expect(serviceEnvironments({ LOG_FORMAT: 'json' }, true).api.LOG_FORMAT).toBe('json');
    expect(serviceEnvironments({ LOG_FORMAT: 'pretty' }, false).worker.LOG_FORMAT).toBe('pretty');
  });
});

import { promises as fs } from 'node:fs';
import type { Logger } from '@aiopslab/shared/logging/logger';

/**
 * A file that exists exactly while the service consumes (for `test -f` readiness probes).
 * An empty path turns it off. Failures are logged, never fatal.
 */
export function createReadyFile(path: string, logger: Logger) {
  const run = (what: string, action: () => Promise<void>) =>
    path ? action().catch((error) => logger.warn(`ready file could not be ${what}`, { path, error: (error as Error).message })) : Promise.resolve();
  return {
    mark: () => run('written', () => fs.writeFile(path, `${process.pid}\n`)),
    clear: () => run('removed', () => fs.rm(path, { force: true })),
  };
}

import { randomBytes } from 'node:crypto';
import { ensureDatabase, dropDatabase } from '../../shared/src/db/create-database';
import { databaseUrlFor, templateDatabaseName, TEST_AMQP_URL } from './test-services';

export interface TestEnv {
  id: string;
  databaseUrl: string;
  amqpUrl: string;
  queuePrefix: string;
  /** The environment a service under test would read. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh migrated database and queue prefix for one test file (or one scenario). */
export async function createTestEnv(): Promise<TestEnv> {
  const runId = process.env.TEST_RUN_ID;
  if (!runId) throw new Error('TEST_RUN_ID is not set: run the tests through jest (globalSetup prepares the template database)');
  const id = randomBytes(4).toString('hex');
  const databaseUrl = databaseUrlFor(`aiopslab_test_${runId}_${id}`);
  await ensureDatabase(databaseUrl, templateDatabaseName(runId));
  const queuePrefix = `test.${runId}.${id}.`;
  return {
    id,
    databaseUrl,
    amqpUrl: TEST_AMQP_URL,
    queuePrefix,
    env: { DATABASE_URL: databaseUrl, AMQP_URL: TEST_AMQP_URL, QUEUE_PREFIX: queuePrefix, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error' },
    drop: () => dropDatabase(databaseUrl),
  };
}

import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureDatabase } from '../../shared/src/db/create-database';
import { migrate } from '../../shared/src/db/migrator';
import { databaseUrlFor, templateDatabaseName } from './test-services';

/** Once per run: a migrated template database that every test file clones in ~100 ms. */
export default async function globalSetup(): Promise<void> {
  const runId = process.env.TEST_RUN_ID ?? `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  process.env.TEST_RUN_ID = runId;
  const template = databaseUrlFor(templateDatabaseName(runId));
  await ensureDatabase(template);
  await migrate(template, path.resolve(__dirname, '../../prisma/migrations'));
}

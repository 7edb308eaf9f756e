import path from 'node:path';
import { loadConfig } from '../config/load-config';
import { ensureDatabase } from './create-database';
import { migrate } from './migrator';

/** `npm run db:migrate`: creates the database in DATABASE_URL if missing, then applies migrations. */
async function main(): Promise<void> {
  const config = loadConfig<{ DATABASE_URL: string }>(
    { type: 'object', properties: { DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://', default: 'postgresql://postgres:postgres@127.0.0.1:5432/aiopslab' } } },
    process.env,
  );
  const migrationsDir = path.resolve(__dirname, '../../../prisma/migrations');
  const created = await ensureDatabase(config.DATABASE_URL);
  const report = await migrate(config.DATABASE_URL, migrationsDir);
  console.log(JSON.stringify({ message: 'migrations applied', database_created: created, applied: report.applied, already_applied: report.alreadyApplied.length }));
}

main().catch((error) => {
  console.error(`db:migrate failed: ${(error as Error).message}`);
  process.exit(1);
});

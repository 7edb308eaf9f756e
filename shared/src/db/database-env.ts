import type { SqlDbOptions } from './sql';

/** The database settings every service reads besides DATABASE_URL (spread into each config schema). */
export interface DatabaseEnv {
  DATABASE_PREPARED_STATEMENTS: boolean;
}

export const databaseEnvProperties = {
  DATABASE_PREPARED_STATEMENTS: {
    type: 'boolean',
    default: true,
    description:
      'false sends every statement unnamed: needed behind PgBouncer in transaction mode before 1.21 (Debian 12 ships 1.18), which cannot carry named prepared statements across transactions; costs some PostgreSQL CPU per statement (docs/benchmarks.md)',
  },
} as const;

/** What createSqlDb / createPrismaClient take from those settings. */
export function sqlDbOptions(env: DatabaseEnv): SqlDbOptions {
  return { preparedStatements: env.DATABASE_PREPARED_STATEMENTS };
}

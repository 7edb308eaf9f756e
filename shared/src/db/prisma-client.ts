import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import { DEFAULT_IDLE_TIMEOUT_MS, SqlDbOptions, statementName } from './sql';

export type { PrismaClient } from './generated/client';
export type { Prisma } from './generated/client';
export type Db = PrismaClient;
/** The client inside an interactive transaction. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * Plain SELECTs (the listings, with filters whose selectivity varies by orders of magnitude) stay
 * unnamed: after five runs PostgreSQL may give a named statement a generic plan, and one walked
 * the wrong index (GET /tasks?status=…&worker_id=…&created_after=… p99 44 ms, 3 ms unnamed).
 */
const READ_ONLY = /^\s*SELECT\b/i;

/**
 * The Prisma 7 client over node-postgres through the driver adapter (no native engine). Its
 * writes run as named prepared statements, named as PgSql names them: each connection parses
 * and plans a write once (the submission is 2 kB of SQL; unnamed, PostgreSQL spent 1.0 ms
 * of CPU per POST /tasks, against 0.4 ms prepared).
 */
export function createPrismaClient(databaseUrl: string, poolSize = 10, options: SqlDbOptions = {}): PrismaClient {
  const named = options.preparedStatements !== false;
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS },
    { statementNameGenerator: (query) => (named && !READ_ONLY.test(query.sql) ? (statementName(query.sql) ?? '') : '') },
  );
  return new PrismaClient({ adapter });
}

import { Client } from 'pg';
import { createSqlDb, PgSql } from './sql';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';

describe('a transaction whose connection drops', () => {
  let env: TestEnv;
  let db: PgSql;
  let admin: Client;

  beforeAll(async () => {
    env = await createTestEnv();
    db = createSqlDb(env.databaseUrl, 2);
    admin = new Client({ connectionString: env.databaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await db.$disconnect();
    await env.drop();
  });

  it('fails that transaction only: no crash from the dropped client, and the pool goes on with a new connection', async () => {
    const outcome = db.$transaction(async (tx) => {
      const [{ pid }] = await tx.$queryRawUnsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await tx.$queryRawUnsafe('SELECT pg_sleep(0.2)');
    });
    // pg says it one of several ways, depending on whether the query or the 'error' event comes first.
    await expect(outcome).rejects.toThrow(/terminat|ECONNRESET|connection error|not queryable/i);
    await new Promise((resolve) => setTimeout(resolve, 200)); // any late 'error' event would be thrown by now
    const [row] = await db.$queryRawUnsafe<{ one: number }[]>('SELECT 1 AS one');
    expect(row.one).toBe(1);
  });
});

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Pool } from 'pg';
import { dropDatabase, ensureDatabase } from '../db/create-database';
import { migrate } from '../db/migrator';
import { PgSql, SqlClient } from '../db/sql';
import { buildTaskEvent } from '../domain/task-event';
import { markOutboxPublished } from './outbox';
import { insertStatusHistory } from './status-history';
import { databaseUrlFor } from '../../../tests/support/test-services';

/*
 * The hot batch statements run as prepared statements whose generic plan outlives the table
 * size it was made for. Made on a fresh database (never analyzed, as after `docker compose up`),
 * a join against `unnest(...)` becomes a hash join over a scan of the whole table, which a
 * growing table then pays on every call. Each statement here must reach its table by index
 * even in the plan PostgreSQL makes for an empty table.
 */
describe('hot batch statements on a fresh database', () => {
  const url = databaseUrlFor(`aiopslab_test_${process.env.TEST_RUN_ID}_fresh_plans`);
  let db: PgSql;

  beforeAll(async () => {
    await ensureDatabase(url);
    await migrate(url, path.resolve(__dirname, '../../../prisma/migrations'));
    db = new PgSql(new Pool({ connectionString: url, max: 1, options: '-c plan_cache_mode=force_generic_plan' }));
  });
  afterAll(async () => {
    await db.$disconnect();
    await dropDatabase(url);
  });

  /** Sequential scans of tasks and outbox made by `statement` (this backend's not yet reported counts, before and after). */
  async function seqScans(statement: (tx: SqlClient) => Promise<unknown>): Promise<Record<string, number>> {
    const counts = async (tx: SqlClient) => {
      const rows = await tx.$queryRawUnsafe<{ relname: string; seq_scan: string }[]>(
        "SELECT relname, seq_scan::text FROM pg_stat_xact_user_tables WHERE relname IN ('tasks', 'outbox')",
      );
      return Object.fromEntries(rows.map((row) => [row.relname, Number(row.seq_scan)]));
    };
    return db.$transaction(async (tx) => {
      const before = await counts(tx);
      await statement(tx);
      const after = await counts(tx);
      return { tasks: after.tasks - before.tasks, outbox: after.outbox - before.outbox };
    });
  }

  it('plans an empty table the way the test expects (a join over unnest scans it)', async () => {
    const scans = await seqScans((tx) => tx.$queryRawUnsafe('SELECT count(*) FROM tasks t JOIN unnest($1::uuid[]) AS i(id) ON t.id = i.id', [randomUUID()]));
    expect(scans.tasks).toBe(1);
  });

  it('records history with an index probe of tasks per event', async () => {
    const event = buildTaskEvent({ taskId: randomUUID(), from: null, to: 'pending', attempt: 0, workerId: null, notes: 'submitted', occurredAt: new Date() });
    const scans = await seqScans(async (tx) => expect(await insertStatusHistory(tx, [event])).toEqual([{ status: 'unknown_task' }]));
    expect(scans.tasks).toBe(0);
  });

  it('marks outbox rows published by index', async () => {
    const scans = await seqScans((tx) => markOutboxPublished(tx, [{ id: 1n, at: new Date().toISOString() }]));
    expect(scans.outbox).toBe(0);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase } from './create-database';
import { migrate, readMigrations } from './migrator';
import { databaseUrlFor } from '../../../tests/support/test-services';

const migrationsDir = path.resolve(__dirname, '../../../prisma/migrations');

describe('migrator', () => {
  const url = databaseUrlFor(`aiopslab_test_${process.env.TEST_RUN_ID}_migrator`);
  afterAll(() => dropDatabase(url));

  it('creates a missing database, applies every migration once and records it as prisma migrate deploy does', async () => {
    expect(await ensureDatabase(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe(false);
    const first = await migrate(url, migrationsDir);
    expect(first.applied).toEqual(readMigrations(migrationsDir).map((m) => m.name));
    const second = await migrate(url, migrationsDir);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);

    const client = new Client({ connectionString: url });
    await client.connect();
    const rows = await client.query('SELECT id, checksum, migration_name, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations"');
    const tables = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
    await client.end();
    expect(rows.rows).toHaveLength(first.applied.length);
    expect(rows.rows[0]).toMatchObject({ applied_steps_count: 1, rolled_back_at: null });
    expect(rows.rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.rows[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows.rows[0].finished_at).toBeInstanceOf(Date);
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['tasks', 'status_history', 'task_logs', 'workers', 'outbox']));
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    fs.cpSync(migrationsDir, dir, { recursive: true });
    const first = readMigrations(dir)[0].name;
    fs.appendFileSync(path.join(dir, first, 'migration.sql'), '\n-- edited\n');
    await expect(migrate(url, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it('records a failing migration and stops later runs until it is resolved', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    fs.cpSync(migrationsDir, dir, { recursive: true });
    fs.mkdirSync(path.join(dir, '29990101000000_broken'));
    fs.writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE broken (id int);\nSELECT * FROM no_such_table;');
    await expect(migrate(url, dir)).rejects.toThrow(/29990101000000_broken failed/);
    await expect(migrate(url, dir)).rejects.toThrow(/failed earlier and was not resolved/);
    const client = new Client({ connectionString: url });
    await client.connect();
    const broken = await client.query("SELECT to_regclass('public.broken') AS t");
    await client.end();
    expect(broken.rows[0].t).toBeNull();
  });
});

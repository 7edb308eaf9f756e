import { createSqlDb, PgSql } from '../../../shared/src/db/sql';
import { createLogger } from '../../../shared/src/logging/logger';
import { pruneFinishedTasks } from '../../../shared/src/tables/tasks-retention';
import { Retention, RetentionPolicy } from '../src/maintenance/retention';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { expectedPrunable, SEED_HISTORY_ROWS, SEED_LOG_LINES, seedTasks } from './support/retention-seed';
import { WorkerHarness } from './support/worker-harness';

/**
 * Retention against real PostgreSQL with a large table (50,000 tasks, 150,000 log lines): each
 * kind of data goes only when its setting says so, only for finished tasks, in small batches
 * that never hold up a submission; and a live worker's reaper leader runs it.
 */
const COUNT = 50_000;
const logger = createLogger('test', 'error', true);
const KEEP: RetentionPolicy = { taskDays: 0, logDays: 0, artifactDays: 0, batchSize: 2000, intervalMs: 1000, budgetMs: 60_000 };

let env: TestEnv;
let db: PgSql;

const count = async (sql: string) => Number((await db.$queryRawUnsafe<{ n: bigint }[]>(sql))[0].n);
const counts = async () => ({
  tasks: await count('SELECT count(*) AS n FROM tasks'),
  logs: await count('SELECT count(*) AS n FROM task_logs'),
  history: await count('SELECT count(*) AS n FROM status_history'),
  callbacks: await count('SELECT count(*) AS n FROM task_callbacks'),
  unfinished: await count(`SELECT count(*) AS n FROM tasks WHERE status IN ('processing', 'retrying', 'pending')`),
});

beforeAll(async () => {
  env = await createTestEnv();
  db = createSqlDb(env.databaseUrl, 4);
});
beforeEach(() => seedTasks(db, COUNT), 120_000);
afterAll(async () => {
  await db.$disconnect();
  await env.drop();
});

test('the default policy keeps everything', async () => {
  const before = await counts();
  const retention = new Retention(db, KEEP, logger);
  expect(retention.enabled).toBe(false);
  expect(await retention.runIfDue()).toBeNull();
  expect(await counts()).toEqual(before);
}, 120_000);

test('RETENTION_LOG_DAYS: the log lines of tasks finished before the cutoff go, in batches; everything else stays', async () => {
  const before = await counts();
  const expected = expectedPrunable(COUNT, 30);
  const report = await new Retention(db, { ...KEEP, logDays: 30 }, logger).runPass();
  expect(report.logs.rows).toBe(expected.tasks * SEED_LOG_LINES);
  expect(await counts()).toEqual({ ...before, logs: before.logs - expected.tasks * SEED_LOG_LINES });
  // Unfinished tasks keep their logs, whatever their dates say.
  expect(await count(`SELECT count(*) AS n FROM task_logs l JOIN tasks t ON t.id = l.task_id WHERE t.status = 'retrying'`)).toBe((COUNT / 10) * SEED_LOG_LINES);
}, 120_000);

test('RETENTION_ARTIFACT_DAYS: old finished tasks lose their kept sessions and the copies in their results, keep their evaluation, and say so', async () => {
  const expected = expectedPrunable(COUNT, 30);
  await db.$queryRawUnsafe(`INSERT INTO task_sessions (task_id, attempt, session, source, size_bytes, truncated_in_result) SELECT id, 1, '{"trace": []}', 'results_dir', 13, false FROM tasks`);
  const report = await new Retention(db, { ...KEEP, artifactDays: 30 }, logger).runPass();
  expect(report.artifacts.rows).toBe(expected.tasks * 2); // each: its result stripped, its session row deleted
  expect(await count('SELECT count(*) AS n FROM task_sessions')).toBe(COUNT - expected.tasks);
  expect(await count(`SELECT count(*) AS n FROM tasks WHERE result ? 'artifacts_pruned_at' AND NOT result ?| array['trajectory', 'session'] AND result->'results' = '{"ok": true}'`)).toBe(expected.tasks);
  expect(await count(`SELECT count(*) AS n FROM tasks WHERE result ? 'trajectory'`)).toBe(COUNT * 0.8 - expected.tasks);
}, 120_000);

test('RETENTION_TASK_DAYS: old finished tasks go with their history, logs and callback record; no unfinished task is touched', async () => {
  const before = await counts();
  const expected = expectedPrunable(COUNT, 45);
  const report = await new Retention(db, { ...KEEP, taskDays: 45 }, logger).runPass();
  expect(report.tasks.tasks).toBe(expected.tasks);
  expect(await counts()).toEqual({
    tasks: before.tasks - expected.tasks,
    logs: before.logs - expected.tasks * SEED_LOG_LINES,
    history: before.history - expected.tasks * SEED_HISTORY_ROWS,
    callbacks: before.callbacks - expected.withCallback,
    unfinished: before.unfinished,
  });
}, 120_000);

test('no task of an unfinished run is touched; once every task of the run has ended, its old ones go', async () => {
  const runId = '11111111-2222-3333-4444-555555555555';
  await db.$queryRawUnsafe(`INSERT INTO runs (id, name, problems, agents, repeats, task_fields, grid_size) VALUES ($1::uuid, 'r', '[]', '[]', 1, '{}', 2)`, runId);
  // Two old finished tasks join the run, and one unfinished task keeps it running.
  await db.$queryRawUnsafe(`UPDATE tasks SET run_id = $1::uuid, agent_label = 'a', repeat_index = 0 WHERE id IN (SELECT id FROM tasks WHERE status = 'completed' AND completed_at < now() - interval '50 days' ORDER BY id LIMIT 2)`, runId);
  await db.$queryRawUnsafe(`UPDATE tasks SET run_id = $1::uuid, agent_label = 'a', repeat_index = 0 WHERE id = (SELECT id FROM tasks WHERE status = 'retrying' ORDER BY id LIMIT 1)`, runId);
  const inRun = () => count(`SELECT count(*) AS n FROM tasks WHERE run_id = '${runId}'`);
  const expected = expectedPrunable(COUNT, 45);
  const first = await new Retention(db, { ...KEEP, taskDays: 45 }, logger).runPass();
  expect(first.tasks.tasks).toBe(expected.tasks - 2);
  expect(await inRun()).toBe(3);
  await db.$queryRawUnsafe(`UPDATE tasks SET status = 'cancelled', completed_at = now() WHERE run_id = $1::uuid AND status = 'retrying'`, runId);
  const second = await new Retention(db, { ...KEEP, taskDays: 45 }, logger).runPass();
  expect(second.tasks.tasks).toBe(2);
  expect(await inRun()).toBe(1); // the task that ended just now is not old enough yet
}, 120_000);

test('a pruning batch holds up no submission: a task is stored while the batch is still uncommitted', async () => {
  await db.$transaction(async (tx) => {
    expect((await pruneFinishedTasks(tx, new Date(), 5000)).tasks).toBe(5000);
    // Another connection inserts a task while the pruning transaction holds its locks.
    await db.$queryRawUnsafe(`INSERT INTO tasks (id, problem_id, status, agent_config, max_steps, timeout_minutes, max_retries) VALUES (gen_random_uuid(), 'p-new', 'pending', '{}', 10, 30, 0)`);
  });
  expect(await count(`SELECT count(*) AS n FROM tasks WHERE problem_id = 'p-new'`)).toBe(1);
}, 120_000);

describe('under a live worker', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await WorkerHarness.create();
  });
  afterAll(() => h.close());

  test('the reaper leader prunes on its own, once its settings ask for it', async () => {
    const sql = createSqlDb(h.env.databaseUrl, 2);
    try {
      await seedTasks(sql, 2000);
      await h.startWorker('retention-1', { env: { RETENTION_TASK_DAYS: '45', RETENTION_INTERVAL_SECONDS: '1', RETENTION_BATCH_SIZE: '100' } });
      const left = 2000 - expectedPrunable(2000, 45).tasks;
      for (let tries = 0; tries < 200 && Number((await sql.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM tasks'))[0].n) !== left; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(Number((await sql.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM tasks'))[0].n)).toBe(left);
    } finally {
      await sql.$disconnect();
    }
  }, 60_000);
});

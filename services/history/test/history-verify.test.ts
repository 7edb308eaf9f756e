import { randomUUID } from 'node:crypto';
import { createPrismaClient, Db } from '../../../shared/src/db/prisma-client';
import { insertTask } from '../../../tests/support/builders';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { verifyCli } from '../src/verify-cli';

type Step = [from: string | null, to: string, attempt: number];

const CLEAN_COMPLETED: Step[] = [
  [null, 'pending', 0],
  ['pending', 'processing', 1],
  ['processing', 'completed', 1],
];
const CLEAN_RETRIED: Step[] = [
  [null, 'pending', 0],
  ['pending', 'processing', 1],
  ['processing', 'retrying', 1],
  ['retrying', 'processing', 2],
  ['processing', 'failed', 2],
];

describe('npm run history:verify', () => {
  let env: TestEnv;
  let db: Db;

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl, 2);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await env?.drop();
  });

  /** A task whose row says where `steps` end, with one history row per step, a second apart. */
  async function taskWithHistory(steps: Step[], updatedAt = new Date(Date.now() - 60_000)): Promise<string> {
    const last = steps[steps.length - 1];
    const task = await insertTask(db, { status: last[1], attempt: last[2], updatedAt, createdAt: new Date(updatedAt.getTime() - steps.length * 1000) });
    await db.statusHistory.createMany({
      data: steps.map(([from, to, attempt], i) => ({
        eventId: randomUUID(),
        taskId: task.id,
        fromStatus: from,
        toStatus: to,
        attempt,
        workerId: attempt > 0 ? 'worker-1' : null,
        notes: to,
        occurredAt: new Date(updatedAt.getTime() - (steps.length - 1 - i) * 1000),
      })),
    });
    return task.id;
  }

  async function verify(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await verifyCli(argv, { DATABASE_URL: env.databaseUrl }, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('passes on clean histories and says so', async () => {
    const ids = [await taskWithHistory(CLEAN_COMPLETED), await taskWithHistory(CLEAN_RETRIED), await taskWithHistory([[null, 'pending', 0]])];
    const result = await verify(...ids.flatMap((id) => ['--task', id]), '--settle-ms', '0');
    expect(result.out).toMatch(/^OK: 3 tasks, 9 events checked; 0 gaps, 0 duplicates/m);
    expect(result.code).toBe(0);
  });

  it('finds an injected gap: a lost middle transition', async () => {
    const id = await taskWithHistory(CLEAN_RETRIED);
    await db.statusHistory.deleteMany({ where: { taskId: id, fromStatus: 'processing', toStatus: 'retrying' } });
    const result = await verify('--task', id, '--json', '--settle-ms', '0');
    const report = JSON.parse(result.out);
    expect(report.summary).toMatchObject({ ok: false, gaps: 1, duplicates: 0, tasks_with_issues: 1 });
    expect(report.tasks[0]).toMatchObject({ task_id: id, issues: [{ kind: 'gap', code: 'chain_break' }] });
    expect(result.code).toBe(1);
  });

  it('finds an injected gap at the end: the task moved on but its last event never arrived', async () => {
    const id = await taskWithHistory(CLEAN_COMPLETED);
    await db.statusHistory.deleteMany({ where: { taskId: id, toStatus: 'completed' } });
    const table = await verify('--task', id, '--settle-ms', '0');
    expect(table.out).toContain('missing_tail');
    expect(table.out).toContain('history ends at processing (attempt 1) but the task is completed (attempt 1)');
    expect(table.out).toMatch(/^FAILED: 1 tasks, 2 events checked; 1 gaps, 0 duplicates/m);
    expect(table.code).toBe(1);
  });

  it('finds an injected duplicate: the same step recorded under a second event id', async () => {
    const id = await taskWithHistory(CLEAN_COMPLETED);
    const claimRow = await db.statusHistory.findFirstOrThrow({ where: { taskId: id, toStatus: 'processing' } });
    const { sequence: _s, eventId: _e, recordedAt: _r, ...copy } = claimRow;
    const extra = randomUUID();
    await db.statusHistory.create({ data: { ...copy, eventId: extra } });
    const result = await verify('--task', id, '--json', '--settle-ms', '0');
    const report = JSON.parse(result.out);
    expect(report.summary).toMatchObject({ ok: false, gaps: 0, duplicates: 1 });
    expect(report.tasks[0].issues).toEqual([expect.objectContaining({ kind: 'duplicate', event_ids: [extra] })]);
    expect(result.code).toBe(1);
  });

  it('gives a task changed within --settle-ms a grace for its in-flight events, and only that long', async () => {
    const id = await taskWithHistory(CLEAN_COMPLETED, new Date());
    await db.statusHistory.deleteMany({ where: { taskId: id, toStatus: 'completed' } });
    const lenient = JSON.parse((await verify('--task', id, '--json', '--settle-ms', '600000')).out);
    expect(lenient.summary).toMatchObject({ ok: true, gaps: 0, settling: 1 });
    expect(lenient.tasks[0].excused).toEqual([expect.objectContaining({ code: 'missing_tail' })]);
    const strict = await verify('--task', id, '--settle-ms', '0');
    expect(strict.code).toBe(1);
  });

  it('checks only tasks created since --since', async () => {
    const old = await taskWithHistory([[null, 'pending', 0]], new Date('2020-01-01T00:00:00Z'));
    await db.statusHistory.deleteMany({ where: { taskId: old } }); // broken, but before the window
    const recent = await taskWithHistory(CLEAN_COMPLETED);
    const report = JSON.parse((await verify('--since', new Date(Date.now() - 10 * 60_000).toISOString(), '--json', '--settle-ms', '0')).out);
    expect(report.summary.tasks_checked).toBeGreaterThanOrEqual(1);
    expect(report.tasks.map((t: { task_id: string }) => t.task_id)).not.toContain(old);
    const everything = JSON.parse((await verify('--json', '--settle-ms', '0')).out);
    expect(everything.tasks.map((t: { task_id: string }) => t.task_id)).toContain(old);
    expect(everything.tasks.map((t: { task_id: string }) => t.task_id)).not.toContain(recent);
  });

  it('exits 2 with the usage on bad arguments or an unknown task', async () => {
    const bad = await verify('--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--since must be an ISO 8601 time');
    expect(bad.err).toContain('Usage: npm run history:verify');
    expect((await verify('--task', randomUUID())).code).toBe(2);
  });
});

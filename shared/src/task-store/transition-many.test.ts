import { topologyNames } from '../amqp/topology';
import { IllegalTransitionError } from '../domain/task-state-machine';
import { createPrismaClient, Db } from '../db/prisma-client';
import { createSqlDb, PgSql } from '../db/sql';
import { TaskStateConflictError } from './task-state-conflict';
import { createTaskStore, TaskStore } from './task-store';
import type { LockedTask } from './transition-many';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { insertTask } from '../../../tests/support/builders';
import { testDispatch } from '../../../tests/support/test-dispatch';

describe('the set form of a transition (TaskTransaction.transitionMany)', () => {
  let env: TestEnv;
  let db: Db;
  let sql: PgSql;
  let store: TaskStore;
  let wakes = 0;
  const topology = topologyNames('tm.');
  const many = (rows: LockedTask[], to: 'cancelled', notes: string) => store.inTransaction((tx) => tx.transitionMany(rows, to, notes));

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
    sql = createSqlDb(env.databaseUrl, 4);
    store = createTaskStore({ db: sql, topology, dispatch: testDispatch, outbox: { committed: () => void wakes++ } });
  });
  afterAll(async () => {
    await sql.$disconnect();
    await db.$disconnect();
    await env.drop();
  });

  it('moves every row and writes one event each, with the single form\'s terminal rule and callback header; the relay is woken once after the commit', async () => {
    const tasks = await Promise.all([insertTask(db), insertTask(db, { status: 'retrying', attempt: 1, callbackUrl: 'https://example.org/hook' })]);
    const woken = wakes;
    await many(tasks.map((t) => ({ id: t.id, status: t.status as 'pending' | 'retrying', attempt: t.attempt })), 'cancelled', 'cancelled with its run');
    expect(wakes).toBe(woken + 1);
    const after = await db.task.findMany({ where: { id: { in: tasks.map((t) => t.id) } } });
    expect(after.every((t) => t.status === 'cancelled' && t.completedAt !== null && t.leaseExpiresAt === null)).toBe(true);
    const headers = await db.outboxMessage.findMany({ where: { routingKey: 'task.cancelled', payload: { path: ['task_id'], equals: tasks[1].id } } });
    expect(headers[0].headers).toMatchObject({ type: 'task.transition', callback: true });
    const withoutCallback = await db.outboxMessage.findMany({ where: { routingKey: 'task.cancelled', payload: { path: ['task_id'], equals: tasks[0].id } } });
    expect(withoutCallback[0].headers).toMatchObject({ callback: false });
    const events = await db.outboxMessage.findMany({ where: { routingKey: 'task.cancelled' } });
    expect(events.map((e) => (e.payload as { task_id: string; from_status: string }).from_status).sort()).toEqual(['pending', 'retrying']);
    expect(new Set(events.map((e) => (e.payload as { task_id: string }).task_id))).toEqual(new Set(tasks.map((t) => t.id)));
  });

  it('refuses a move the state machine forbids, and rolls everything back when a row changed meanwhile', async () => {
    const done = await insertTask(db, { status: 'completed' });
    await expect(many([{ id: done.id, status: 'completed', attempt: 0 }], 'cancelled', 'x')).rejects.toThrow(IllegalTransitionError);
    const [waiting, moved] = await Promise.all([insertTask(db), insertTask(db)]);
    const before = await db.outboxMessage.count();
    const stale = [waiting, moved].map((t) => ({ id: t.id, status: 'pending' as const, attempt: 0 }));
    await db.task.update({ where: { id: moved.id }, data: { status: 'processing', attempt: 1 } });
    const woken = wakes;
    await expect(many(stale, 'cancelled', 'x')).rejects.toThrow(TaskStateConflictError);
    expect(wakes).toBe(woken); // rolled back: nothing to publish
    expect((await db.task.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe('pending');
    expect(await db.outboxMessage.count()).toBe(before);
  });
});

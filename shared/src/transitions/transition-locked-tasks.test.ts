import { topologyNames } from '../amqp/topology';
import { IllegalTransitionError } from '../domain/task-state-machine';
import { createPrismaClient, Db } from '../db/prisma-client';
import { createSqlDb, PgSql } from '../db/sql';
import { TaskStateConflictError } from './task-state-conflict';
import { transitionLockedTasks } from './transition-locked-tasks';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { insertTask } from '../../../tests/support/builders';

describe('transitionLockedTasks', () => {
  let env: TestEnv;
  let db: Db;
  let sql: PgSql;
  const topology = topologyNames('tm.');

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
    sql = createSqlDb(env.databaseUrl, 4);
  });
  afterAll(async () => {
    await sql.$disconnect();
    await db.$disconnect();
    await env.drop();
  });

  it('moves every row and writes one event each, with completed_at for a terminal status', async () => {
    const tasks = await Promise.all([insertTask(db), insertTask(db, { status: 'retrying', attempt: 1 })]);
    await sql.$transaction((tx) => transitionLockedTasks(tx, topology, tasks.map((t) => ({ id: t.id, status: t.status as 'pending' | 'retrying', attempt: t.attempt })), 'cancelled', 'cancelled with its run'));
    const after = await db.task.findMany({ where: { id: { in: tasks.map((t) => t.id) } } });
    expect(after.every((t) => t.status === 'cancelled' && t.completedAt !== null)).toBe(true);
    const events = await db.outboxMessage.findMany({ where: { routingKey: 'task.cancelled' } });
    expect(events.map((e) => (e.payload as { task_id: string; from_status: string }).from_status).sort()).toEqual(['pending', 'retrying']);
    expect(new Set(events.map((e) => (e.payload as { task_id: string }).task_id))).toEqual(new Set(tasks.map((t) => t.id)));
  });

  it('refuses a move the state machine forbids, and rolls everything back when a row changed meanwhile', async () => {
    const done = await insertTask(db, { status: 'completed' });
    await expect(sql.$transaction((tx) => transitionLockedTasks(tx, topology, [{ id: done.id, status: 'completed', attempt: 0 }], 'cancelled', 'x'))).rejects.toThrow(IllegalTransitionError);
    const [waiting, moved] = await Promise.all([insertTask(db), insertTask(db)]);
    const before = await db.outboxMessage.count();
    const stale = [waiting, moved].map((t) => ({ id: t.id, status: 'pending' as const, attempt: 0 }));
    await db.task.update({ where: { id: moved.id }, data: { status: 'processing', attempt: 1 } });
    await expect(sql.$transaction((tx) => transitionLockedTasks(tx, topology, stale, 'cancelled', 'x'))).rejects.toThrow(TaskStateConflictError);
    expect((await db.task.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe('pending');
    expect(await db.outboxMessage.count()).toBe(before);
  });
});

import { topologyNames } from '../amqp/topology';
import { createPrismaClient, Db } from './prisma-client';
import { transitionIfCurrent, transitionTask, TaskStateConflictError } from './task-transition';
import { createSqlDb, PgSql } from './sql';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { insertTask } from '../../../tests/support/builders';

describe('transitionTask', () => {
  let env: TestEnv;
  let db: Db;
  let sql: PgSql;
  const topology = topologyNames('t.');

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
    sql = createSqlDb(env.databaseUrl, 8);
  });
  afterAll(async () => {
    await sql.$disconnect();
    await db.$disconnect();
    await env.drop();
  });

  it('moves the task and writes exactly one event to the outbox in the same transaction', async () => {
    const task = await insertTask(db);
    const { from, task: claimed } = await db.$transaction((tx) =>
      transitionTask(tx, topology, { taskId: task.id, to: 'processing', data: { attempt: { increment: 1 }, workerId: 'w1' }, notes: 'claimed by w1' }),
    );
    expect(from).toBe('pending');
    expect(claimed).toMatchObject({ status: 'processing', attempt: 1, workerId: 'w1' });
    const outbox = await db.outboxMessage.findMany();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ exchange: 't.task.events', routingKey: 'task.processing' });
    expect(outbox[0].payload).toMatchObject({ task_id: task.id, from_status: 'pending', to_status: 'processing', attempt: 1, worker_id: 'w1', notes: 'claimed by w1' });
  });

  it('rejects an illegal transition and writes nothing', async () => {
    const task = await insertTask(db, { status: 'completed' });
    const before = await db.outboxMessage.count();
    await expect(db.$transaction((tx) => transitionTask(tx, topology, { taskId: task.id, to: 'processing', notes: 'x' }))).rejects.toThrow(TaskStateConflictError);
    expect(await db.outboxMessage.count()).toBe(before);
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('completed');
  });

  it('fences a stale owner: a write guarded by another worker or attempt is refused', async () => {
    const task = await insertTask(db, { status: 'processing', attempt: 2, workerId: 'w2' });
    await expect(
      db.$transaction((tx) => transitionTask(tx, topology, { taskId: task.id, to: 'completed', expect: { workerId: 'w1', attempt: 2 }, notes: 'x' })),
    ).rejects.toThrow(/held by w2, not w1/);
    await expect(
      db.$transaction((tx) => transitionTask(tx, topology, { taskId: task.id, to: 'completed', expect: { workerId: 'w2', attempt: 1 }, notes: 'x' })),
    ).rejects.toThrow(/attempt 2, not 1/);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const task = await insertTask(db);
    const claims = Array.from({ length: 8 }, (_, i) =>
      db.$transaction((tx) =>
        transitionTask(tx, topology, { taskId: task.id, to: 'processing', expect: { status: ['pending', 'retrying'] }, data: { attempt: { increment: 1 }, workerId: `w${i}` }, notes: `claimed by w${i}` }),
      ),
    );
    const results = await Promise.allSettled(claims);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(TaskStateConflictError);
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).attempt).toBe(1);
  });

  describe('transitionIfCurrent (one statement, guards in SQL)', () => {
    it('moves the task, fills the event from the changed row, and appends the log line with it', async () => {
      const task = await insertTask(db, { status: 'retrying', attempt: 1 });
      const result = await transitionIfCurrent(sql, topology, {
        taskId: task.id,
        to: 'processing',
        from: ['pending', 'retrying'],
        attempt: 1,
        noCancelRequested: true,
        data: { attempt: { increment: 1 }, workerId: 'w9', leaseForMs: 60_000 },
        notes: 'claimed by w9 (attempt 2)',
        logLines: [{ ts: new Date(), stream: 'system', level: 'info', message: 'claimed' }],
      });
      expect(result?.from).toBe('retrying');
      expect(result?.task).toMatchObject({ status: 'processing', attempt: 2, workerId: 'w9' });
      expect(result!.task.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
      const outbox = await db.outboxMessage.findMany({ where: { payload: { path: ['task_id'], equals: task.id } } });
      expect(outbox).toHaveLength(1);
      expect(outbox[0].payload).toMatchObject({ from_status: 'retrying', to_status: 'processing', attempt: 2, worker_id: 'w9', notes: 'claimed by w9 (attempt 2)' });
      const logs = await db.taskLog.findMany({ where: { taskId: task.id } });
      expect(logs.map((l) => [l.seq, l.attempt, l.message])).toEqual([[1, 1, 'claimed']]);
    });

    it('changes and writes nothing when a guard does not hold', async () => {
      const cancelled = await insertTask(db, { status: 'processing', attempt: 1, workerId: 'w1' });
      await db.task.update({ where: { id: cancelled.id }, data: { cancelRequestedAt: new Date() } });
      const owned = await insertTask(db, { status: 'processing', attempt: 1, workerId: 'w1' });
      const before = await db.outboxMessage.count();
      const finish = (taskId: string, guards: { attempt: number; workerId: string }) =>
        transitionIfCurrent(sql, topology, { taskId, to: 'completed', from: ['processing'], ...guards, noCancelRequested: true, notes: 'done', logLines: [{ ts: new Date(), stream: 'system', level: 'info', message: 'done' }] });
      expect(await finish(cancelled.id, { attempt: 1, workerId: 'w1' })).toBeNull();
      expect(await finish(owned.id, { attempt: 1, workerId: 'w2' })).toBeNull();
      expect(await finish(owned.id, { attempt: 2, workerId: 'w1' })).toBeNull();
      expect(await db.outboxMessage.count()).toBe(before);
      expect(await db.taskLog.count({ where: { taskId: { in: [cancelled.id, owned.id] } } })).toBe(0);
      expect((await db.task.findUniqueOrThrow({ where: { id: owned.id } })).status).toBe('processing');
    });

    it('lets exactly one of many concurrent one-statement claims win', async () => {
      const task = await insertTask(db);
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          transitionIfCurrent(sql, topology, { taskId: task.id, to: 'processing', from: ['pending', 'retrying'], attempt: 0, data: { attempt: { increment: 1 }, workerId: `w${i}` }, notes: `claimed by w${i}` }),
        ),
      );
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      expect(await db.outboxMessage.count({ where: { payload: { path: ['task_id'], equals: task.id } } })).toBe(1);
      expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).attempt).toBe(1);
    });
  });
});

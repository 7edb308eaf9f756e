import { topologyNames } from '../amqp/topology';
import { createPrismaClient, Db } from './prisma-client';
import { transitionTask, TaskStateConflictError } from './task-transition';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { insertTask } from '../../../tests/support/builders';

describe('transitionTask', () => {
  let env: TestEnv;
  let db: Db;
  const topology = topologyNames('t.');

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
  });
  afterAll(async () => {
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
});
